/**
 * Advisory lock keys shared by the ingest writer, the sealer and opt-out. Writer and sealer
 * serialize per (epoch, channel) (DESIGN.md section 5); opt-out excludes every writer briefly.
 */
export function attentionLockKey(epoch: number, channel: string): string {
  return `attention:${epoch}:${channel}`;
}

/** Writers hold it shared, opt-out exclusively. */
export const SUPPRESSION_LOCK = 7_324_512;

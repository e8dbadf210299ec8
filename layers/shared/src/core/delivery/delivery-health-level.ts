/**
 * The health the source's OracleMonitor watched: the success rate of oracle calls over a window,
 * warning under 90 %, critical under 70 %.
 */

export type HealthLevel = 'ok' | 'warning' | 'critical';

/** Percent of finished calls that succeeded; 100 when none finished. */
export function successRate(succeeded: number, failed: number): number {
  const finished = succeeded + failed;
  return finished === 0 ? 100 : (succeeded / finished) * 100;
}

export function healthLevel(rate: number): HealthLevel {
  if (rate < 70) return 'critical';
  if (rate < 90) return 'warning';
  return 'ok';
}

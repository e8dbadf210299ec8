import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/** The four values `updateCreatorMetrics` sends for one creator, in the contract's units. */
export interface OnChainCreatorMetrics {
  readonly totalPlays: bigint;
  readonly followers: bigint;
  /** Engagement score ×100, 0–10000. */
  readonly engagementScoreX100: bigint;
  readonly monthlyRevenueAttoFil: bigint;
}

/**
 * A short, stable digest of what would be sent: equal metrics give equal fingerprints, so
 * "changed since the last sync" is a string comparison and a request id can name the metrics.
 */
export function metricsFingerprint(metrics: OnChainCreatorMetrics): string {
  const canonical = [
    metrics.totalPlays,
    metrics.followers,
    metrics.engagementScoreX100,
    metrics.monthlyRevenueAttoFil,
  ].join(':');
  return bytesToHex(sha256(utf8ToBytes(canonical))).slice(0, 32);
}

export function sameOnChainMetrics(a: OnChainCreatorMetrics, b: OnChainCreatorMetrics): boolean {
  return (
    a.totalPlays === b.totalPlays &&
    a.followers === b.followers &&
    a.engagementScoreX100 === b.engagementScoreX100 &&
    a.monthlyRevenueAttoFil === b.monthlyRevenueAttoFil
  );
}

/**
 * What the creator sync sends and how it names it: request ids that make a repeated run a no-op
 * at the delivery engine (the same creator, metrics and generation give the same id), the
 * supersede key that lets a newer update drop an older one still retrying, and which creators
 * need an update at all.
 */

/** The sync log operations of the calls the sync enqueues. */
export const METRICS_OP = 'UPDATE_METRICS';
export const COIN_OP = 'LAUNCH_COIN';

/** Delivery outcomes after which a call will not change again. */
export const FINAL_CALL_STATES: ReadonlySet<string> = new Set([
  'success',
  'failed',
  'superseded',
  'abandoned',
]);

/** The contracts a request id is scoped to. */
export interface SyncTargets {
  readonly chainId: number;
  readonly metricsManagerAddress: string;
  readonly tokenFactoryAddress: string;
}

const lower = (address: string) => address.toLowerCase();

export function metricsRequestId(
  targets: SyncTargets,
  creator: string,
  fingerprint: string,
  generation: number,
): string {
  return `creator-metrics:${targets.chainId}:${lower(targets.metricsManagerAddress)}:${lower(creator)}:${fingerprint}:g${generation}`;
}

export function metricsSupersedeKey(targets: SyncTargets, creator: string): string {
  return `creator-metrics:${targets.chainId}:${lower(targets.metricsManagerAddress)}:${lower(creator)}`;
}

export function coinRequestId(targets: SyncTargets, creator: string, attempt: number): string {
  return `creator-coin:${targets.chainId}:${lower(targets.tokenFactoryAddress)}:${lower(creator)}:a${attempt}`;
}

/** What the oracle last sent for a creator: enqueued (pending) and confirmed on-chain. */
export interface SentMetrics {
  readonly pendingFingerprint: string | null;
  readonly confirmedFingerprint: string | null;
  readonly generation: number;
}

/**
 * The creators whose metrics differ from what was last sent: the pending fingerprint when a call
 * is in flight, else the confirmed one; a creator never sent anything always differs.
 */
export function changedSinceLastSent<M extends { readonly creatorId: string; readonly fingerprint: string }>(
  metrics: readonly M[],
  sent: ReadonlyMap<string, SentMetrics>,
): M[] {
  return metrics.filter((m) => {
    const state = sent.get(m.creatorId);
    const lastSent = state?.pendingFingerprint ?? state?.confirmedFingerprint ?? null;
    return lastSent !== m.fingerprint;
  });
}

/**
 * A circuit breaker per RPC endpoint: after `failureThreshold` consecutive network failures it
 * opens and refuses calls; after `coolOffMs` it half-opens and lets calls probe the endpoint; a
 * success closes it, a failure while half-open opens it again. Pure: the caller passes the time.
 */

export type BreakerPhase = 'closed' | 'open' | 'half-open';

export interface BreakerState {
  readonly phase: BreakerPhase;
  readonly consecutiveFailures: number;
  /** When it last opened (ms), or null. */
  readonly openedAt: number | null;
}

export interface BreakerOptions {
  /** @default 5 */
  readonly failureThreshold?: number;
  /** @default 30 s */
  readonly coolOffMs?: number;
}

export const CLOSED_BREAKER: BreakerState = { phase: 'closed', consecutiveFailures: 0, openedAt: null };

/** The state as of `now`: an open breaker whose cool-off has passed is half-open. */
export function breakerAt(state: BreakerState, now: number, options: BreakerOptions = {}): BreakerState {
  const coolOffMs = options.coolOffMs ?? 30_000;
  if (state.phase === 'open' && state.openedAt !== null && now - state.openedAt >= coolOffMs) {
    return { ...state, phase: 'half-open' };
  }
  return state;
}

export function breakerAllows(state: BreakerState, now: number, options: BreakerOptions = {}): boolean {
  return breakerAt(state, now, options).phase !== 'open';
}

export function breakerSucceeded(): BreakerState {
  return CLOSED_BREAKER;
}

export function breakerFailed(state: BreakerState, now: number, options: BreakerOptions = {}): BreakerState {
  const threshold = options.failureThreshold ?? 5;
  const current = breakerAt(state, now, options);
  const consecutiveFailures = current.consecutiveFailures + 1;
  if (current.phase === 'half-open' || consecutiveFailures >= threshold) {
    return { phase: 'open', consecutiveFailures, openedAt: now };
  }
  return { ...current, consecutiveFailures };
}

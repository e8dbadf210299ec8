/**
 * When a failed attempt pages an admin (the source's adminAlertService, ORACLE_ALERT_CUTOFF = 3,
 * a setting with that default; the 5-minute cooldown is the source's fixed one):
 * consecutive failed attempts are counted per target address; the count reaching the threshold
 * alerts, after that at most one alert per cooldown; a success resets count and cooldown.
 */

export interface AlertState {
  readonly consecutiveFailures: number;
  /** When the last alert went out (ms), or null. */
  readonly lastAlertAt: number | null;
}

export interface AlertPolicy {
  readonly threshold: number;
  readonly cooldownMs: number;
}

export const DEFAULT_ALERT_POLICY: AlertPolicy = { threshold: 3, cooldownMs: 5 * 60_000 };
export const NO_FAILURES: AlertState = { consecutiveFailures: 0, lastAlertAt: null };

export function registerFailure(
  state: AlertState,
  now: number,
  policy: AlertPolicy = DEFAULT_ALERT_POLICY,
): { state: AlertState; alert: boolean } {
  const consecutiveFailures = state.consecutiveFailures + 1;
  const cooled = state.lastAlertAt === null || now - state.lastAlertAt >= policy.cooldownMs;
  const alert = consecutiveFailures >= policy.threshold && cooled;
  return { state: { consecutiveFailures, lastAlertAt: alert ? now : state.lastAlertAt }, alert };
}

export function registerSuccess(): AlertState {
  return NO_FAILURES;
}

/**
 * Health of the creator metrics sync (`creator-metrics-oracle.md` "Monitoring & Alerts",
 * `streamvault-database.md` "Sync Health Metrics"): success rate (warning under 90 %, critical
 * under 70 %), failed transactions per hour (under 10), average response time (under 30 s: the
 * time from enqueueing a call to its confirmation on-chain), and staleness (DESIGN.md: on-chain
 * values differing from the database for more than 2 h, or no successful sync run for 2 h).
 */
export type HealthLevel = 'ok' | 'warning' | 'critical';

export const SUCCESS_RATE_WARNING = 0.9;
export const SUCCESS_RATE_CRITICAL = 0.7;
export const FAILED_TX_PER_HOUR_LIMIT = 10;
export const STALENESS_LIMIT_MS = 2 * 60 * 60 * 1000;
/** "Response Times: Average <30 seconds". */
export const RESPONSE_TIME_LIMIT_MS = 30_000;

export interface SyncHealthInput {
  readonly now: Date;
  /** On-chain calls of the window that ended, by outcome. */
  readonly succeededCalls: number;
  readonly failedCalls: number;
  readonly failedCallsLastHour: number;
  /** Mean time from enqueue to confirmation over the window, if any call completed. */
  readonly averageResponseMs: number | undefined;
  readonly lastSuccessfulRunAt: Date | undefined;
  /** Earliest moment since which some creator's on-chain values have differed from the DB's. */
  readonly oldestDivergenceAt: Date | undefined;
  readonly divergedCreatorsOverLimit: number;
}

export interface SyncHealth {
  /** Undefined when no call completed in the window (nothing to judge). */
  readonly successRate: number | undefined;
  readonly successLevel: HealthLevel;
  readonly failedCallsLastHour: number;
  readonly failedCallsAlarm: boolean;
  readonly averageResponseMs: number | undefined;
  /** The average response time is at or above the limit. */
  readonly slowResponses: boolean;
  readonly noRecentSuccessfulRun: boolean;
  readonly divergedCreatorsOverLimit: number;
  readonly stale: boolean;
  readonly level: HealthLevel;
}

export function successRateLevel(rate: number | undefined): HealthLevel {
  if (rate === undefined) return 'ok';
  if (rate < SUCCESS_RATE_CRITICAL) return 'critical';
  if (rate < SUCCESS_RATE_WARNING) return 'warning';
  return 'ok';
}

export function evaluateSyncHealth(input: SyncHealthInput): SyncHealth {
  const completed = input.succeededCalls + input.failedCalls;
  const successRate = completed === 0 ? undefined : input.succeededCalls / completed;
  const successLevel = successRateLevel(successRate);
  const failedCallsAlarm = input.failedCallsLastHour >= FAILED_TX_PER_HOUR_LIMIT;
  const slowResponses =
    input.averageResponseMs !== undefined && input.averageResponseMs >= RESPONSE_TIME_LIMIT_MS;
  const limit = input.now.getTime() - STALENESS_LIMIT_MS;
  const noRecentSuccessfulRun =
    input.lastSuccessfulRunAt === undefined || input.lastSuccessfulRunAt.getTime() < limit;
  const diverged =
    input.divergedCreatorsOverLimit > 0 ||
    (input.oldestDivergenceAt !== undefined && input.oldestDivergenceAt.getTime() < limit);
  const stale = noRecentSuccessfulRun || diverged;
  const level: HealthLevel =
    successLevel === 'critical' || stale
      ? 'critical'
      : successLevel === 'warning' || failedCallsAlarm || slowResponses
        ? 'warning'
        : 'ok';
  return {
    successRate,
    successLevel,
    failedCallsLastHour: input.failedCallsLastHour,
    failedCallsAlarm,
    averageResponseMs: input.averageResponseMs,
    slowResponses,
    noRecentSuccessfulRun,
    divergedCreatorsOverLimit: input.divergedCreatorsOverLimit,
    stale,
    level,
  };
}

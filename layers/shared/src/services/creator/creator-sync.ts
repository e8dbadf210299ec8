/**
 * The hourly creator metrics sync (creator-metrics-oracle.md "Oracle Workflow", DESIGN.md
 * section 5). One run:
 *   1. reconciles the calls earlier runs enqueued with how the delivery engine finished them
 *      (sync log rows completed with hash, gas, block, retries, error; confirmed metrics; coins);
 *   2. computes every creator's metrics in one query;
 *   3. enqueues `updateCreatorMetrics` for each creator whose metrics differ from what was last
 *      sent, with a request id per (creator, metrics, generation) and a supersede key per creator;
 *   4. records newly reached milestones (once each) and announces them (MilestoneReached);
 *   5. launches a coin for each creator past the thresholds whose on-chain
 *      `meetsLaunchRequirements` is true, with a request id per creator and attempt;
 *   6. records the last completed quarter's revenue distributions (once per creator and quarter)
 *      and rolls up yesterday's and today's daily stats;
 *   7. writes its SYNC_RUN row with the sync's health (the history admins read) and emits the
 *      health metrics.
 *
 * Concurrent runs are safe without a lock: the same data gives the same request ids, which the
 * engine deduplicates, and every table write is an upsert or conditional update. A call that
 * fails for good raises the creator's generation, so the next run sends the same metrics under
 * a fresh request id: no creator is skipped once the chain is back.
 */
import { randomUUID } from 'node:crypto';
import {
  completeSyncRun,
  countAwaitedRequests,
  startSyncRun,
} from '../../adapters/db/creator/sync-log-store.ts';
import type { CoinLaunchThresholds } from '../../core/creator/coin-launch.ts';
import { MILESTONES, type Milestone } from '../../core/creator/milestones.ts';
import { lastCompletedQuarter } from '../../core/creator/revenue.ts';
import type { SyncTargets } from '../../core/creator/sync-requests.ts';
import { METRIC, type MetricName } from '../../metric-names.ts';
import type { CoinPriceSource } from '../../ports/coin-price-source.ts';
import type { CreatorContracts } from '../../ports/creator-contracts.ts';
import type { EventBus } from '../../ports/event-bus.ts';
import type { OracleCallGateway } from '../../ports/oracle-call-gateway.ts';
import type { Sql } from '../../ports/sql.ts';
import type { Telemetry } from '../../ports/telemetry.ts';
import { errorText, launchEligibleCoins } from './coin-launches.ts';
import { computeCreatorMetrics } from './creator-metrics.ts';
import { type CreatorSyncHealth, recordRunHealth, syncHealth } from './creator-sync-health.ts';
import { rollupDailyStats } from './daily-stats.ts';
import { enqueueChangedMetrics } from './metrics-updates.ts';
import { announceMilestones, recordMilestones } from './milestone-sync.ts';
import { recordRevenueDistributions } from './revenue-distributions.ts';
import { reconcile } from './sync-reconciliation.ts';

export interface CreatorSyncConfig extends SyncTargets {
  /** Supply of each launched coin, base units (18 decimals). @default 1,000,000 coins */
  readonly coinInitialSupply?: bigint;
  /** The milestones recorded (config.ts `CREATOR_MILESTONES_*`). @default the source's table */
  readonly milestones?: readonly Milestone[];
  /** Totals at which a coin is launched (`COIN_LAUNCH_MIN_*`). @default 50,000 plays and 5,000 followers */
  readonly coinLaunch?: CoinLaunchThresholds;
  /** Revenue sharing starts at this revenue a month (`REVENUE_SHARING_MIN_FIL`). @default 100 FIL */
  readonly revenueSharingMinAttoFilPerMonth?: bigint;
}

export interface SyncMetricsSink {
  record(name: MetricName, value: number, unit: 'Percent' | 'Seconds' | 'Count'): void;
}

export interface CreatorSyncDeps {
  readonly sql: Sql;
  readonly calls: OracleCallGateway;
  readonly contracts: CreatorContracts;
  readonly config: CreatorSyncConfig;
  readonly prices?: CoinPriceSource;
  readonly now?: () => Date;
  readonly metrics?: SyncMetricsSink;
  readonly telemetry?: Telemetry;
  /** Where MilestoneReached goes; milestones wait unannounced (not lost) without one. */
  readonly events?: EventBus;
}

export interface CreatorSyncReport {
  readonly runId: string;
  readonly status: 'success' | 'partial';
  readonly creators: number;
  readonly metricsMs: number;
  /** Creators whose metrics differed from what was last sent. */
  readonly changed: number;
  readonly enqueued: number;
  /** Of those, request ids the engine already knew (a concurrent run sent them). */
  readonly duplicates: number;
  /** Metrics updates confirmed on-chain since the last run. */
  readonly confirmed: number;
  /** Calls (updates and launches) that failed for good since the last run. */
  readonly failedCalls: number;
  readonly milestonesRecorded: number;
  /** MilestoneReached events put on the bus (this run's milestones and any an earlier run missed). */
  readonly milestonesAnnounced: number;
  readonly coinsEnqueued: number;
  readonly coinsLaunched: number;
  /** Creators past the thresholds whose metrics are not yet on-chain. */
  readonly coinsAwaitingChain: number;
  readonly distributionsRecorded: number;
  readonly errors: readonly string[];
  readonly durationMs: number;
  readonly health: CreatorSyncHealth;
}

type RunDetails = Omit<CreatorSyncReport, 'runId' | 'status' | 'errors' | 'durationMs' | 'health'>;

/** Runs `step`; a failure becomes one of the run's errors and `fallback` its value. */
async function orError<T>(errors: string[], what: string, step: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await step();
  } catch (error) {
    errors.push(`${what}: ${errorText(error)}`);
    return fallback;
  }
}

export async function runCreatorSync(deps: CreatorSyncDeps): Promise<CreatorSyncReport> {
  const clock = deps.now ?? (() => new Date());
  const runId = randomUUID();
  const started = performance.now();
  const now = clock();
  await startSyncRun(deps.sql, runId, now);
  try {
    const errors: string[] = [];
    const { details, succeededCalls } = await syncSteps(deps, runId, now, errors);
    return await finishRun(deps, runId, started, errors, details, succeededCalls);
  } catch (error) {
    // A run that could not go on (database or queue down) still ends its log row.
    await completeSyncRun(deps.sql, runId, {
      status: 'failed',
      durationMs: performance.now() - started,
      completedAt: clock(),
      errorMessage: errorText(error),
    }).catch(() => undefined);
    deps.metrics?.record(METRIC.syncSuccessRate, 0, 'Percent');
    throw error;
  }
}

/** Every step of one run, in order; a step that fails alone is one of the run's errors. */
async function syncSteps(
  deps: CreatorSyncDeps,
  runId: string,
  now: Date,
  errors: string[],
): Promise<{ details: RunDetails; succeededCalls: number }> {
  const { sql, config } = deps;
  const reconciled = await reconcile(deps, errors);
  const metricsStarted = performance.now();
  const metrics = await computeCreatorMetrics(sql, {
    asOf: now,
    ...(deps.prices === undefined ? {} : { prices: deps.prices }),
  });
  const metricsMs = Math.round(performance.now() - metricsStarted);
  const sent = await enqueueChangedMetrics(deps, runId, now, metrics);
  const milestonesRecorded = await recordMilestones(
    sql,
    runId,
    now,
    metrics,
    config.milestones ?? MILESTONES,
  );
  const milestonesAnnounced = await orError(
    errors,
    'announcing milestones',
    () => announceMilestones(deps, now),
    0,
  );
  const coins = await launchEligibleCoins(deps, runId, metrics, errors);
  const distributionsRecorded = await orError(
    errors,
    'revenue distributions',
    () =>
      recordRevenueDistributions(sql, lastCompletedQuarter(now), {
        runId,
        ...(config.revenueSharingMinAttoFilPerMonth === undefined
          ? {}
          : { minMonthlyRevenueAttoFil: config.revenueSharingMinAttoFilPerMonth }),
      }),
    0,
  );
  await rollUpRecentDays(sql, now, errors);
  const details: RunDetails = {
    creators: metrics.length,
    metricsMs,
    ...sent,
    confirmed: reconciled.confirmed,
    failedCalls: reconciled.failed,
    milestonesRecorded,
    milestonesAnnounced,
    coinsEnqueued: coins.enqueued,
    coinsLaunched: reconciled.coinsLaunched,
    coinsAwaitingChain: coins.awaitingChain,
    distributionsRecorded,
  };
  return { details, succeededCalls: reconciled.succeededCalls };
}

/** Today's and yesterday's rollups, so a day is complete once the first run after midnight is done. */
async function rollUpRecentDays(sql: Sql, now: Date, errors: string[]): Promise<void> {
  const today = now.toISOString().slice(0, 10);
  const yesterday = new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
  for (const day of [yesterday, today]) {
    await orError(errors, `daily rollup ${day}`, () => rollupDailyStats(sql, day), undefined);
  }
}

/** Ends the run's log row, measures and keeps the sync's health, and emits the health metrics. */
async function finishRun(
  deps: CreatorSyncDeps,
  runId: string,
  started: number,
  errors: readonly string[],
  details: RunDetails,
  succeededCalls: number,
): Promise<CreatorSyncReport> {
  const clock = deps.now ?? (() => new Date());
  const durationMs = performance.now() - started;
  const status = errors.length === 0 ? 'success' : 'partial';
  await completeSyncRun(deps.sql, runId, {
    status,
    durationMs,
    completedAt: clock(),
    errorMessage: errors.length === 0 ? null : errors.join('; '),
    details,
  });
  const health = await syncHealth(deps.sql, clock());
  await recordRunHealth(deps.sql, runId, health);
  const completed = succeededCalls + details.failedCalls;
  if (completed > 0) {
    deps.metrics?.record(METRIC.syncSuccessRate, (succeededCalls / completed) * 100, 'Percent');
  }
  deps.metrics?.record(METRIC.creatorDataStaleSeconds, health.staleSeconds, 'Seconds');
  if (health.averageResponseMs !== undefined) {
    deps.metrics?.record(METRIC.creatorSyncResponseTime, health.averageResponseMs / 1000, 'Seconds');
  }
  deps.telemetry?.info('creator sync finished', { runId, ...details, status, errors });
  return { runId, status, ...details, errors, durationMs, health };
}

/**
 * How many calls the sync still waits on the outcome of: the request ids its reconciliation
 * reads (enqueued log rows, pending metrics, pending coins). None means every call it sent has been
 * reconciled, and counted in some run's `confirmed` or `failedCalls`.
 */
export async function callsAwaited(sql: Sql): Promise<number> {
  return countAwaitedRequests(sql);
}

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
import { rollupDailyStats } from '../../adapters/db/creator-metrics-repo.ts';
import {
  assignCoinIdentities,
  type CoinLaunchThresholds,
  DEFAULT_COIN_INITIAL_SUPPLY,
  meetsCoinLaunchThresholds,
} from '../../core/creator/coin-launch.ts';
import { MILESTONES, type Milestone, newlyReachedMilestones } from '../../core/creator/milestones.ts';
import {
  HOLDER_SHARE_BPS,
  lastCompletedQuarter,
  type Quarter,
  REVENUE_SHARING_MIN_ATTO_FIL,
} from '../../core/creator/revenue.ts';
import { METRIC, type MetricName } from '../../metric-names.ts';
import type { CoinPriceSource } from '../../ports/coin-price-source.ts';
import {
  type CreatorContracts,
  LAUNCH_CREATOR_COIN,
  UPDATE_CREATOR_METRICS,
} from '../../ports/creator-contracts.ts';
import type { EventBus } from '../../ports/event-bus.ts';
import type {
  OracleCallGateway,
  OracleCallOutcome,
  OracleCallRequest,
} from '../../ports/oracle-call-gateway.ts';
import type { Sql } from '../../ports/sql.ts';
import { type CreatorMetrics, computeCreatorMetrics } from './creator-metrics.ts';
import {
  COIN_OP,
  type CreatorSyncHealth,
  METRICS_OP,
  recordRunHealth,
  syncHealth,
} from './creator-sync-health.ts';

export interface CreatorSyncConfig {
  readonly chainId: number;
  readonly metricsManagerAddress: string;
  readonly tokenFactoryAddress: string;
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

export interface SyncLog {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
}

export interface CreatorSyncDeps {
  readonly sql: Sql;
  readonly calls: OracleCallGateway;
  readonly contracts: CreatorContracts;
  readonly config: CreatorSyncConfig;
  readonly prices?: CoinPriceSource;
  readonly now?: () => Date;
  readonly metrics?: SyncMetricsSink;
  readonly log?: SyncLog;
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

const FINAL = new Set(['success', 'failed', 'superseded', 'abandoned']);

const lower = (address: string) => address.toLowerCase();

export function metricsRequestId(
  config: CreatorSyncConfig,
  creator: string,
  fingerprint: string,
  generation: number,
): string {
  return `creator-metrics:${config.chainId}:${lower(config.metricsManagerAddress)}:${lower(creator)}:${fingerprint}:g${generation}`;
}

export function metricsSupersedeKey(config: CreatorSyncConfig, creator: string): string {
  return `creator-metrics:${config.chainId}:${lower(config.metricsManagerAddress)}:${lower(creator)}`;
}

export function coinRequestId(config: CreatorSyncConfig, creator: string, attempt: number): string {
  return `creator-coin:${config.chainId}:${lower(config.tokenFactoryAddress)}:${lower(creator)}:a${attempt}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function runCreatorSync(deps: CreatorSyncDeps): Promise<CreatorSyncReport> {
  const { sql } = deps;
  const clock = deps.now ?? (() => new Date());
  const runId = randomUUID();
  const started = performance.now();
  const now = clock();
  await sql`
    insert into creator.oracle_sync_logs (run_id, operation, status, created_at)
    values (${runId}, 'SYNC_RUN', 'running', ${now.toISOString()}::timestamptz)`;
  try {
    return await syncRun(deps, runId, now, started);
  } catch (error) {
    // A run that could not go on (database or queue down) still ends its log row.
    await sql`
      update creator.oracle_sync_logs
      set status = 'failed', duration_ms = ${Math.round(performance.now() - started)},
          completed_at = ${clock().toISOString()}::timestamptz, error_message = ${errorText(error).slice(0, 2_000)}
      where run_id = ${runId} and operation = 'SYNC_RUN'`.catch(() => undefined);
    deps.metrics?.record(METRIC.syncSuccessRate, 0, 'Percent');
    throw error;
  }
}

async function syncRun(
  deps: CreatorSyncDeps,
  runId: string,
  now: Date,
  started: number,
): Promise<CreatorSyncReport> {
  const { sql } = deps;
  const clock = deps.now ?? (() => new Date());
  const errors: string[] = [];
  const reconciled = await reconcile(deps, errors);

  const metricsStarted = performance.now();
  const metrics = await computeCreatorMetrics(sql, {
    asOf: now,
    ...(deps.prices === undefined ? {} : { prices: deps.prices }),
  });
  const metricsMs = performance.now() - metricsStarted;

  const sent = await enqueueChangedMetrics(deps, runId, now, metrics);
  const milestonesRecorded = await recordMilestones(
    sql,
    runId,
    now,
    metrics,
    deps.config.milestones ?? MILESTONES,
  );
  let milestonesAnnounced = 0;
  try {
    milestonesAnnounced = await announceMilestones(deps, now);
  } catch (error) {
    errors.push(`announcing milestones: ${errorText(error)}`);
  }
  const coins = await launchEligibleCoins(deps, runId, metrics, errors);
  let distributionsRecorded = 0;
  try {
    distributionsRecorded = await recordRevenueDistributions(sql, lastCompletedQuarter(now), {
      runId,
      ...(deps.config.revenueSharingMinAttoFilPerMonth === undefined
        ? {}
        : { minMonthlyRevenueAttoFil: deps.config.revenueSharingMinAttoFilPerMonth }),
    });
  } catch (error) {
    errors.push(`revenue distributions: ${errorText(error)}`);
  }
  // Today's and yesterday's rollups, so a day is complete once the first run after midnight is done.
  const today = now.toISOString().slice(0, 10);
  const yesterday = new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
  for (const day of [yesterday, today]) {
    try {
      await rollupDailyStats(sql, day);
    } catch (error) {
      errors.push(`daily rollup ${day}: ${errorText(error)}`);
    }
  }

  const durationMs = performance.now() - started;
  const status = errors.length === 0 ? 'success' : 'partial';
  const details = {
    creators: metrics.length,
    metricsMs: Math.round(metricsMs),
    changed: sent.changed,
    enqueued: sent.enqueued,
    duplicates: sent.duplicates,
    confirmed: reconciled.confirmed,
    failedCalls: reconciled.failed,
    milestonesRecorded,
    milestonesAnnounced,
    coinsEnqueued: coins.enqueued,
    coinsLaunched: reconciled.coinsLaunched,
    coinsAwaitingChain: coins.awaitingChain,
    distributionsRecorded,
  };
  await sql`
    update creator.oracle_sync_logs
    set status = ${status}, duration_ms = ${Math.round(durationMs)}, completed_at = ${clock().toISOString()}::timestamptz,
        error_message = ${errors.length === 0 ? null : errors.join('; ').slice(0, 2_000)},
        details = ${JSON.stringify(details)}::jsonb
    where run_id = ${runId} and operation = 'SYNC_RUN'`;

  const health = await syncHealth(sql, clock());
  await recordRunHealth(sql, runId, health);
  const completed = reconciled.succeededCalls + reconciled.failed;
  if (completed > 0) {
    deps.metrics?.record(METRIC.syncSuccessRate, (reconciled.succeededCalls / completed) * 100, 'Percent');
  }
  deps.metrics?.record(METRIC.creatorDataStaleSeconds, health.staleSeconds, 'Seconds');
  if (health.averageResponseMs !== undefined) {
    deps.metrics?.record(METRIC.creatorSyncResponseTime, health.averageResponseMs / 1000, 'Seconds');
  }
  deps.log?.info('creator sync finished', { runId, ...details, status, errors });
  return { runId, status, ...details, errors, durationMs, health };
}

interface Reconciled {
  /** Metrics updates that succeeded. */
  confirmed: number;
  /** Calls of any kind that failed for good. */
  failed: number;
  /** Calls of any kind that succeeded. */
  succeededCalls: number;
  coinsLaunched: number;
}

/**
 * How many calls the sync still waits on the outcome of: the request ids its reconciliation
 * reads (enqueued log rows, pending metrics, pending coins). None means every call it sent has been
 * reconciled, and counted in some run's `confirmed` or `failedCalls`.
 */
export async function callsAwaited(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from (
      select request_id from creator.oracle_sync_logs
      where status = 'enqueued' and operation in (${METRICS_OP}, ${COIN_OP}) and request_id is not null
      union select pending_request_id from creator.creator_chain_state where pending_request_id is not null
      union select request_id from creator.creator_coins where status = 'pending'
    ) ids`;
  return row?.n ?? 0;
}

/** Applies the delivery engine's outcomes to sync logs, chain state and coins. */
async function reconcile(deps: CreatorSyncDeps, errors: string[]): Promise<Reconciled> {
  const { sql } = deps;
  const openLogs = await sql<{ request_id: string }[]>`
    select request_id from creator.oracle_sync_logs
    where status = 'enqueued' and operation in (${METRICS_OP}, ${COIN_OP}) and request_id is not null`;
  const pendingStates = await sql<{ pending_request_id: string }[]>`
    select pending_request_id from creator.creator_chain_state where pending_request_id is not null`;
  const pendingCoins = await sql<{ creator_id: string; request_id: string; wallet_address: string }[]>`
    select k.creator_id, k.request_id, c.wallet_address
    from creator.creator_coins k join creator.creators c on c.id = k.creator_id where k.status = 'pending'`;
  const ids = new Set<string>([
    ...openLogs.map((r) => r.request_id),
    ...pendingStates.map((r) => r.pending_request_id),
    ...pendingCoins.map((r) => r.request_id),
  ]);
  if (ids.size === 0) return { confirmed: 0, failed: 0, succeededCalls: 0, coinsLaunched: 0 };
  const outcomes = [...(await deps.calls.outcomes([...ids])).values()].filter((o) => FINAL.has(o.status));
  if (outcomes.length === 0) return { confirmed: 0, failed: 0, succeededCalls: 0, coinsLaunched: 0 };

  await completeLogs(sql, outcomes);
  const succeeded = outcomes.filter((o) => o.status === 'success');
  const failed = outcomes.filter((o) => o.status === 'failed');

  if (succeeded.length > 0) {
    await sql`
      update creator.creator_chain_state s set
        confirmed_fingerprint = s.pending_fingerprint,
        confirmed_total_plays = s.pending_total_plays,
        confirmed_followers = s.pending_followers,
        confirmed_score_x100 = s.pending_score_x100,
        confirmed_revenue_atto_fil = s.pending_revenue_atto_fil,
        confirmed_at = coalesce(o.completed_at, now()),
        confirmed_tx_hash = o.tx_hash,
        pending_fingerprint = null, pending_request_id = null, pending_enqueued_at = null,
        pending_total_plays = null, pending_followers = null, pending_score_x100 = null,
        pending_revenue_atto_fil = null, updated_at = now()
      from unnest(
        ${sql.array(succeeded.map((o) => o.requestId))}::text[],
        ${sql.array(succeeded.map((o) => o.transactionHash ?? ''))}::text[],
        ${sql.array(succeeded.map((o) => (o.completedAt ?? new Date()).toISOString()))}::timestamptz[]
      ) as o(request_id, tx_hash, completed_at)
      where s.pending_request_id = o.request_id`;
  }
  const dropped = outcomes.filter((o) => o.status !== 'success').map((o) => o.requestId);
  if (dropped.length > 0) {
    // A failed call raises the generation so the same metrics go out again under a new id.
    await sql`
      update creator.creator_chain_state set
        generation = generation + case when ${sql.array(failed.map((o) => o.requestId))}::text[] @> array[pending_request_id] then 1 else 0 end,
        pending_fingerprint = null, pending_request_id = null, pending_enqueued_at = null,
        pending_total_plays = null, pending_followers = null, pending_score_x100 = null,
        pending_revenue_atto_fil = null, updated_at = now()
      where pending_request_id = any(${sql.array(dropped)}::text[])`;
  }

  let coinsLaunched = 0;
  const byRequest = new Map(outcomes.map((o) => [o.requestId, o]));
  for (const coin of pendingCoins) {
    const outcome = byRequest.get(coin.request_id);
    if (outcome === undefined) continue;
    if (outcome.status === 'success') {
      try {
        const info = await deps.contracts.getCreatorCoinInfo(coin.wallet_address);
        await sql`
          update creator.creator_coins set status = 'launched', coin_address = ${lower(info.coin)},
            tx_hash = ${outcome.transactionHash}, launched_at = ${(outcome.completedAt ?? new Date()).toISOString()}::timestamptz
          where creator_id = ${coin.creator_id} and status = 'pending'`;
        coinsLaunched++;
      } catch (error) {
        errors.push(`coin info for ${coin.wallet_address}: ${errorText(error)}`);
      }
    } else {
      await sql`
        update creator.creator_coins set status = 'failed', error = ${outcome.errorMessage ?? outcome.status}
        where creator_id = ${coin.creator_id} and status = 'pending' and request_id = ${coin.request_id}`;
    }
  }
  const coinIds = new Set(pendingCoins.map((c) => c.request_id));
  return {
    confirmed: succeeded.filter((o) => !coinIds.has(o.requestId)).length,
    failed: failed.length,
    succeededCalls: succeeded.length,
    coinsLaunched,
  };
}

async function completeLogs(sql: Sql, outcomes: readonly OracleCallOutcome[]): Promise<void> {
  await sql`
    update creator.oracle_sync_logs l set
      status = o.status,
      tx_hash = nullif(o.tx_hash, ''),
      gas_used = o.gas_used,
      block_number = o.block_number,
      retries = o.retries,
      error_code = nullif(o.error_code, ''),
      error_message = nullif(o.error_message, ''),
      duration_ms = o.duration_ms,
      completed_at = o.completed_at
    from unnest(
      ${sql.array(outcomes.map((o) => o.requestId))}::text[],
      ${sql.array(outcomes.map((o) => o.status))}::text[],
      ${sql.array(outcomes.map((o) => o.transactionHash ?? ''))}::text[],
      ${sql.array(outcomes.map((o) => String(o.gasUsed ?? '')))}::text[],
      ${sql.array(outcomes.map((o) => String(o.blockNumber ?? '')))}::text[],
      ${sql.array(outcomes.map((o) => Math.max(o.attemptCount - 1, 0)))}::int[],
      ${sql.array(outcomes.map((o) => o.errorCode ?? ''))}::text[],
      ${sql.array(outcomes.map((o) => (o.errorMessage ?? '').slice(0, 2_000)))}::text[],
      ${sql.array(outcomes.map((o) => (o.completedAt === null ? 0 : o.completedAt.getTime() - o.createdAt.getTime())))}::int[],
      ${sql.array(outcomes.map((o) => (o.completedAt ?? new Date()).toISOString()))}::timestamptz[]
    ) as o0(request_id, status, tx_hash, gas_used_text, block_text, retries, error_code, error_message, duration_ms, completed_at),
    lateral (select o0.*, nullif(o0.gas_used_text, '')::bigint as gas_used, nullif(o0.block_text, '')::bigint as block_number) o
    where l.request_id = o.request_id and l.status = 'enqueued' and l.operation in (${METRICS_OP}, ${COIN_OP})`;
}

interface ChainStateRow {
  creator_id: string;
  pending_fingerprint: string | null;
  confirmed_fingerprint: string | null;
  generation: number;
}

async function enqueueChangedMetrics(
  deps: CreatorSyncDeps,
  runId: string,
  now: Date,
  metrics: readonly CreatorMetrics[],
): Promise<{ changed: number; enqueued: number; duplicates: number }> {
  const { sql, config } = deps;
  const states = new Map(
    (
      await sql<ChainStateRow[]>`
        select creator_id, pending_fingerprint, confirmed_fingerprint, generation from creator.creator_chain_state`
    ).map((row) => [row.creator_id, row]),
  );
  const changed = metrics.filter((m) => {
    const state = states.get(m.creatorId);
    const lastSent = state?.pending_fingerprint ?? state?.confirmed_fingerprint ?? null;
    return lastSent !== m.fingerprint;
  });
  const requests: OracleCallRequest[] = changed.map((m) => ({
    requestId: metricsRequestId(
      config,
      m.walletAddress,
      m.fingerprint,
      states.get(m.creatorId)?.generation ?? 0,
    ),
    contractAddress: config.metricsManagerAddress,
    targetAddress: lower(m.walletAddress),
    functionSignature: UPDATE_CREATOR_METRICS,
    args: [
      m.walletAddress,
      m.onChain.totalPlays.toString(),
      m.onChain.followers.toString(),
      m.onChain.engagementScoreX100.toString(),
      m.onChain.monthlyRevenueAttoFil.toString(),
    ],
    supersedeKey: metricsSupersedeKey(config, m.walletAddress),
  }));
  let duplicates = 0;
  for (let i = 0; i < requests.length; i += 1_000) {
    const batch = requests.slice(i, i + 1_000);
    const batchMetrics = changed.slice(i, i + 1_000);
    const results = await deps.calls.enqueue(batch);
    duplicates += results.filter((r) => r.duplicate).length;
    const at = now.toISOString();
    await sql`
      insert into creator.creator_chain_state as s
        (creator_id, pending_fingerprint, pending_request_id, pending_enqueued_at, pending_total_plays,
         pending_followers, pending_score_x100, pending_revenue_atto_fil, updated_at)
      select d.creator_id, d.fingerprint, d.request_id, ${at}::timestamptz, d.plays, d.followers, d.score, d.revenue, now()
      from unnest(
        ${sql.array(batchMetrics.map((m) => m.creatorId))}::uuid[],
        ${sql.array(batchMetrics.map((m) => m.fingerprint))}::text[],
        ${sql.array(batch.map((r) => r.requestId))}::text[],
        ${sql.array(batchMetrics.map((m) => m.totalPlays))}::bigint[],
        ${sql.array(batchMetrics.map((m) => m.followers))}::bigint[],
        ${sql.array(batchMetrics.map((m) => m.engagement.scoreX100))}::int[],
        ${sql.array(batchMetrics.map((m) => m.monthlyRevenueAttoFil.toString()))}::numeric[]
      ) as d(creator_id, fingerprint, request_id, plays, followers, score, revenue)
      on conflict (creator_id) do update set
        pending_fingerprint = excluded.pending_fingerprint,
        pending_request_id = excluded.pending_request_id,
        pending_enqueued_at = coalesce(
          case when s.pending_request_id = excluded.pending_request_id then s.pending_enqueued_at end,
          excluded.pending_enqueued_at),
        pending_total_plays = excluded.pending_total_plays,
        pending_followers = excluded.pending_followers,
        pending_score_x100 = excluded.pending_score_x100,
        pending_revenue_atto_fil = excluded.pending_revenue_atto_fil,
        updated_at = now()`;
    await sql`
      insert into creator.oracle_sync_logs (run_id, operation, creator_id, request_id, status, details, created_at)
      select ${runId}::uuid, ${METRICS_OP}, d.creator_id, d.request_id, 'enqueued',
             jsonb_build_object('totalPlays', d.plays, 'followers', d.followers, 'engagementScoreX100', d.score,
                                'monthlyRevenueAttoFil', d.revenue),
             ${at}::timestamptz
      from unnest(
        ${sql.array(batchMetrics.map((m) => m.creatorId))}::uuid[],
        ${sql.array(batch.map((r) => r.requestId))}::text[],
        ${sql.array(batchMetrics.map((m) => m.totalPlays))}::bigint[],
        ${sql.array(batchMetrics.map((m) => m.followers))}::bigint[],
        ${sql.array(batchMetrics.map((m) => m.engagement.scoreX100))}::int[],
        ${sql.array(batchMetrics.map((m) => m.monthlyRevenueAttoFil.toString()))}::text[]
      ) as d(creator_id, request_id, plays, followers, score, revenue)
      on conflict (operation, request_id) where request_id is not null do nothing`;
  }
  // Divergence: since when the database's metrics differ from what is confirmed on-chain.
  await sql`
    update creator.creator_chain_state s set
      diverged_since = case when s.confirmed_fingerprint is distinct from d.fingerprint
                            then coalesce(s.diverged_since, ${now.toISOString()}::timestamptz) end
    from unnest(
      ${sql.array(metrics.map((m) => m.creatorId))}::uuid[],
      ${sql.array(metrics.map((m) => m.fingerprint))}::text[]
    ) as d(creator_id, fingerprint)
    where s.creator_id = d.creator_id
      and (s.diverged_since is null) = (s.confirmed_fingerprint is distinct from d.fingerprint)`;
  return { changed: changed.length, enqueued: requests.length - duplicates, duplicates };
}

async function recordMilestones(
  sql: Sql,
  runId: string,
  now: Date,
  metrics: readonly CreatorMetrics[],
  milestones: readonly Milestone[],
): Promise<number> {
  const recorded = new Map<string, string[]>();
  for (const row of await sql<{ creator_id: string; milestone: string }[]>`
    select creator_id, milestone from creator.creator_milestones`) {
    const list = recorded.get(row.creator_id) ?? [];
    list.push(row.milestone);
    recorded.set(row.creator_id, list);
  }
  const fresh = metrics.flatMap((m) =>
    newlyReachedMilestones(m, recorded.get(m.creatorId) ?? [], milestones).map((reached) => ({
      creatorId: m.creatorId,
      ...reached,
    })),
  );
  if (fresh.length === 0) return 0;
  const inserted = await sql`
    insert into creator.creator_milestones
      (creator_id, milestone, kind, threshold, value_at_reach, description, reached_at, sync_run_id)
    select d.creator_id, d.milestone, d.kind, d.threshold, d.value, d.description, ${now.toISOString()}::timestamptz, ${runId}::uuid
    from unnest(
      ${sql.array(fresh.map((f) => f.creatorId))}::uuid[],
      ${sql.array(fresh.map((f) => f.milestone.id))}::text[],
      ${sql.array(fresh.map((f) => f.milestone.kind))}::text[],
      ${sql.array(fresh.map((f) => f.milestone.threshold.toString()))}::numeric[],
      ${sql.array(fresh.map((f) => f.value.toString()))}::numeric[],
      ${sql.array(fresh.map((f) => f.milestone.description))}::text[]
    ) as d(creator_id, milestone, kind, threshold, value, description)
    on conflict (creator_id, milestone) do nothing
    returning 1`;
  return inserted.length;
}

const ANNOUNCE_BATCH = 500;

/**
 * Puts MilestoneReached on the event bus for recorded milestones not announced yet, oldest first,
 * marking each once the bus took it (`announced_at` is the outbox). A crash in between announces
 * one again under the same notification id, so nobody is notified twice.
 */
async function announceMilestones(deps: CreatorSyncDeps, now: Date): Promise<number> {
  const { sql, events } = deps;
  if (events === undefined) return 0;
  const rows = await sql<
    {
      id: number;
      creator_id: string;
      wallet_address: string;
      stage_name: string;
      milestone: string;
      description: string;
      value: string;
      reached_at: string;
    }[]
  >`
    select m.id::float8 as id, m.creator_id, c.wallet_address, c.stage_name, m.milestone, m.description,
      m.value_at_reach::text as value, m.reached_at::text
    from creator.creator_milestones m join creator.creators c on c.id = m.creator_id
    where m.announced_at is null
    order by m.id
    limit ${ANNOUNCE_BATCH}`;
  for (const row of rows) {
    await events.publish({
      type: 'MilestoneReached',
      creatorId: row.creator_id,
      creator: row.wallet_address,
      stageName: row.stage_name,
      milestone: row.milestone,
      description: row.description,
      value: row.value,
      timestamp: Math.floor(new Date(row.reached_at).getTime() / 1000),
    });
    await sql`
      update creator.creator_milestones set announced_at = ${now.toISOString()}::timestamptz
      where id = ${row.id} and announced_at is null`;
  }
  return rows.length;
}

interface CoinRow {
  creator_id: string;
  name: string;
  symbol: string;
  status: string;
  attempt: number;
  request_id: string;
  initial_supply: string;
}

async function launchEligibleCoins(
  deps: CreatorSyncDeps,
  runId: string,
  metrics: readonly CreatorMetrics[],
  errors: string[],
): Promise<{ enqueued: number; awaitingChain: number }> {
  const { sql, config } = deps;
  const coins = await sql<CoinRow[]>`
    select creator_id, name, symbol, status, attempt, request_id, initial_supply::text from creator.creator_coins`;
  const byCreator = new Map(coins.map((c) => [c.creator_id, c]));
  const candidates = metrics.filter((m) => {
    const coin = byCreator.get(m.creatorId);
    return (
      meetsCoinLaunchThresholds(m, config.coinLaunch) && (coin === undefined || coin.status === 'failed')
    );
  });
  let awaitingChain = 0;
  const ready: CreatorMetrics[] = [];
  for (const candidate of candidates) {
    try {
      if (await deps.contracts.meetsLaunchRequirements(candidate.walletAddress)) ready.push(candidate);
      else awaitingChain++;
    } catch (error) {
      errors.push(`meetsLaunchRequirements(${candidate.walletAddress}): ${errorText(error)}`);
    }
  }
  const supply = (config.coinInitialSupply ?? DEFAULT_COIN_INITIAL_SUPPLY).toString();
  const fresh = ready.filter((m) => !byCreator.has(m.creatorId));
  const identities = assignCoinIdentities(
    fresh.map((m) => ({ stageName: m.stageName, address: m.walletAddress })),
    { names: coins.map((c) => c.name), symbols: coins.map((c) => c.symbol) },
  );
  for (const [i, m] of fresh.entries()) {
    const identity = identities[i]!;
    try {
      await sql`
        insert into creator.creator_coins (creator_id, name, symbol, initial_supply, request_id, attempt, status)
        values (${m.creatorId}, ${identity.name}, ${identity.symbol}, ${supply}, ${coinRequestId(config, m.walletAddress, 1)}, 1, 'pending')
        on conflict (creator_id) do nothing`;
    } catch (error) {
      // A concurrent run reserved this name or symbol for another creator: retried next run.
      errors.push(`coin reservation for ${m.walletAddress}: ${errorText(error)}`);
    }
  }
  for (const m of ready.filter((r) => byCreator.get(r.creatorId)?.status === 'failed')) {
    const previous = byCreator.get(m.creatorId)!;
    await sql`
      update creator.creator_coins set status = 'pending', attempt = attempt + 1, error = null,
        request_id = ${coinRequestId(config, m.walletAddress, previous.attempt + 1)}
      where creator_id = ${m.creatorId} and status = 'failed' and attempt = ${previous.attempt}`;
  }
  // Every pending reservation is (re-)enqueued: a duplicate request id is a no-op, and a run that
  // stopped between reserving and enqueueing is completed by the next one.
  const pending = await sql<(CoinRow & { wallet_address: string })[]>`
    select k.creator_id, k.name, k.symbol, k.status, k.attempt, k.request_id, k.initial_supply::text, c.wallet_address
    from creator.creator_coins k join creator.creators c on c.id = k.creator_id
    where k.status = 'pending' order by c.wallet_address`;
  if (pending.length === 0) return { enqueued: 0, awaitingChain };
  const results = await deps.calls.enqueue(
    pending.map((p) => ({
      requestId: p.request_id,
      contractAddress: config.tokenFactoryAddress,
      targetAddress: lower(p.wallet_address),
      functionSignature: LAUNCH_CREATOR_COIN,
      args: [p.wallet_address, p.name, p.symbol, p.initial_supply],
    })),
  );
  await sql`
    insert into creator.oracle_sync_logs (run_id, operation, creator_id, request_id, status, details)
    select ${runId}::uuid, ${COIN_OP}, d.creator_id, d.request_id, 'enqueued', jsonb_build_object('name', d.name, 'symbol', d.symbol)
    from unnest(
      ${sql.array(pending.map((p) => p.creator_id))}::uuid[],
      ${sql.array(pending.map((p) => p.request_id))}::text[],
      ${sql.array(pending.map((p) => p.name))}::text[],
      ${sql.array(pending.map((p) => p.symbol))}::text[]
    ) as d(creator_id, request_id, name, symbol)
    on conflict (operation, request_id) where request_id is not null do nothing`;
  return { enqueued: results.filter((r) => !r.duplicate).length, awaitingChain };
}

/**
 * What each coin's holders are owed for `quarter`: 10 % of the creator's track sales and tips
 * from the later of the quarter's start and the coin's launch to the quarter's end. Revenue
 * sharing starts at 100 FIL a month (creator-metrics-oracle.md, a setting): a creator is owed a
 * distribution only if, within that period, their sales and tips reached the threshold over some
 * 30 days (a month as the oracle's monthly revenue counts one). One row per (creator, quarter),
 * written once; running it again changes nothing.
 */
export async function recordRevenueDistributions(
  sql: Sql,
  quarter: Quarter,
  options: { runId?: string; minMonthlyRevenueAttoFil?: bigint } = {},
): Promise<number> {
  const start = quarter.start.toISOString();
  const end = quarter.end.toISOString();
  const bps = Number(HOLDER_SHARE_BPS);
  const minimum = (options.minMonthlyRevenueAttoFil ?? REVENUE_SHARING_MIN_ATTO_FIL).toString();
  const rows = await sql`
    with holders as (
      select k.creator_id, greatest(${start}::timestamptz, k.launched_at) as period_start
      from creator.creator_coins k join creator.creators c on c.id = k.creator_id
      where k.status = 'launched' and k.launched_at < ${end}::timestamptz and c.deleted_at is null
    ),
    revenue as (
      select h.creator_id, p.purchased_at as at, p.amount_atto_fil as purchase, 0::numeric as tip
      from holders h join creator.track_purchases p on p.creator_id = h.creator_id
      where p.purchased_at >= h.period_start and p.purchased_at < ${end}::timestamptz
      union all
      select h.creator_id, t.created_at, 0, t.amount_atto_fil
      from holders h join creator.tips t on t.creator_id = h.creator_id
      where t.created_at >= h.period_start and t.created_at < ${end}::timestamptz
    ),
    best_month as (
      -- The most earned in any 30 days of the period: each window ending at a sale or tip.
      select creator_id, max(month) as month
      from (
        select creator_id,
               sum(purchase + tip) over (partition by creator_id order by at
                 range between interval '30 days' preceding and current row) as month
        from revenue
      ) windows
      group by creator_id
    ),
    sums as (
      select h.creator_id, h.period_start,
             coalesce(sum(r.purchase), 0) as purchases, coalesce(sum(r.tip), 0) as tips
      from holders h
      join best_month b on b.creator_id = h.creator_id and b.month >= ${minimum}::numeric
      left join revenue r on r.creator_id = h.creator_id
      group by h.creator_id, h.period_start
    )
    insert into creator.revenue_distributions
      (creator_id, quarter, period_start, period_end, purchases_atto_fil, tips_atto_fil, revenue_atto_fil,
       holder_share_bps, holder_share_atto_fil)
    select creator_id, ${quarter.id}, period_start, ${end}::timestamptz, purchases, tips, purchases + tips,
           ${bps}, div((purchases + tips) * ${bps}, 10000)
    from sums
    on conflict (creator_id, quarter) do nothing
    returning 1`;
  if (rows.length > 0 && options.runId !== undefined) {
    await sql`
      insert into creator.oracle_sync_logs (run_id, operation, status, details, completed_at)
      values (${options.runId}::uuid, 'REVENUE_DISTRIBUTION', 'success',
              ${JSON.stringify({ quarter: quarter.id, creators: rows.length })}::jsonb, now())`;
  }
  return rows.length;
}

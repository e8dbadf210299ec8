/**
 * The sync log (`creator.oracle_sync_logs`): one SYNC_RUN row per run, one row per on-chain call a
 * run enqueued (completed from the delivery engine's record), and the run history admins read.
 * A call's row is unique per (operation, request id), so a second run enqueueing the same
 * request writes no second row.
 */
import type { oracleSyncLogs } from '../../../../../../drizzle/schema/creator.ts';
import { COIN_OP, METRICS_OP } from '../../../core/creator/sync-requests.ts';
import type { OracleCallOutcome } from '../../../ports/oracle-call-gateway.ts';
import type { Queryable } from '../../../ports/sql.ts';

type SyncLog = typeof oracleSyncLogs.$inferSelect;

export async function startSyncRun(q: Queryable, runId: string, at: Date): Promise<void> {
  await q`
    insert into creator.oracle_sync_logs (run_id, operation, status, created_at)
    values (${runId}, 'SYNC_RUN', 'running', ${at.toISOString()}::timestamptz)`;
}

export interface RunCompletion {
  readonly status: string;
  readonly durationMs: number;
  readonly completedAt: Date;
  readonly errorMessage: string | null;
  /** Replaces the row's details; absent keeps them. */
  readonly details?: Record<string, unknown>;
}

export async function completeSyncRun(q: Queryable, runId: string, end: RunCompletion): Promise<void> {
  const details = end.details === undefined ? null : JSON.stringify(end.details);
  await q`
    update creator.oracle_sync_logs
    set status = ${end.status}, duration_ms = ${Math.round(end.durationMs)},
        completed_at = ${end.completedAt.toISOString()}::timestamptz,
        error_message = ${end.errorMessage === null ? null : end.errorMessage.slice(0, 2_000)},
        details = coalesce(${details}::jsonb, details)
    where run_id = ${runId} and operation = 'SYNC_RUN'`;
}

/** Merges `health` into the run's details, beside what the run recorded. */
export async function recordRunHealth(q: Queryable, runId: string, health: unknown): Promise<void> {
  await q`
    update creator.oracle_sync_logs
    set details = coalesce(details, '{}'::jsonb) || jsonb_build_object('health', ${JSON.stringify(health)}::jsonb)
    where run_id = ${runId} and operation = 'SYNC_RUN'`;
}

/** Request ids of calls logged as enqueued and not completed yet. */
export async function openCallRequestIds(q: Queryable): Promise<string[]> {
  const rows = await q<{ request_id: string }[]>`
    select request_id from creator.oracle_sync_logs
    where status = 'enqueued' and operation in (${METRICS_OP}, ${COIN_OP}) and request_id is not null`;
  return rows.map((row) => row.request_id);
}

/** Distinct request ids the sync still waits on: open log rows, pending metrics, pending coins. */
export async function countAwaitedRequests(q: Queryable): Promise<number> {
  const [row] = await q<{ n: number }[]>`
    select count(*)::int as n from (
      select request_id from creator.oracle_sync_logs
      where status = 'enqueued' and operation in (${METRICS_OP}, ${COIN_OP}) and request_id is not null
      union select pending_request_id from creator.creator_chain_state where pending_request_id is not null
      union select request_id from creator.creator_coins where status = 'pending'
    ) ids`;
  return row?.n ?? 0;
}

/** Completes the enqueued call rows with the engine's record: hash, gas, block, retries, error. */
export async function completeCallLogs(q: Queryable, outcomes: readonly OracleCallOutcome[]): Promise<void> {
  await q`
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
      ${q.array(outcomes.map((o) => o.requestId))}::text[],
      ${q.array(outcomes.map((o) => o.status))}::text[],
      ${q.array(outcomes.map((o) => o.transactionHash ?? ''))}::text[],
      ${q.array(outcomes.map((o) => String(o.gasUsed ?? '')))}::text[],
      ${q.array(outcomes.map((o) => String(o.blockNumber ?? '')))}::text[],
      ${q.array(outcomes.map((o) => Math.max(o.attemptCount - 1, 0)))}::int[],
      ${q.array(outcomes.map((o) => o.errorCode ?? ''))}::text[],
      ${q.array(outcomes.map((o) => (o.errorMessage ?? '').slice(0, 2_000)))}::text[],
      ${q.array(outcomes.map((o) => (o.completedAt === null ? 0 : o.completedAt.getTime() - o.createdAt.getTime())))}::int[],
      ${q.array(outcomes.map((o) => (o.completedAt ?? new Date()).toISOString()))}::timestamptz[]
    ) as o0(request_id, status, tx_hash, gas_used_text, block_text, retries, error_code, error_message, duration_ms, completed_at),
    lateral (select o0.*, nullif(o0.gas_used_text, '')::bigint as gas_used, nullif(o0.block_text, '')::bigint as block_number) o
    where l.request_id = o.request_id and l.status = 'enqueued' and l.operation in (${METRICS_OP}, ${COIN_OP})`;
}

/** One enqueued `updateCreatorMetrics` call, as its log row records it. */
export interface EnqueuedMetricsLog {
  readonly creatorId: string;
  readonly requestId: string;
  readonly totalPlays: number;
  readonly followers: number;
  readonly engagementScoreX100: number;
  readonly monthlyRevenueAttoFil: bigint;
}

export async function logEnqueuedMetrics(
  q: Queryable,
  runId: string,
  at: Date,
  calls: readonly EnqueuedMetricsLog[],
): Promise<void> {
  await q`
    insert into creator.oracle_sync_logs (run_id, operation, creator_id, request_id, status, details, created_at)
    select ${runId}::uuid, ${METRICS_OP}, d.creator_id, d.request_id, 'enqueued',
           jsonb_build_object('totalPlays', d.plays, 'followers', d.followers, 'engagementScoreX100', d.score,
                              'monthlyRevenueAttoFil', d.revenue),
           ${at.toISOString()}::timestamptz
    from unnest(
      ${q.array(calls.map((c) => c.creatorId))}::uuid[],
      ${q.array(calls.map((c) => c.requestId))}::text[],
      ${q.array(calls.map((c) => c.totalPlays))}::bigint[],
      ${q.array(calls.map((c) => c.followers))}::bigint[],
      ${q.array(calls.map((c) => c.engagementScoreX100))}::int[],
      ${q.array(calls.map((c) => c.monthlyRevenueAttoFil.toString()))}::text[]
    ) as d(creator_id, request_id, plays, followers, score, revenue)
    on conflict (operation, request_id) where request_id is not null do nothing`;
}

/** One enqueued `launchCreatorCoin` call: a call row always names its creator and request. */
export type EnqueuedCoinLog = { readonly [K in 'creatorId' | 'requestId']: NonNullable<SyncLog[K]> } & {
  readonly name: string;
  readonly symbol: string;
};

export async function logEnqueuedCoins(
  q: Queryable,
  runId: string,
  calls: readonly EnqueuedCoinLog[],
): Promise<void> {
  await q`
    insert into creator.oracle_sync_logs (run_id, operation, creator_id, request_id, status, details)
    select ${runId}::uuid, ${COIN_OP}, d.creator_id, d.request_id, 'enqueued', jsonb_build_object('name', d.name, 'symbol', d.symbol)
    from unnest(
      ${q.array(calls.map((c) => c.creatorId))}::uuid[],
      ${q.array(calls.map((c) => c.requestId))}::text[],
      ${q.array(calls.map((c) => c.name))}::text[],
      ${q.array(calls.map((c) => c.symbol))}::text[]
    ) as d(creator_id, request_id, name, symbol)
    on conflict (operation, request_id) where request_id is not null do nothing`;
}

export async function logRevenueDistribution(
  q: Queryable,
  runId: string,
  quarterId: string,
  creators: number,
): Promise<void> {
  await q`
    insert into creator.oracle_sync_logs (run_id, operation, status, details, completed_at)
    values (${runId}::uuid, 'REVENUE_DISTRIBUTION', 'success',
            ${JSON.stringify({ quarter: quarterId, creators })}::jsonb, now())`;
}

/** Calls completed in the hour before `at`: outcomes and the successful ones' mean duration. */
export async function callStatsLastHour(q: Queryable, at: Date) {
  const [calls] = await q<{ succeeded: number; failed: number; avg_ms: number | null }[]>`
    select count(*) filter (where status = 'success')::int as succeeded,
           count(*) filter (where status = 'failed')::int as failed,
           avg(duration_ms) filter (where status = 'success')::float8 as avg_ms
    from creator.oracle_sync_logs
    where operation in (${METRICS_OP}, ${COIN_OP}) and completed_at > ${at.toISOString()}::timestamptz - interval '1 hour'`;
  return {
    succeeded: calls?.succeeded ?? 0,
    failed: calls?.failed ?? 0,
    averageMs: calls?.avg_ms ?? undefined,
  };
}

/** When the last successful run completed, and when the first run started (undefined: none). */
export async function syncRunTimes(q: Queryable) {
  const [runs] = await q<{ last_success: string | null; first_run: string | null }[]>`
    select max(completed_at) filter (where status = 'success') as last_success, min(created_at) as first_run
    from creator.oracle_sync_logs where operation = 'SYNC_RUN'`;
  // Raw-query timestamps come back as text from the shared client.
  return {
    lastSuccess: runs?.last_success == null ? undefined : new Date(runs.last_success),
    firstRun: runs?.first_run == null ? undefined : new Date(runs.first_run),
  };
}

export interface SyncRunFilter {
  readonly since?: Date;
  /** Only runs with a smaller log id. */
  readonly before?: number;
  readonly limit: number;
}

export type SyncRunRecord = Pick<
  SyncLog,
  'id' | 'runId' | 'status' | 'durationMs' | 'createdAt' | 'completedAt'
> & {
  /** The health the run stored with its row (null: it failed before measuring). */
  readonly health: unknown;
};

/** SYNC_RUN rows, newest first. */
export async function syncRuns(q: Queryable, filter: SyncRunFilter): Promise<SyncRunRecord[]> {
  const rows = await q<
    {
      id: number;
      run_id: string;
      status: string;
      duration_ms: number | null;
      health: unknown;
      created_at: string;
      completed_at: string | null;
    }[]
  >`
    select l.id::int, l.run_id, l.status, l.duration_ms, l.details -> 'health' as health, l.created_at, l.completed_at
    from creator.oracle_sync_logs l
    where l.operation = 'SYNC_RUN'
      ${filter.since === undefined ? q`` : q`and l.created_at >= ${filter.since.toISOString()}::timestamptz`}
      ${filter.before === undefined ? q`` : q`and l.id < ${filter.before}`}
    order by l.id desc
    limit ${filter.limit}`;
  return rows.map((r) => ({
    id: r.id,
    runId: r.run_id,
    status: r.status,
    durationMs: r.duration_ms,
    createdAt: new Date(r.created_at),
    completedAt: r.completed_at === null ? null : new Date(r.completed_at),
    // jsonb comes back as text from the shared client.
    health: typeof r.health === 'string' ? JSON.parse(r.health) : r.health,
  }));
}

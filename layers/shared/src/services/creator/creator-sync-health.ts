/**
 * The creator sync's health (core/creator/sync-health.ts) over the sync log: computed after each
 * run, stored with the run's SYNC_RUN row (the health history the source's OracleMonitor keeps),
 * and read back for admins (`GET /admin/sync-health`).
 */

import { evaluateSyncHealth, type SyncHealth } from '../../core/creator/sync-health.ts';
import type { Sql } from '../../ports/sql.ts';

/** The sync log operations of the calls the sync enqueues. */
export const METRICS_OP = 'UPDATE_METRICS';
export const COIN_OP = 'LAUNCH_COIN';

export interface CreatorSyncHealth extends SyncHealth {
  /** Seconds the data has been stale by the worse of the two rules (0 when fresh). */
  readonly staleSeconds: number;
}

/** Health over the last hour of sync logs, and staleness as DESIGN.md defines it. */
export async function syncHealth(sql: Sql, now: Date): Promise<CreatorSyncHealth> {
  const at = now.toISOString();
  const [calls] = await sql<
    { succeeded: number; failed: number; failed_last_hour: number; avg_ms: number | null }[]
  >`
    select count(*) filter (where status = 'success')::int as succeeded,
           count(*) filter (where status = 'failed')::int as failed,
           count(*) filter (where status = 'failed')::int as failed_last_hour,
           avg(duration_ms) filter (where status = 'success')::float8 as avg_ms
    from creator.oracle_sync_logs
    where operation in (${METRICS_OP}, ${COIN_OP}) and completed_at > ${at}::timestamptz - interval '1 hour'`;
  const [runs] = await sql<{ last_success: string | null; first_run: string | null }[]>`
    select max(completed_at) filter (where status = 'success') as last_success, min(created_at) as first_run
    from creator.oracle_sync_logs where operation = 'SYNC_RUN'`;
  const [divergence] = await sql<{ oldest: string | null; over_limit: number }[]>`
    select min(s.diverged_since) as oldest,
           count(*) filter (where s.diverged_since < ${at}::timestamptz - interval '2 hours')::int as over_limit
    from creator.creator_chain_state s join creator.creators c on c.id = s.creator_id and c.deleted_at is null
    where s.diverged_since is not null`;
  // Raw-query timestamps come back as text from the shared client.
  const lastSuccess = runs?.last_success == null ? undefined : new Date(runs.last_success);
  const firstRun = runs?.first_run == null ? undefined : new Date(runs.first_run);
  const oldest = divergence?.oldest == null ? undefined : new Date(divergence.oldest);
  const health = evaluateSyncHealth({
    now,
    succeededCalls: calls?.succeeded ?? 0,
    failedCalls: calls?.failed ?? 0,
    failedCallsLastHour: calls?.failed_last_hour ?? 0,
    averageResponseMs: calls?.avg_ms ?? undefined,
    lastSuccessfulRunAt: lastSuccess,
    oldestDivergenceAt: oldest,
    divergedCreatorsOverLimit: divergence?.over_limit ?? 0,
  });
  // Never a successful run: stale since the first run started.
  const lastGood = lastSuccess ?? firstRun ?? now;
  const sinceRun = now.getTime() - lastGood.getTime();
  const sinceMatch = oldest === undefined ? 0 : now.getTime() - oldest.getTime();
  return { ...health, staleSeconds: Math.max(0, Math.floor(Math.max(sinceRun, sinceMatch) / 1000)) };
}

/** What is stored with a run and served: the health with its undefined values as null. */
export function healthRecord(health: CreatorSyncHealth) {
  return {
    level: health.level,
    successRate: health.successRate ?? null,
    successLevel: health.successLevel,
    failedCallsLastHour: health.failedCallsLastHour,
    failedCallsAlarm: health.failedCallsAlarm,
    averageResponseMs: health.averageResponseMs === undefined ? null : Math.round(health.averageResponseMs),
    slowResponses: health.slowResponses,
    noRecentSuccessfulRun: health.noRecentSuccessfulRun,
    divergedCreatorsOverLimit: health.divergedCreatorsOverLimit,
    stale: health.stale,
    staleSeconds: health.staleSeconds,
  };
}

export type HealthRecord = ReturnType<typeof healthRecord>;

/** Keeps the health measured at the end of a run with the run's SYNC_RUN row. */
export async function recordRunHealth(sql: Sql, runId: string, health: CreatorSyncHealth): Promise<void> {
  await sql`
    update creator.oracle_sync_logs
    set details = coalesce(details, '{}'::jsonb) || jsonb_build_object('health', ${JSON.stringify(healthRecord(health))}::jsonb)
    where run_id = ${runId} and operation = 'SYNC_RUN'`;
}

export interface HealthHistoryFilter {
  readonly since?: Date;
  /** Only runs with a smaller log id (the previous page's `nextBefore`). */
  readonly before?: number;
  readonly limit: number;
}

/** The health now, and as each run left it, newest run first. */
export async function syncHealthHistory(sql: Sql, now: Date, filter: HealthHistoryFilter) {
  const rows = await sql<
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
      ${filter.since === undefined ? sql`` : sql`and l.created_at >= ${filter.since.toISOString()}::timestamptz`}
      ${filter.before === undefined ? sql`` : sql`and l.id < ${filter.before}`}
    order by l.id desc
    limit ${filter.limit}`;
  const iso = (value: string | null) => (value === null ? null : new Date(value).toISOString());
  const runs = rows.map((r) => ({
    id: r.id,
    runId: r.run_id,
    status: r.status,
    durationMs: r.duration_ms,
    startedAt: iso(r.created_at),
    completedAt: iso(r.completed_at),
    // jsonb comes back as text from the shared client; a run that failed before measuring has none.
    health: (typeof r.health === 'string' ? JSON.parse(r.health) : r.health) as HealthRecord | null,
  }));
  return {
    current: { at: now.toISOString(), ...healthRecord(await syncHealth(sql, now)) },
    runs,
    nextBefore: runs.length === filter.limit ? runs.at(-1)?.id : undefined,
  };
}

/**
 * The creator sync's health (core/creator/sync-health.ts) over the sync log: computed after each
 * run, stored with the run's SYNC_RUN row (the health history the source's OracleMonitor keeps),
 * and read back for admins (`GET /admin/sync-health`).
 */

import { divergenceSummary } from '../../adapters/db/creator/chain-state-store.ts';
import {
  callStatsLastHour,
  recordRunHealth as storeRunHealth,
  syncRuns,
  syncRunTimes,
} from '../../adapters/db/creator/sync-log-store.ts';
import { evaluateSyncHealth, type SyncHealth } from '../../core/creator/sync-health.ts';
import type { Sql } from '../../ports/sql.ts';

export interface CreatorSyncHealth extends SyncHealth {
  /** Seconds the data has been stale by the worse of the two rules (0 when fresh). */
  readonly staleSeconds: number;
}

/** Health over the last hour of sync logs, and staleness as DESIGN.md defines it. */
export async function syncHealth(sql: Sql, now: Date): Promise<CreatorSyncHealth> {
  const calls = await callStatsLastHour(sql, now);
  const runs = await syncRunTimes(sql);
  const divergence = await divergenceSummary(sql, now);
  const health = evaluateSyncHealth({
    now,
    succeededCalls: calls.succeeded,
    failedCalls: calls.failed,
    failedCallsLastHour: calls.failed,
    averageResponseMs: calls.averageMs,
    lastSuccessfulRunAt: runs.lastSuccess,
    oldestDivergenceAt: divergence.oldest,
    divergedCreatorsOverLimit: divergence.overLimit,
  });
  // Never a successful run: stale since the first run started.
  const lastGood = runs.lastSuccess ?? runs.firstRun ?? now;
  const sinceRun = now.getTime() - lastGood.getTime();
  const sinceMatch = divergence.oldest === undefined ? 0 : now.getTime() - divergence.oldest.getTime();
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
  await storeRunHealth(sql, runId, healthRecord(health));
}

export interface HealthHistoryFilter {
  readonly since?: Date;
  /** Only runs with a smaller log id (the previous page's `nextBefore`). */
  readonly before?: number;
  readonly limit: number;
}

/** The health now, and as each run left it, newest run first. */
export async function syncHealthHistory(sql: Sql, now: Date, filter: HealthHistoryFilter) {
  const runs = (await syncRuns(sql, filter)).map((r) => ({
    id: r.id,
    runId: r.runId,
    status: r.status,
    durationMs: r.durationMs,
    startedAt: r.createdAt.toISOString(),
    completedAt: r.completedAt === null ? null : r.completedAt.toISOString(),
    // A run that failed before measuring has none.
    health: r.health as HealthRecord | null,
  }));
  return {
    current: { at: now.toISOString(), ...healthRecord(await syncHealth(sql, now)) },
    runs,
    nextBefore: runs.length === filter.limit ? runs.at(-1)?.id : undefined,
  };
}

/** The creator platform's daily statistics, rolled up from the raw tables one UTC day at a time. */
import {
  clearCreatorDailyStats,
  insertCreatorDailyStats,
  upsertPlatformDailyStats,
} from '../../adapters/db/creator/daily-stats-store.ts';
import type { Sql } from '../../ports/sql.ts';

export interface DailyRollupResult {
  readonly day: string;
  readonly creatorRows: number;
}

/**
 * Recomputes `creator_daily_stats` and `daily_stats` for one UTC day (YYYY-MM-DD) from the raw
 * tables, replacing what was there: running it twice gives the same rows.
 */
export async function rollupDailyStats(sql: Sql, day: string): Promise<DailyRollupResult> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`day must be YYYY-MM-DD, got ${day}`);
  return sql.begin(async (tx) => {
    await clearCreatorDailyStats(tx, day);
    const creatorRows = await insertCreatorDailyStats(tx, day);
    await upsertPlatformDailyStats(tx, day);
    return { day, creatorRows };
  }) as Promise<DailyRollupResult>;
}

/** Step 6 of the creator sync: what each coin's holders are owed for the last completed quarter. */
import { insertQuarterDistributions } from '../../adapters/db/creator/revenue-distribution-store.ts';
import { logRevenueDistribution } from '../../adapters/db/creator/sync-log-store.ts';
import { HOLDER_SHARE_BPS, type Quarter, REVENUE_SHARING_MIN_ATTO_FIL } from '../../core/creator/revenue.ts';
import type { Sql } from '../../ports/sql.ts';

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
  const recorded = await insertQuarterDistributions(sql, {
    quarterId: quarter.id,
    start: quarter.start,
    end: quarter.end,
    holderShareBps: Number(HOLDER_SHARE_BPS),
    minMonthlyRevenueAttoFil: options.minMonthlyRevenueAttoFil ?? REVENUE_SHARING_MIN_ATTO_FIL,
  });
  if (recorded > 0 && options.runId !== undefined) {
    await logRevenueDistribution(sql, options.runId, quarter.id, recorded);
  }
  return recorded;
}

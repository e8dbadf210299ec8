/** Pool state per (chain, pool, block) (`market.price_feeds`): a re-read writes nothing twice. */
import type { PriceFeedRow } from '../../../core/market/pool-prices.ts';
import type { Queryable } from '../../../ports/sql.ts';

/** Returns how many rows were new. */
export async function insertPriceFeeds(q: Queryable, rows: readonly PriceFeedRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const values = rows.map((row) => ({
    chain_id: row.chainId,
    pool_address: row.poolAddress,
    block_number: row.blockNumber,
    block_timestamp: row.blockTimestamp,
    reserve0: row.reserve0,
    reserve1: row.reserve1,
    price0: row.price0,
    price1: row.price1,
    price0_cumulative: row.price0Cumulative,
    price1_cumulative: row.price1Cumulative,
    cumulative_timestamp: row.cumulativeTimestamp,
  }));
  const inserted = await q`insert into market.price_feeds ${q(values)} on conflict do nothing`;
  return inserted.count;
}

/** Removes the feeds above `forkBlock`; returns how many. */
export async function deletePriceFeedsAbove(
  q: Queryable,
  chainId: number,
  forkBlock: number,
): Promise<number> {
  const removed =
    await q`delete from market.price_feeds where chain_id = ${chainId} and block_number > ${forkBlock}`;
  return removed.count;
}

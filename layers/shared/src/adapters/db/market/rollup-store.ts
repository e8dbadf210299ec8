/**
 * The hourly rollups (`market.volume_metrics`, `market.liquidity_metrics`), each replaced from a
 * bucket onward from the raw rows. Buckets are core/market/volume.ts's HOUR (3600 s), written as a
 * literal so DISTINCT ON and ORDER BY are the same expression.
 */
import type { Queryable } from '../../../ports/sql.ts';

/** Swap volume per pool and bucket, base and quote side, from bucket `from` (unix seconds) onward. */
export async function replaceVolumeRollups(q: Queryable, chainId: number, from: number): Promise<void> {
  await q`delete from market.volume_metrics where chain_id = ${chainId} and bucket_start >= ${from}`;
  await q`
    insert into market.volume_metrics
      (chain_id, pool_address, bucket_start, base_token, base_volume, quote_volume, trades)
    select t.chain_id, t.pool_address, (t.block_timestamp / 3600) * 3600, p.base_token,
      sum(case when p.base_token = p.token0 then t.amount0_in + t.amount0_out else t.amount1_in + t.amount1_out end),
      sum(case when p.base_token = p.token0 then t.amount1_in + t.amount1_out else t.amount0_in + t.amount0_out end),
      count(*)
    from market.transactions t
    join market.pools p on p.chain_id = t.chain_id and p.address = t.pool_address
    where t.chain_id = ${chainId} and t.kind = 'swap' and t.block_timestamp >= ${from}
    group by 1, 2, 3, 4`;
}

/** Reserves at the end of each bucket per pool, and the pool's value in the quote token. */
export async function replaceLiquidityRollups(q: Queryable, chainId: number, from: number): Promise<void> {
  await q`delete from market.liquidity_metrics where chain_id = ${chainId} and bucket_start >= ${from}`;
  await q`
    insert into market.liquidity_metrics (chain_id, pool_address, bucket_start, reserve0, reserve1, tvl_quote)
    select distinct on (f.pool_address, (f.block_timestamp / 3600) * 3600)
      f.chain_id, f.pool_address, (f.block_timestamp / 3600) * 3600, f.reserve0, f.reserve1,
      2 * (case when p.quote_token = p.token0 then f.reserve0 else f.reserve1 end)
    from market.price_feeds f
    join market.pools p on p.chain_id = f.chain_id and p.address = f.pool_address
    where f.chain_id = ${chainId} and f.block_timestamp >= ${from}
    order by f.pool_address, (f.block_timestamp / 3600) * 3600, f.block_number desc`;
}

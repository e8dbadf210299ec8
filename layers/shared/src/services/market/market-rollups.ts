/**
 * Hourly rollups the analytics read instead of raw transactions: volume per pool and bucket
 * (base and quote side of each swap) and the reserves at the end of each bucket. They are
 * recomputed from the first affected bucket onward, in the caller's transaction, so ingestion and
 * reorg rollback leave them consistent with the rows they summarise. Buckets are core/market/volume.ts's
 * HOUR (3600 s), written as a literal so DISTINCT ON and ORDER BY are the same expression.
 */
import type { Sql, TransactionSql } from 'postgres';
import { hourBucket } from '../../core/market/volume.ts';

type Tx = Sql | TransactionSql;

export async function refreshRollups(tx: Tx, chainId: number, fromTimestamp: number): Promise<void> {
  const bucket = hourBucket(fromTimestamp);
  await tx`delete from market.volume_metrics where chain_id = ${chainId} and bucket_start >= ${bucket}`;
  await tx`
    insert into market.volume_metrics
      (chain_id, pool_address, bucket_start, base_token, base_volume, quote_volume, trades)
    select t.chain_id, t.pool_address, (t.block_timestamp / 3600) * 3600, p.base_token,
      sum(case when p.base_token = p.token0 then t.amount0_in + t.amount0_out else t.amount1_in + t.amount1_out end),
      sum(case when p.base_token = p.token0 then t.amount1_in + t.amount1_out else t.amount0_in + t.amount0_out end),
      count(*)
    from market.transactions t
    join market.pools p on p.chain_id = t.chain_id and p.address = t.pool_address
    where t.chain_id = ${chainId} and t.kind = 'swap' and t.block_timestamp >= ${bucket}
    group by 1, 2, 3, 4`;
  await tx`delete from market.liquidity_metrics where chain_id = ${chainId} and bucket_start >= ${bucket}`;
  await tx`
    insert into market.liquidity_metrics (chain_id, pool_address, bucket_start, reserve0, reserve1, tvl_quote)
    select distinct on (f.pool_address, (f.block_timestamp / 3600) * 3600)
      f.chain_id, f.pool_address, (f.block_timestamp / 3600) * 3600, f.reserve0, f.reserve1,
      2 * (case when p.quote_token = p.token0 then f.reserve0 else f.reserve1 end)
    from market.price_feeds f
    join market.pools p on p.chain_id = f.chain_id and p.address = f.pool_address
    where f.chain_id = ${chainId} and f.block_timestamp >= ${bucket}
    order by f.pool_address, (f.block_timestamp / 3600) * 3600, f.block_number desc`;
}

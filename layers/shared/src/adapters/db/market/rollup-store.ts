/**
 * The hourly rollups (`market.volume_metrics`, `market.liquidity_metrics`), each replaced from a
 * bucket onward from the raw rows. Buckets are core/market/volume.ts's HOUR (3600 s), written as a
 * literal so DISTINCT ON and ORDER BY are the same expression.
 */
import type { volumeMetrics } from '../../../../../../drizzle/schema/market.ts';
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

/** The market's totals over buckets from `since` (unix seconds) onward, and the token with the most quote volume. */
export interface OverviewTotals {
  readonly tokens: bigint;
  readonly pools: bigint;
  /** Quote volume, base units as a decimal string. */
  readonly volume: string;
  readonly trades: bigint;
  /** The latest bucket's value of every pool in the quote token, summed. */
  readonly tvl: string;
  readonly topAddress: string | null;
  readonly topSymbol: string | null;
  readonly topVolume: string | null;
}

export async function overviewTotals(
  q: Queryable,
  chainId: number,
  since: number,
): Promise<OverviewTotals | undefined> {
  const [row] = await q<
    {
      tokens: bigint;
      pools: bigint;
      volume: string;
      trades: bigint;
      tvl: string;
      top_address: string | null;
      top_symbol: string | null;
      top_volume: string | null;
    }[]
  >`
    with volume as (
      select base_token, sum(quote_volume) as quote_volume, sum(trades) as trades
      from market.volume_metrics where chain_id = ${chainId} and bucket_start >= ${since}
      group by base_token
    ), top as (
      select v.base_token, v.quote_volume, t.symbol from volume v
      left join market.tokens t on t.chain_id = ${chainId} and t.address = v.base_token
      order by v.quote_volume desc, v.base_token limit 1
    ), tvl as (
      select distinct on (pool_address) tvl_quote from market.liquidity_metrics
      where chain_id = ${chainId} order by pool_address, bucket_start desc
    )
    select
      (select count(*) from market.tokens where chain_id = ${chainId}) as tokens,
      (select count(*) from market.pools where chain_id = ${chainId}) as pools,
      (select coalesce(sum(quote_volume), 0)::text from volume) as volume,
      (select coalesce(sum(trades), 0) from volume) as trades,
      (select coalesce(sum(tvl_quote), 0)::text from tvl) as tvl,
      (select base_token from top) as top_address,
      (select symbol from top) as top_symbol,
      (select quote_volume::text from top) as top_volume`;
  return row === undefined
    ? undefined
    : {
        tokens: row.tokens,
        pools: row.pools,
        volume: row.volume,
        trades: row.trades,
        tvl: row.tvl,
        topAddress: row.top_address,
        topSymbol: row.top_symbol,
        topVolume: row.top_volume,
      };
}

type VolumeColumns = typeof volumeMetrics.$inferSelect;

/** One bucket of a token's volume over all its pools: base units as decimal strings. */
export type VolumeBucket = Pick<VolumeColumns, 'bucketStart' | 'baseVolume' | 'quoteVolume' | 'trades'>;

/** A token's volume per bucket from `since` (unix seconds) onward, oldest first. */
export async function tokenVolumeBuckets(
  q: Queryable,
  chainId: number,
  token: string,
  since: number,
): Promise<VolumeBucket[]> {
  const rows = await q<{ bucket_start: bigint; base: string; quote: string; trades: bigint }[]>`
    select bucket_start, sum(base_volume)::text as base, sum(quote_volume)::text as quote, sum(trades) as trades
    from market.volume_metrics
    where chain_id = ${chainId} and base_token = ${token} and bucket_start >= ${since}
    group by bucket_start order by bucket_start`;
  return rows.map((row) => ({
    bucketStart: Number(row.bucket_start),
    baseVolume: row.base,
    quoteVolume: row.quote,
    trades: Number(row.trades),
  }));
}

/** Each token's volume over its pools' buckets from `since` onward (tokens with none are absent). */
export async function volumeSince(
  q: Queryable,
  chainId: number,
  tokens: readonly string[],
  since: number,
): Promise<Map<string, Pick<VolumeColumns, 'baseVolume' | 'quoteVolume' | 'trades'>>> {
  const rows = await q<{ token: string; base: string; quote: string; trades: bigint }[]>`
    select base_token as token, sum(base_volume)::text as base, sum(quote_volume)::text as quote, sum(trades) as trades
    from market.volume_metrics
    where chain_id = ${chainId} and base_token in ${q(tokens as string[])} and bucket_start >= ${since}
    group by base_token`;
  return new Map(
    rows.map((row) => [
      row.token,
      { baseVolume: row.base, quoteVolume: row.quote, trades: Number(row.trades) },
    ]),
  );
}

/**
 * The trend inputs per token in one statement: its primary pool (the one holding the most quote,
 * as the price oracle picks it) with the latest feed at or before `now`, the last feed at or before
 * 1 h, 24 h and 7 d ago, and its quote volume in the last 24 h and 7 d beside the windows before
 * them. Windows are whole hour buckets ending with the bucket of `now` (chain time).
 */
import { HOUR, hourBucket } from '../../../core/market/volume.ts';
import type { Queryable } from '../../../ports/sql.ts';

/**
 * Computed per token, so typed here: amounts and prices as decimal text; `h1_*`, `h24_*` and
 * `d7_*` (reserve0, reserve1, price, at) are null where the history does not reach back that far.
 */
export interface TokenTrendRow {
  token: string;
  symbol: string | null;
  pool: string;
  base_is_0: boolean;
  reserve0: string;
  reserve1: string;
  price: string;
  block_timestamp: bigint;
  [key: string]: unknown;
}

export async function tokenTrendRows(q: Queryable, chainId: number, now: number): Promise<TokenTrendRow[]> {
  const bucket = hourBucket(now);
  const day = 24 * HOUR;
  const week = 7 * day;
  // The last feed of the primary pool at or before `at`: what the price was then.
  const priceBefore = (alias: string, at: number) => q`
    left join lateral (
      select f.reserve0, f.reserve1, case when pp.base_is_0 then f.price0 else f.price1 end as price, f.block_timestamp
      from market.price_feeds f
      where f.chain_id = ${chainId} and f.pool_address = pp.address and f.block_timestamp <= ${at}
      order by f.block_timestamp desc, f.block_number desc limit 1
    ) ${q(alias)} on true`;
  const rows = await q<TokenTrendRow[]>`
    with primary_pool as (
      select distinct on (p.base_token) p.base_token, p.address, p.base_token = p.token0 as base_is_0,
             f.reserve0, f.reserve1, f.price0, f.price1, f.block_timestamp
      from market.pools p
      join lateral (
        select reserve0, reserve1, price0, price1, block_timestamp from market.price_feeds f
        where f.chain_id = p.chain_id and f.pool_address = p.address and f.block_timestamp <= ${now}
        order by f.block_number desc limit 1
      ) f on true
      where p.chain_id = ${chainId}
      order by p.base_token, (case when p.quote_token = p.token0 then f.reserve0 else f.reserve1 end) desc, p.address
    )
    select pp.base_token as token, t.symbol, pp.address as pool, pp.base_is_0,
           pp.reserve0::text, pp.reserve1::text,
           (case when pp.base_is_0 then pp.price0 else pp.price1 end)::text as price, pp.block_timestamp,
           h1.reserve0::text as h1_reserve0, h1.reserve1::text as h1_reserve1, h1.price::text as h1_price, h1.block_timestamp as h1_at,
           h24.reserve0::text as h24_reserve0, h24.reserve1::text as h24_reserve1, h24.price::text as h24_price, h24.block_timestamp as h24_at,
           d7.reserve0::text as d7_reserve0, d7.reserve1::text as d7_reserve1, d7.price::text as d7_price, d7.block_timestamp as d7_at,
           coalesce(v.current_24h, 0)::text as current_24h, coalesce(v.previous_24h, 0)::text as previous_24h,
           coalesce(v.current_7d, 0)::text as current_7d, coalesce(v.previous_7d, 0)::text as previous_7d
    from primary_pool pp
    left join market.tokens t on t.chain_id = ${chainId} and t.address = pp.base_token
    ${priceBefore('h1', now - HOUR)}
    ${priceBefore('h24', now - day)}
    ${priceBefore('d7', now - week)}
    left join lateral (
      select sum(quote_volume) filter (where bucket_start > ${bucket - day}) as current_24h,
             sum(quote_volume) filter (where bucket_start <= ${bucket - day} and bucket_start > ${bucket - 2 * day}) as previous_24h,
             sum(quote_volume) filter (where bucket_start > ${bucket - week}) as current_7d,
             sum(quote_volume) filter (where bucket_start <= ${bucket - week}) as previous_7d
      from market.volume_metrics v
      where v.chain_id = ${chainId} and v.base_token = pp.base_token
        and v.bucket_start > ${bucket - 2 * week} and v.bucket_start <= ${bucket}
    ) v on true`;
  return rows;
}

/**
 * Market trends in SQL over the price history and the hourly rollups: for each token, its price
 * now (the latest feed of its primary pool, the pool holding the most quote, as the price oracle
 * picks it), the last price at or before 1 h, 24 h and 7 d ago, and its quote volume in the last
 * 24 h and 7 d beside the windows before them; the math is core/market/trends.ts. Windows are whole
 * hour buckets ending with the bucket of `now` (chain time), as the volume route counts them.
 */

import { priceChangePercent, topMovers, type VolumeTrend, volumeTrend } from '../../core/market/trends.ts';
import { HOUR, hourBucket } from '../../core/market/volume.ts';
import type { Sql } from '../../ports/sql.ts';

export const PRICE_WINDOWS = { change1h: HOUR, change24h: 24 * HOUR, change7d: 7 * 24 * HOUR } as const;
export type PriceWindow = keyof typeof PRICE_WINDOWS;

export interface PriceChange {
  /** Percent, two decimals. */
  readonly changePercent: number;
  /** The price the change is measured from, and when it held (block time). */
  readonly fromPrice: string;
  readonly fromTimestamp: number;
}

export interface VolumeTrendView {
  readonly currentQuote: string;
  readonly previousQuote: string;
  readonly changePercent: number | null;
  readonly direction: VolumeTrend['direction'];
}

export interface TokenTrend {
  readonly token: string;
  readonly symbol: string | null;
  readonly pool: string;
  /** Quote per token now, decimal. */
  readonly price: string;
  readonly timestamp: number;
  /** Null where the history does not reach back over the window. */
  readonly change1h: PriceChange | null;
  readonly change24h: PriceChange | null;
  readonly change7d: PriceChange | null;
  readonly volume24h: VolumeTrendView;
  readonly volume7d: VolumeTrendView;
}

export interface MarketTrends {
  readonly asOf: number;
  readonly market: { readonly volume24h: VolumeTrendView; readonly volume7d: VolumeTrendView };
  /** By 24 h quote volume, highest first. */
  readonly tokens: readonly TokenTrend[];
  /** By 24 h price change, among every priced token. */
  readonly gainers: readonly TokenTrend[];
  readonly losers: readonly TokenTrend[];
}

interface Row {
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

const view = (trend: VolumeTrend): VolumeTrendView => ({
  currentQuote: trend.current.toString(),
  previousQuote: trend.previous.toString(),
  changePercent: trend.changePercent,
  direction: trend.direction,
});

export async function marketTrends(
  sql: Sql,
  chainId: number,
  now: number,
  options: { limit: number; movers: number },
): Promise<MarketTrends> {
  const bucket = hourBucket(now);
  const day = 24 * HOUR;
  const week = 7 * day;
  // The last feed of the primary pool at or before `at`: what the price was then.
  const priceBefore = (alias: string, at: number) => sql`
    left join lateral (
      select f.reserve0, f.reserve1, case when pp.base_is_0 then f.price0 else f.price1 end as price, f.block_timestamp
      from market.price_feeds f
      where f.chain_id = ${chainId} and f.pool_address = pp.address and f.block_timestamp <= ${at}
      order by f.block_timestamp desc, f.block_number desc limit 1
    ) ${sql(alias)} on true`;
  const rows = await sql<Row[]>`
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

  const reserves = (r0: unknown, r1: unknown, baseIs0: boolean) => {
    const [base, quote] = baseIs0 ? [r0, r1] : [r1, r0];
    return { reserveBase: BigInt(String(base)), reserveQuote: BigInt(String(quote)) };
  };
  const change = (row: Row, alias: 'h1' | 'h24' | 'd7'): PriceChange | null => {
    if (row[`${alias}_reserve0`] === null || row[`${alias}_reserve0`] === undefined) return null;
    const percent = priceChangePercent(
      reserves(row[`${alias}_reserve0`], row[`${alias}_reserve1`], row.base_is_0),
      reserves(row.reserve0, row.reserve1, row.base_is_0),
    );
    if (percent === undefined) return null;
    return {
      changePercent: percent,
      fromPrice: String(row[`${alias}_price`]),
      fromTimestamp: Number(row[`${alias}_at`]),
    };
  };
  const trends = rows.map((row): TokenTrend & { rawVolume24h: bigint } => ({
    token: row.token,
    symbol: row.symbol,
    pool: row.pool,
    price: row.price,
    timestamp: Number(row.block_timestamp),
    change1h: change(row, 'h1'),
    change24h: change(row, 'h24'),
    change7d: change(row, 'd7'),
    volume24h: view(volumeTrend(BigInt(String(row['current_24h'])), BigInt(String(row['previous_24h'])))),
    volume7d: view(volumeTrend(BigInt(String(row['current_7d'])), BigInt(String(row['previous_7d'])))),
    rawVolume24h: BigInt(String(row['current_24h'])),
  }));
  const sum = (pick: (row: Row) => unknown) =>
    rows.reduce((total, row) => total + BigInt(String(pick(row))), 0n);
  const movers = topMovers(
    trends,
    (t) => t.change24h?.changePercent,
    (t) => t.token,
    options.movers,
  );
  const strip = ({ rawVolume24h: _, ...trend }: TokenTrend & { rawVolume24h: bigint }): TokenTrend => trend;
  return {
    asOf: now,
    market: {
      volume24h: view(
        volumeTrend(
          sum((r) => r['current_24h']),
          sum((r) => r['previous_24h']),
        ),
      ),
      volume7d: view(
        volumeTrend(
          sum((r) => r['current_7d']),
          sum((r) => r['previous_7d']),
        ),
      ),
    },
    tokens: [...trends]
      .sort((a, b) =>
        a.rawVolume24h === b.rawVolume24h
          ? a.token < b.token
            ? -1
            : 1
          : a.rawVolume24h > b.rawVolume24h
            ? -1
            : 1,
      )
      .slice(0, options.limit)
      .map(strip),
    gainers: movers.gainers.map(strip),
    losers: movers.losers.map(strip),
  };
}

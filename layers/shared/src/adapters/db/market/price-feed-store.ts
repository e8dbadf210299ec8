/**
 * Pool state per (chain, pool, block) (`market.price_feeds`): a re-read writes nothing twice. A
 * token is priced from its primary pool: among the pools listing it, the one whose latest feed
 * holds the most quote.
 */
import type { marketPools, priceFeeds } from '../../../../../../drizzle/schema/market.ts';
import type { PriceFeedRow } from '../../../core/market/pool-prices.ts';
import type { PoolObservation } from '../../../core/market/twap.ts';
import type { Queryable } from '../../../ports/sql.ts';

type FeedColumns = typeof priceFeeds.$inferSelect;

/** A pool's sides and its latest feed; amounts and prices as decimal strings. */
export type PoolFeed = Pick<typeof marketPools.$inferSelect, 'token0' | 'baseToken' | 'quoteToken'> &
  Pick<
    FeedColumns,
    'poolAddress' | 'reserve0' | 'reserve1' | 'price0' | 'price1' | 'blockNumber' | 'blockTimestamp'
  >;

/** The latest price of a token's primary pool: the base token's side, as a decimal string. */
export type PrimaryPrice = Pick<FeedColumns, 'poolAddress' | 'blockNumber' | 'blockTimestamp'> & {
  readonly token: string;
  readonly price: string;
};

/** Each pool `p`'s latest feed, joined as `f`. */
function latestFeed(q: Queryable) {
  return q`join lateral (
      select * from market.price_feeds f
      where f.chain_id = p.chain_id and f.pool_address = p.address
      order by f.block_number desc limit 1
    ) f on true`;
}

/** The primary pool first: the one whose latest feed `f` holds the most quote, then by address. */
function byQuoteReserve(q: Queryable) {
  return q`(case when p.quote_token = p.token0 then f.reserve0 else f.reserve1 end) desc, p.address`;
}

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

/** The primary pool of `token` with its latest feed (undefined: no pool listing it has a feed). */
export async function primaryPoolFeed(
  q: Queryable,
  chainId: number,
  token: string,
): Promise<PoolFeed | undefined> {
  const [row] = await q<
    {
      pool_address: string;
      token0: string;
      base_token: string;
      quote_token: string;
      reserve0: string;
      reserve1: string;
      price0: string;
      price1: string;
      block_number: bigint;
      block_timestamp: bigint;
    }[]
  >`
    select p.address as pool_address, p.token0, p.base_token, p.quote_token,
           f.reserve0::text, f.reserve1::text, f.price0::text, f.price1::text, f.block_number, f.block_timestamp
    from market.pools p
    ${latestFeed(q)}
    where p.chain_id = ${chainId} and p.base_token = ${token}
    order by ${byQuoteReserve(q)}
    limit 1`;
  return row === undefined
    ? undefined
    : {
        poolAddress: row.pool_address,
        token0: row.token0,
        baseToken: row.base_token,
        quoteToken: row.quote_token,
        reserve0: row.reserve0,
        reserve1: row.reserve1,
        price0: row.price0,
        price1: row.price1,
        blockNumber: Number(row.block_number),
        blockTimestamp: Number(row.block_timestamp),
      };
}

/** The latest price of each token's primary pool, in one statement (tokens with none are absent). */
export async function primaryPrices(
  q: Queryable,
  chainId: number,
  tokens: readonly string[],
): Promise<Map<string, PrimaryPrice>> {
  const rows = await q<
    { token: string; pool: string; price: string; block_number: bigint; block_timestamp: bigint }[]
  >`
    select distinct on (p.base_token) p.base_token as token, p.address as pool,
      (case when p.base_token = p.token0 then f.price0 else f.price1 end)::text as price,
      f.block_number, f.block_timestamp
    from market.pools p
    ${latestFeed(q)}
    where p.chain_id = ${chainId} and p.base_token in ${q(tokens as string[])}
    order by p.base_token, ${byQuoteReserve(q)}`;
  return new Map(
    rows.map((row) => [
      row.token,
      {
        token: row.token,
        poolAddress: row.pool,
        price: row.price,
        blockNumber: Number(row.block_number),
        blockTimestamp: Number(row.block_timestamp),
      },
    ]),
  );
}

/** A pool's observations covering [start, end]: the last one at or before start, and all after, in block order. */
export async function observationsCovering(
  q: Queryable,
  chainId: number,
  pool: string,
  start: number,
  end: number,
): Promise<PoolObservation[]> {
  const rows = await q<
    {
      reserve0: string;
      reserve1: string;
      price0_cumulative: string;
      price1_cumulative: string;
      cumulative_timestamp: bigint;
    }[]
  >`
    select reserve0::text, reserve1::text, price0_cumulative::text, price1_cumulative::text, cumulative_timestamp
    from market.price_feeds
    where chain_id = ${chainId} and pool_address = ${pool} and cumulative_timestamp <= ${end}
      and cumulative_timestamp >= coalesce((
        select max(cumulative_timestamp) from market.price_feeds
        where chain_id = ${chainId} and pool_address = ${pool} and cumulative_timestamp <= ${start}), ${start})
    order by block_number`;
  return rows.map((row) => ({
    reserve0: BigInt(row.reserve0),
    reserve1: BigInt(row.reserve1),
    price0Cumulative: BigInt(row.price0_cumulative),
    price1Cumulative: BigInt(row.price1_cumulative),
    cumulativeTimestamp: Number(row.cumulative_timestamp),
  }));
}

/** A pool's last `limit` prices of one side (`price0` when `side0`), newest first. */
export async function poolPriceHistory(
  q: Queryable,
  chainId: number,
  pool: string,
  side0: boolean,
  limit: number,
): Promise<(Pick<FeedColumns, 'blockNumber' | 'blockTimestamp'> & { price: string })[]> {
  const column = side0 ? q`price0` : q`price1`;
  const rows = await q<{ block_number: bigint; block_timestamp: bigint; price: string }[]>`
    select block_number, block_timestamp, ${column}::text as price from market.price_feeds
    where chain_id = ${chainId} and pool_address = ${pool}
    order by block_number desc limit ${limit}`;
  return rows.map((row) => ({
    blockNumber: Number(row.block_number),
    blockTimestamp: Number(row.block_timestamp),
    price: row.price,
  }));
}

/** The latest reserves of a coin's pool against `fil`, and both tokens' decimals (18 where unknown). */
export interface FilPoolReserves {
  readonly coin: string;
  /** Base units as decimal strings. */
  readonly reserveCoin: string;
  readonly reserveFil: string;
  readonly coinDecimals: number;
  readonly filDecimals: number;
}

/** For each coin paired with `fil`, its pool holding the most FIL (coins with none are absent). */
export async function filPoolReserves(
  q: Queryable,
  chainId: number,
  fil: string,
  coins: readonly string[],
): Promise<FilPoolReserves[]> {
  const rows = await q<
    { coin: string; reserve_coin: string; reserve_fil: string; coin_decimals: number; fil_decimals: number }[]
  >`
    select distinct on (x.coin) x.coin, x.reserve_coin, x.reserve_fil, x.coin_decimals, x.fil_decimals
    from (
      select case when p.token0 = ${fil} then p.token1 else p.token0 end as coin, p.address,
             (case when p.token0 = ${fil} then f.reserve1 else f.reserve0 end)::text as reserve_coin,
             case when p.token0 = ${fil} then f.reserve0 else f.reserve1 end as fil_reserve,
             (case when p.token0 = ${fil} then f.reserve0 else f.reserve1 end)::text as reserve_fil,
             coalesce(c.decimals, 18) as coin_decimals, coalesce(q.decimals, 18) as fil_decimals
      from market.pools p
      ${latestFeed(q)}
      left join market.tokens c
        on c.chain_id = p.chain_id and c.address = case when p.token0 = ${fil} then p.token1 else p.token0 end
      left join market.tokens q on q.chain_id = p.chain_id and q.address = ${fil}
      where p.chain_id = ${chainId}
        and ((p.token0 = ${fil} and p.token1 = any(${coins as string[]}::text[]))
          or (p.token1 = ${fil} and p.token0 = any(${coins as string[]}::text[])))
    ) x
    order by x.coin, x.fil_reserve desc, x.address`;
  return rows.map((row) => ({
    coin: row.coin,
    reserveCoin: row.reserve_coin,
    reserveFil: row.reserve_fil,
    coinDecimals: row.coin_decimals,
    filDecimals: row.fil_decimals,
  }));
}

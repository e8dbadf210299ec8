/**
 * The price oracle: a token's current price from its most liquid pool's latest reserves, and
 * TWAPs over a window from the pool's cumulative prices (core/market/twap.ts), stored in
 * `twap_calculations`. "Now" for a TWAP is the newest block the poller read, so the answer is a
 * function of the chain, not of the server's clock.
 */

import { type PoolObservation, twapOverWindow, x112ToDecimal } from '../../core/market/twap.ts';
import { NotFoundError, OracleError } from '../../errors.ts';
import type { Sql } from '../../ports/sql.ts';

/** The history stored does not reach back over the window asked for. */
export class InsufficientHistoryError extends OracleError {
  readonly code = 'INSUFFICIENT_HISTORY';
  readonly httpStatus = 422;
}

export interface TokenPrice {
  readonly tokenAddress: string;
  readonly poolAddress: string;
  readonly quoteToken: string;
  readonly price: string;
  readonly reserveBase: string;
  readonly reserveQuote: string;
  readonly blockNumber: number;
  readonly timestamp: number;
}

interface PoolFeedRow {
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
}

/** The pool a token is priced from: among pools listing it, the one holding the most quote. */
async function primaryPool(sql: Sql, chainId: number, token: string): Promise<PoolFeedRow> {
  const rows = await sql<PoolFeedRow[]>`
    select p.address as pool_address, p.token0, p.base_token, p.quote_token,
           f.reserve0::text, f.reserve1::text, f.price0::text, f.price1::text, f.block_number, f.block_timestamp
    from market.pools p
    join lateral (
      select * from market.price_feeds f
      where f.chain_id = p.chain_id and f.pool_address = p.address
      order by f.block_number desc limit 1
    ) f on true
    where p.chain_id = ${chainId} and p.base_token = ${token.toLowerCase()}
    order by (case when p.quote_token = p.token0 then f.reserve0 else f.reserve1 end) desc, p.address
    limit 1`;
  const row = rows[0];
  if (row === undefined) throw new NotFoundError(`no priced pool lists token ${token}`);
  return row;
}

export async function currentPrice(sql: Sql, chainId: number, token: string): Promise<TokenPrice> {
  const row = await primaryPool(sql, chainId, token);
  const baseIs0 = row.base_token === row.token0;
  return {
    tokenAddress: row.base_token,
    poolAddress: row.pool_address,
    quoteToken: row.quote_token,
    price: baseIs0 ? row.price0 : row.price1,
    reserveBase: baseIs0 ? row.reserve0 : row.reserve1,
    reserveQuote: baseIs0 ? row.reserve1 : row.reserve0,
    blockNumber: Number(row.block_number),
    timestamp: Number(row.block_timestamp),
  };
}

export interface TwapResult {
  readonly tokenAddress: string;
  readonly poolAddress: string;
  readonly windowSeconds: number;
  readonly start: number;
  readonly end: number;
  readonly twap: string;
  readonly twapX112: string;
}

/** Loads the observations covering [start, end]: the last one at or before start, and all after. */
async function observationsSince(
  sql: Sql,
  chainId: number,
  pool: string,
  start: number,
  end: number,
): Promise<PoolObservation[]> {
  const rows = await sql<
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

export async function latestChainTime(sql: Sql, chainId: number): Promise<number | undefined> {
  const [row] = await sql<{ timestamp: bigint | null }[]>`
    select max(timestamp) as timestamp from market.chain_blocks where chain_id = ${chainId}`;
  return row?.timestamp === null || row?.timestamp === undefined ? undefined : Number(row.timestamp);
}

export async function computeTwap(
  sql: Sql,
  chainId: number,
  token: string,
  windowSeconds: number,
  options: { end?: number; store?: boolean } = {},
): Promise<TwapResult> {
  const pool = await primaryPool(sql, chainId, token);
  const end = options.end ?? (await latestChainTime(sql, chainId)) ?? Number(pool.block_timestamp);
  const start = end - windowSeconds;
  const history = await observationsSince(sql, chainId, pool.pool_address, start, end);
  const twap = twapOverWindow(history, end, windowSeconds);
  if (twap === undefined) {
    throw new InsufficientHistoryError(
      `price history of ${token} does not reach back ${windowSeconds} s (window ${start}..${end})`,
      { details: { firstObservation: history[0]?.cumulativeTimestamp ?? null } },
    );
  }
  const decimals = await sql<{ address: string; decimals: number }[]>`
    select address, decimals from market.tokens
    where chain_id = ${chainId} and address in ${sql([pool.base_token, pool.quote_token])}`;
  const decimalsOf = (address: string) => decimals.find((row) => row.address === address)?.decimals ?? 18;
  const baseIs0 = pool.base_token === pool.token0;
  const twapX112 = baseIs0 ? twap.price0X112 : twap.price1X112;
  const result: TwapResult = {
    tokenAddress: pool.base_token,
    poolAddress: pool.pool_address,
    windowSeconds,
    start,
    end,
    twapX112: twapX112.toString(),
    twap: x112ToDecimal(twapX112, decimalsOf(pool.base_token), decimalsOf(pool.quote_token)),
  };
  if (options.store !== false) {
    await sql`
      insert into market.twap_calculations
        (chain_id, pool_address, token_address, window_seconds, start_timestamp, end_timestamp, twap_x112, twap)
      values (${chainId}, ${result.poolAddress}, ${result.tokenAddress}, ${windowSeconds}, ${start}, ${end},
              ${result.twapX112}, ${result.twap})
      on conflict do nothing`;
  }
  return result;
}

/** Price history of a token's primary pool, newest first. */
export async function priceHistory(
  sql: Sql,
  chainId: number,
  token: string,
  limit: number,
): Promise<{ blockNumber: number; timestamp: number; price: string }[]> {
  const pool = await primaryPool(sql, chainId, token);
  const column = pool.base_token === pool.token0 ? sql`price0` : sql`price1`;
  const rows = await sql<{ block_number: bigint; block_timestamp: bigint; price: string }[]>`
    select block_number, block_timestamp, ${column}::text as price from market.price_feeds
    where chain_id = ${chainId} and pool_address = ${pool.pool_address}
    order by block_number desc limit ${limit}`;
  return rows.map((row) => ({
    blockNumber: Number(row.block_number),
    timestamp: Number(row.block_timestamp),
    price: row.price,
  }));
}

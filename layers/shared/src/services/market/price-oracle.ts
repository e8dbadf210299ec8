/**
 * The price oracle: a token's current price from its most liquid pool's latest reserves, and
 * TWAPs over a window from the pool's cumulative prices (core/market/twap.ts), stored in
 * `twap_calculations`. "Now" for a TWAP is the newest block the poller read, so the answer is a
 * function of the chain, not of the server's clock.
 */

import { latestBlockTime } from '../../adapters/db/market/chain-block-store.ts';
import { tokensByAddress } from '../../adapters/db/market/pool-store.ts';
import {
  observationsCovering,
  type PoolFeed,
  poolPriceHistory,
  primaryPoolFeed,
} from '../../adapters/db/market/price-feed-store.ts';
import { insertTwap } from '../../adapters/db/market/twap-store.ts';
import { baseSide } from '../../core/market/pool-prices.ts';
import { twapOverWindow, x112ToDecimal } from '../../core/market/twap.ts';
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

/** The pool a token is priced from: among pools listing it, the one holding the most quote. */
async function primaryPool(sql: Sql, chainId: number, token: string): Promise<PoolFeed> {
  const pool = await primaryPoolFeed(sql, chainId, token.toLowerCase());
  if (pool === undefined) throw new NotFoundError(`no priced pool lists token ${token}`);
  return pool;
}

export async function currentPrice(sql: Sql, chainId: number, token: string): Promise<TokenPrice> {
  const pool = await primaryPool(sql, chainId, token);
  const side = baseSide(pool);
  return {
    tokenAddress: pool.baseToken,
    poolAddress: pool.poolAddress,
    quoteToken: pool.quoteToken,
    price: side.price,
    reserveBase: side.reserveBase,
    reserveQuote: side.reserveQuote,
    blockNumber: pool.blockNumber,
    timestamp: pool.blockTimestamp,
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

export async function latestChainTime(sql: Sql, chainId: number): Promise<number | undefined> {
  return latestBlockTime(sql, chainId);
}

export async function computeTwap(
  sql: Sql,
  chainId: number,
  token: string,
  windowSeconds: number,
  options: { end?: number; store?: boolean } = {},
): Promise<TwapResult> {
  const pool = await primaryPool(sql, chainId, token);
  const end = options.end ?? (await latestChainTime(sql, chainId)) ?? pool.blockTimestamp;
  const start = end - windowSeconds;
  const history = await observationsCovering(sql, chainId, pool.poolAddress, start, end);
  const twap = twapOverWindow(history, end, windowSeconds);
  if (twap === undefined) {
    throw new InsufficientHistoryError(
      `price history of ${token} does not reach back ${windowSeconds} s (window ${start}..${end})`,
      { details: { firstObservation: history[0]?.cumulativeTimestamp ?? null } },
    );
  }
  const decimals = await tokensByAddress(sql, chainId, [pool.baseToken, pool.quoteToken]);
  const decimalsOf = (address: string) => decimals.find((row) => row.address === address)?.decimals ?? 18;
  const baseIs0 = pool.baseToken === pool.token0;
  const twapX112 = baseIs0 ? twap.price0X112 : twap.price1X112;
  const result: TwapResult = {
    tokenAddress: pool.baseToken,
    poolAddress: pool.poolAddress,
    windowSeconds,
    start,
    end,
    twapX112: twapX112.toString(),
    twap: x112ToDecimal(twapX112, decimalsOf(pool.baseToken), decimalsOf(pool.quoteToken)),
  };
  if (options.store !== false) {
    await insertTwap(sql, {
      chainId,
      poolAddress: result.poolAddress,
      tokenAddress: result.tokenAddress,
      windowSeconds,
      startTimestamp: start,
      endTimestamp: end,
      twapX112: result.twapX112,
      twap: result.twap,
    });
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
  const rows = await poolPriceHistory(sql, chainId, pool.poolAddress, pool.baseToken === pool.token0, limit);
  return rows.map((row) => ({
    blockNumber: row.blockNumber,
    timestamp: row.blockTimestamp,
    price: row.price,
  }));
}

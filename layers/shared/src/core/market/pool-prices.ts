/**
 * Prices from a pool's observed state: each feed row's decimal prices of token0 in token1 and the
 * reverse (what history and charts show), and the PriceUpdated event per pool, the latest feed's
 * price of the base token in the quote token.
 */

import type { ChainBlock } from '../../ports/market-chain.ts';
import { ATTO_PER_FIL } from '../creator/milestones.ts';
import type { PriceUpdatedEvent } from '../events/domain-events.ts';
import { DEFAULT_DECIMALS, type PoolSides } from './market-log-rows.ts';
import { type PoolObservation, spotPriceX112, wholeTokenSpotPrice, x112ToDecimal } from './twap.ts';

/** A pool's state at the end of a block, as stored: amounts and prices as decimal strings. */
export interface PriceFeedRow {
  readonly chainId: number;
  readonly poolAddress: string;
  readonly blockNumber: number;
  readonly blockTimestamp: number;
  readonly reserve0: string;
  readonly reserve1: string;
  /** Price of one whole token0 in whole token1 ('0' for an empty pool), and the reverse. */
  readonly price0: string;
  readonly price1: string;
  readonly price0Cumulative: string;
  readonly price1Cumulative: string;
  readonly cumulativeTimestamp: number;
}

export interface PoolStateAtBlock {
  readonly pool: string;
  readonly block: number;
  readonly state: PoolObservation;
}

/** Whole `reserveIn`-side tokens in whole other-side tokens; '0' while the side is empty. */
function decimalPrice(
  reserveIn: bigint,
  reserveOut: bigint,
  decimalsIn: number,
  decimalsOut: number,
): string {
  return reserveIn > 0n ? x112ToDecimal(spotPriceX112(reserveIn, reserveOut), decimalsIn, decimalsOut) : '0';
}

/** Feed rows for the observed states; a pool not in `pools` is priced with 18 decimals each side. */
export function priceFeedRows(
  chainId: number,
  observations: readonly PoolStateAtBlock[],
  pools: ReadonlyMap<string, PoolSides>,
  blocks: ReadonlyMap<number, ChainBlock>,
): PriceFeedRow[] {
  return observations.map(({ pool, block, state }) => {
    const sides = pools.get(pool);
    const decimals0 = sides?.decimals0 ?? DEFAULT_DECIMALS;
    const decimals1 = sides?.decimals1 ?? DEFAULT_DECIMALS;
    const timestamp = blocks.get(block)?.timestamp;
    if (timestamp === undefined) throw new RangeError(`no block ${block} for pool ${pool}`);
    return {
      chainId,
      poolAddress: pool,
      blockNumber: block,
      blockTimestamp: timestamp,
      reserve0: state.reserve0.toString(),
      reserve1: state.reserve1.toString(),
      price0: decimalPrice(state.reserve0, state.reserve1, decimals0, decimals1),
      price1: decimalPrice(state.reserve1, state.reserve0, decimals1, decimals0),
      price0Cumulative: state.price0Cumulative.toString(),
      price1Cumulative: state.price1Cumulative.toString(),
      cumulativeTimestamp: state.cumulativeTimestamp,
    };
  });
}

/**
 * One PriceUpdated per known, non-empty pool: its latest feed's price of the base token in the
 * quote token.
 */
export function latestPriceUpdates(
  chainId: number,
  feeds: readonly PriceFeedRow[],
  pools: ReadonlyMap<string, PoolSides>,
): PriceUpdatedEvent[] {
  const latest = new Map<string, PriceFeedRow>();
  for (const row of feeds) {
    const previous = latest.get(row.poolAddress);
    if (previous === undefined || previous.blockNumber < row.blockNumber) latest.set(row.poolAddress, row);
  }
  const updates: PriceUpdatedEvent[] = [];
  for (const row of latest.values()) {
    const sides = pools.get(row.poolAddress);
    const reserve0 = BigInt(row.reserve0);
    const reserve1 = BigInt(row.reserve1);
    if (sides === undefined || reserve0 === 0n) continue;
    const baseIs0 = sides.baseToken === sides.token0;
    const priceX112 = baseIs0 ? spotPriceX112(reserve0, reserve1) : spotPriceX112(reserve1, reserve0);
    updates.push({
      type: 'PriceUpdated',
      chainId,
      tokenAddress: sides.baseToken,
      poolAddress: row.poolAddress,
      quoteToken: sides.quoteToken,
      price: baseIs0 ? row.price0 : row.price1,
      priceX112: priceX112.toString(),
      blockNumber: row.blockNumber,
      timestamp: row.blockTimestamp,
    });
  }
  return updates;
}

/** A pool's latest state: its sides and reserves, and its decimal prices each way. */
export interface PoolState {
  readonly token0: string;
  readonly baseToken: string;
  readonly reserve0: string;
  readonly reserve1: string;
  readonly price0: string;
  readonly price1: string;
}

/** The pool seen from its base (listed) token: the base token's price in the quote token, and each side's reserve. */
export function baseSide(pool: PoolState): { price: string; reserveBase: string; reserveQuote: string } {
  const baseIs0 = pool.baseToken === pool.token0;
  return {
    price: baseIs0 ? pool.price0 : pool.price1,
    reserveBase: baseIs0 ? pool.reserve0 : pool.reserve1,
    reserveQuote: baseIs0 ? pool.reserve1 : pool.reserve0,
  };
}

/**
 * A creator coin's price in attoFIL per whole coin from its pool against the token standing for
 * FIL (taken one to one: its base units scaled to 18 decimals); undefined for an empty pool.
 */
export function attoFilPerCoin(
  reserveCoin: bigint,
  reserveFil: bigint,
  coinDecimals: number,
  filDecimals: number,
): bigint | undefined {
  const inFilUnits = wholeTokenSpotPrice(reserveCoin, reserveFil, coinDecimals);
  if (inFilUnits === undefined) return undefined;
  return (inFilUnits * ATTO_PER_FIL) / 10n ** BigInt(filDecimals);
}

import { describe, expect, it } from 'vitest';
import type { PoolSides } from '../../../layers/shared/src/core/market/market-log-rows.ts';
import {
  attoFilPerCoin,
  baseSide,
  latestPriceUpdates,
  priceFeedRows,
} from '../../../layers/shared/src/core/market/pool-prices.ts';
import { Q112 } from '../../../layers/shared/src/core/market/twap.ts';
import type { ChainBlock } from '../../../layers/shared/src/ports/market-chain.ts';

const POOL = '0xpool';
const TOKEN = '0xtoken';
const QUOTE = '0xquote';
const blocks = new Map<number, ChainBlock>([
  [10, { number: 10, hash: '0x10', timestamp: 1_000 }],
  [11, { number: 11, hash: '0x11', timestamp: 1_012 }],
]);
const state = (reserve0: bigint, reserve1: bigint) => ({
  reserve0,
  reserve1,
  price0Cumulative: 123n,
  price1Cumulative: 456n,
  cumulativeTimestamp: 999,
});
const sides = (baseToken: string, decimals0 = 18, decimals1 = 18): PoolSides => ({
  address: POOL,
  token0: TOKEN,
  token1: QUOTE,
  baseToken,
  quoteToken: baseToken === TOKEN ? QUOTE : TOKEN,
  decimals0,
  decimals1,
});

describe('price feed rows', () => {
  it('price each side in the other in whole tokens, scaled by both tokens’ decimals', () => {
    // 1 whole token0 (6 decimals) = 1e6 base units against 2e18 base units of token1: 2 token1 each.
    const pools = new Map([[POOL, sides(TOKEN, 6, 18)]]);
    const [row] = priceFeedRows(
      7,
      [{ pool: POOL, block: 10, state: state(1_000_000n, 2n * 10n ** 18n) }],
      pools,
      blocks,
    );
    expect(row).toEqual({
      chainId: 7,
      poolAddress: POOL,
      blockNumber: 10,
      blockTimestamp: 1_000,
      reserve0: '1000000',
      reserve1: '2000000000000000000',
      price0: '2',
      // UQ112x112 floors: a half of a 10^-12 ratio is not exact in binary.
      price1: '0.499999999999999999',
      price0Cumulative: '123',
      price1Cumulative: '456',
      cumulativeTimestamp: 999,
    });
  });

  it('price an empty side at 0 instead of dividing by it', () => {
    const [row] = priceFeedRows(7, [{ pool: POOL, block: 10, state: state(0n, 5n) }], new Map(), blocks);
    expect([row?.price0, row?.price1]).toEqual(['0', '0']);
  });

  it('price a pool not known yet with 18 decimals on both sides', () => {
    const [row] = priceFeedRows(7, [{ pool: POOL, block: 10, state: state(4n, 10n) }], new Map(), blocks);
    // 0.4 is not exact in UQ112x112, which floors.
    expect([row?.price0, row?.price1]).toEqual(['2.5', '0.399999999999999999']);
  });
});

describe('price updates', () => {
  const feeds = priceFeedRows(
    7,
    [
      { pool: POOL, block: 11, state: state(4n, 10n) },
      { pool: POOL, block: 10, state: state(1n, 1n) },
    ],
    new Map(),
    blocks,
  );

  it('announce each pool once, at its latest block, priced as base in quote', () => {
    const updates = latestPriceUpdates(7, feeds, new Map([[POOL, sides(TOKEN)]]));
    expect(updates).toEqual([
      {
        type: 'PriceUpdated',
        chainId: 7,
        tokenAddress: TOKEN,
        poolAddress: POOL,
        quoteToken: QUOTE,
        price: '2.5',
        priceX112: ((10n * Q112) / 4n).toString(),
        blockNumber: 11,
        timestamp: 1_012,
      },
    ]);
  });

  it('invert the price when the listed token is token1', () => {
    const [update] = latestPriceUpdates(7, feeds, new Map([[POOL, sides(QUOTE)]]));
    expect([update?.tokenAddress, update?.price, update?.priceX112]).toEqual([
      QUOTE,
      '0.399999999999999999',
      ((4n * Q112) / 10n).toString(),
    ]);
  });

  it('say nothing for a pool without reserves or one not known', () => {
    const empty = priceFeedRows(7, [{ pool: POOL, block: 10, state: state(0n, 0n) }], new Map(), blocks);
    expect(latestPriceUpdates(7, empty, new Map([[POOL, sides(TOKEN)]]))).toEqual([]);
    expect(latestPriceUpdates(7, feeds, new Map())).toEqual([]);
  });
});

describe('a pool seen from its base token', () => {
  const pool = { token0: TOKEN, reserve0: '100', reserve1: '250', price0: '2.5', price1: '0.4' };

  it('takes the base side’s price and reserves, whichever side the base token is', () => {
    expect(baseSide({ ...pool, baseToken: TOKEN })).toEqual({
      price: '2.5',
      reserveBase: '100',
      reserveQuote: '250',
    });
    expect(baseSide({ ...pool, baseToken: QUOTE })).toEqual({
      price: '0.4',
      reserveBase: '250',
      reserveQuote: '100',
    });
  });
});

describe('a creator coin in attoFIL', () => {
  it('prices one whole coin from the FIL pool, scaling the FIL token to 18 decimals', () => {
    // 1000 coins (18 decimals) against 50 FIL: 0.05 FIL a coin.
    expect(attoFilPerCoin(1000n * 10n ** 18n, 50n * 10n ** 18n, 18, 18)).toBe(5n * 10n ** 16n);
    // The same pool with a 6-decimal FIL token and a 6-decimal coin.
    expect(attoFilPerCoin(1000n * 10n ** 6n, 50n * 10n ** 6n, 6, 6)).toBe(5n * 10n ** 16n);
  });

  it('has no price for an empty pool', () => {
    expect(attoFilPerCoin(0n, 50n, 18, 18)).toBeUndefined();
    expect(attoFilPerCoin(50n, 0n, 18, 18)).toBeUndefined();
  });
});

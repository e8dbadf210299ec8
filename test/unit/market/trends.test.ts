import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type PoolReserves,
  priceChangePercent,
  topMovers,
  volumeTrend,
} from '../../../layers/shared/src/core/market/trends.ts';

const at = (base: bigint, quote: bigint): PoolReserves => ({ reserveBase: base, reserveQuote: quote });

describe('price change', () => {
  it('is the change of quote per base between two pool states, in percent to two decimals', () => {
    expect(priceChangePercent(at(100n, 50n), at(100n, 60n))).toBe(20);
    expect(priceChangePercent(at(100n, 50n), at(125n, 50n))).toBe(-20);
    expect(priceChangePercent(at(300n, 100n), at(300n, 101n))).toBe(1);
    // A rise of 2/3 of a percent rounds to 0.67.
    expect(
      priceChangePercent(
        at(3n * 10n ** 20n, 10n ** 20n),
        at(3n * 10n ** 20n, 10n ** 20n + 10n ** 20n / 150n),
      ),
    ).toBe(0.67);
    expect(priceChangePercent(at(100n, 50n), at(100n, 50n))).toBe(0);
  });

  it('has no answer for an empty pool', () => {
    expect(priceChangePercent(at(0n, 50n), at(100n, 60n))).toBeUndefined();
    expect(priceChangePercent(at(100n, 50n), at(100n, 0n))).toBeUndefined();
  });

  it('ignores the size of the pool: only the ratio counts', () => {
    const reserve = fc.bigInt({ min: 1n, max: 10n ** 30n });
    fc.assert(
      fc.property(
        reserve,
        reserve,
        reserve,
        reserve,
        fc.bigInt({ min: 1n, max: 1000n }),
        (b0, q0, b1, q1, k) => {
          expect(priceChangePercent(at(b0, q0), at(b1, q1))).toBe(
            priceChangePercent(at(b0 * k, q0 * k), at(b1, q1)),
          );
        },
      ),
    );
  });

  it('is above -100 % for any move, and positive exactly when the price rose', () => {
    const reserve = fc.bigInt({ min: 1n, max: 10n ** 24n });
    fc.assert(
      fc.property(reserve, reserve, reserve, reserve, (b0, q0, b1, q1) => {
        const change = priceChangePercent(at(b0, q0), at(b1, q1))!;
        expect(change).toBeGreaterThanOrEqual(-100);
        if (q1 * b0 > q0 * b1) expect(change).toBeGreaterThanOrEqual(0);
        if (q1 * b0 < q0 * b1) expect(change).toBeLessThanOrEqual(0);
      }),
    );
  });
});

describe('volume trend', () => {
  it('compares a window with the one before it', () => {
    expect(volumeTrend(150n, 100n)).toEqual({
      current: 150n,
      previous: 100n,
      changePercent: 50,
      direction: 'up',
    });
    expect(volumeTrend(40n, 160n)).toEqual({
      current: 40n,
      previous: 160n,
      changePercent: -75,
      direction: 'down',
    });
    expect(volumeTrend(7n, 7n).direction).toBe('flat');
    expect(volumeTrend(2n, 3n).changePercent).toBe(-33.33);
  });

  it('calls volume without a previous window new, and no volume at all none', () => {
    expect(volumeTrend(5n, 0n)).toEqual({ current: 5n, previous: 0n, changePercent: null, direction: 'new' });
    expect(volumeTrend(0n, 0n).direction).toBe('none');
    expect(volumeTrend(0n, 9n)).toMatchObject({ changePercent: -100, direction: 'down' });
  });
});

describe('top movers', () => {
  const tokens = [
    { token: 'a', change: 12.5 },
    { token: 'b', change: -30 },
    { token: 'c', change: null },
    { token: 'd', change: 40 },
    { token: 'e', change: -2 },
    { token: 'f', change: 0 },
    { token: 'g', change: 12.5 },
  ];
  const movers = (limit: number) =>
    topMovers(
      tokens,
      (t) => t.change,
      (t) => t.token,
      limit,
    );

  it('lists risers highest first and fallers lowest first, without the unmoved and the unknown', () => {
    expect(movers(5).gainers.map((t) => t.token)).toEqual(['d', 'a', 'g']);
    expect(movers(5).losers.map((t) => t.token)).toEqual(['b', 'e']);
  });

  it('keeps at most the limit of each', () => {
    expect(movers(1)).toEqual({ gainers: [tokens[3]], losers: [tokens[1]] });
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cumulativeAt,
  cumulativeFromHistory,
  type PoolObservation,
  Q112,
  spotPriceX112,
  twapOverWindow,
  wholeTokenSpotPrice,
  x112ToDecimal,
} from '../../../layers/shared/src/core/market/twap.ts';

/** Builds the observations a pool would report for a sequence of (duration, reserves) segments. */
function history(
  start: number,
  segments: readonly { seconds: number; r0: bigint; r1: bigint }[],
): PoolObservation[] {
  const observations: PoolObservation[] = [];
  let price0 = 0n;
  let price1 = 0n;
  let time = start;
  for (const segment of segments) {
    observations.push({
      reserve0: segment.r0,
      reserve1: segment.r1,
      price0Cumulative: price0,
      price1Cumulative: price1,
      cumulativeTimestamp: time,
    });
    price0 += spotPriceX112(segment.r0, segment.r1) * BigInt(segment.seconds);
    price1 += spotPriceX112(segment.r1, segment.r0) * BigInt(segment.seconds);
    time += segment.seconds;
  }
  return observations;
}

describe('TWAP from cumulative prices', () => {
  it('averages constant reserves to their spot price', () => {
    const obs = history(1000, [{ seconds: 10, r0: 4n, r1: 10n }]);
    const twap = twapOverWindow(obs, 1600, 300)!;
    expect(twap.price0X112).toBe((10n * Q112) / 4n);
    expect(x112ToDecimal(twap.price0X112)).toBe('2.5');
  });

  it('weights each price by the seconds it held', () => {
    const obs = history(0, [
      { seconds: 100, r0: 1n, r1: 1n },
      { seconds: 100, r0: 1n, r1: 3n },
    ]);
    expect(x112ToDecimal(twapOverWindow(obs, 200, 200)!.price0X112)).toBe('2');
  });

  it('takes differences modulo 2^256 when the cumulative sum overflowed', () => {
    const near = (1n << 256n) - 5n * Q112;
    const obs: PoolObservation[] = [
      { reserve0: 1n, reserve1: 2n, price0Cumulative: near, price1Cumulative: 0n, cumulativeTimestamp: 0 },
    ];
    const end = cumulativeAt(obs[0]!, 10);
    expect(end.price0).toBeLessThan(near);
    expect(twapOverWindow(obs, 10, 10)!.price0X112).toBe(2n * Q112);
  });

  it('has no answer when the history does not reach back over the window', () => {
    const obs = history(1000, [{ seconds: 10, r0: 1n, r1: 1n }]);
    expect(cumulativeFromHistory(obs, 999)).toBeUndefined();
    expect(twapOverWindow(obs, 1500, 600)).toBeUndefined();
  });

  it('moves by at most the spike share of the window when one block spikes the price', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 1000 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 600, max: 86_400 }),
        (multiplier, spikeSeconds, window) => {
          const base = { r0: 1_000_000n, r1: 2_000_000n };
          const obs = history(0, [
            { seconds: window, ...base },
            { seconds: spikeSeconds, r0: base.r0, r1: base.r1 * BigInt(multiplier) },
          ]);
          const end = window + spikeSeconds;
          const twap = twapOverWindow(obs, end, window)!.price0X112;
          const spot = spotPriceX112(base.r0, base.r1);
          // Exact weighted mean: spot × (1 + (m − 1) × spike / window), up to flooring.
          const bound = spot + (spot * BigInt(multiplier - 1) * BigInt(spikeSeconds)) / BigInt(window) + 1n;
          expect(twap).toBeLessThanOrEqual(bound);
          expect(twap).toBeGreaterThanOrEqual(spot);
        },
      ),
    );
  });

  it('prices one whole token in base units of the other, floored, and nothing for an empty pool', () => {
    // 100,000 coins against 5,000 FIL (18 decimals each): 0.05 FIL a coin.
    expect(wholeTokenSpotPrice(100_000n * 10n ** 18n, 5_000n * 10n ** 18n, 18)).toBe(5n * 10n ** 16n);
    // A 6-decimal token against 3 base units: 1e6 × 3 / 7 floors to 428,571.
    expect(wholeTokenSpotPrice(7n, 3n, 6)).toBe(428_571n);
    expect(wholeTokenSpotPrice(0n, 5n, 18)).toBeUndefined();
    expect(wholeTokenSpotPrice(5n, 0n, 18)).toBeUndefined();
  });

  it('formats prices between tokens of different decimals in whole units', () => {
    // 1 whole base (18 decimals) for 2 whole quote (6 decimals): raw ratio 2e6 / 1e18.
    const price = spotPriceX112(10n ** 18n, 2n * 10n ** 6n);
    expect(x112ToDecimal(price, 18, 6, 6)).toBe('1.999999');
  });
});

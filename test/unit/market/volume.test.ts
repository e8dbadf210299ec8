import { describe, expect, it } from 'vitest';
import { volumeTotals } from '../../../layers/shared/src/core/market/volume.ts';

describe('a volume series’ totals', () => {
  it('adds base and quote volume exactly beyond 2^53, and the trades', () => {
    const big = (2n ** 200n).toString();
    expect(
      volumeTotals([
        { bucketStart: 0, baseVolume: big, quoteVolume: '1', trades: 2 },
        { bucketStart: 3600, baseVolume: '1', quoteVolume: '9007199254740993', trades: 3 },
      ]),
    ).toEqual({ totalQuote: '9007199254740994', totalBase: (2n ** 200n + 1n).toString(), trades: 5 });
  });

  it('is zero for no buckets', () => {
    expect(volumeTotals([])).toEqual({ totalQuote: '0', totalBase: '0', trades: 0 });
  });
});

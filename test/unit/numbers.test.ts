import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalBigInt, groupThousands } from '../../layers/shared/src/core/numbers.ts';

describe('groupThousands', () => {
  it('writes what en-US number formatting writes, for any whole number', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }), fc.maxSafeInteger()),
        (n) => {
          expect(groupThousands(n)).toBe(n.toLocaleString('en-US'));
        },
      ),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (n) => {
        expect(groupThousands(n)).toBe(n.toLocaleString('en-US'));
      }),
    );
  });

  it('groups at each power of a thousand', () => {
    expect([0, 999, 1000, 100_000, 1_000_000, -1234].map(groupThousands)).toEqual([
      '0',
      '999',
      '1,000',
      '100,000',
      '1,000,000',
      '-1,234',
    ]);
  });
});

describe('decimalBigInt', () => {
  it('reads every decimal integer exactly, below 16 digits and past them', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 22n), max: 10n ** 22n }), (n) => {
        expect(decimalBigInt(n.toString())).toBe(n);
      }),
      { numRuns: 2000 },
    );
    expect(decimalBigInt('999999999999999')).toBe(999_999_999_999_999n);
    expect(decimalBigInt('9007199254740993')).toBe(9_007_199_254_740_993n);
    expect(() => decimalBigInt('12x')).toThrow();
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flooredAmountTerms } from '../../../layers/shared/src/adapters/db/attention/sealed-epoch-store.ts';
import { amountForWeight, MAX_AMOUNT } from '../../../layers/shared/src/core/attention/trees.ts';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** PostgreSQL bigint arithmetic: truncating division, remainder with the dividend's sign, an error past int64. */
function int64(value: bigint): bigint {
  if (value < INT64_MIN || value > INT64_MAX) throw new RangeError(`bigint out of range: ${value}`);
  return value;
}

/** The sealing statement's amount expression, evaluated as PostgreSQL evaluates it. */
function sqlAmount(weight: bigint, terms: ReturnType<typeof flooredAmountTerms>): bigint {
  const whole = BigInt(terms.whole);
  const hundredths = BigInt(terms.hundredths);
  const a = int64(weight * whole);
  const b = int64(int64(weight / 100n) * hundredths);
  const c = int64(int64(int64(weight % 100n) * hundredths) / 100n);
  return int64(int64(a + b) + c);
}

const units = fc.oneof(
  fc.bigInt({ min: 0n, max: 1_000n }),
  fc.bigInt({ min: 0n, max: 10n ** 12n }),
  fc.bigInt({ min: 0n, max: 2n ** 72n }),
  fc.constantFrom(0n, 1n, 99n, 100n, 101n, 1_000_000_000n, 100n * MAX_AMOUNT, 100n * MAX_AMOUNT + 100n),
);

describe('flooredAmountTerms', () => {
  it('gives, in bigint arithmetic that never leaves int64, the floored amount of every weight whose amount fits', () => {
    fc.assert(
      fc.property(units, fc.bigInt({ min: 0n, max: 2n ** 64n }), fc.boolean(), (u, pick, negative) => {
        const terms = flooredAmountTerms(u, MAX_AMOUNT);
        const heaviest = BigInt(terms.heaviest);
        expect(BigInt(terms.lowest)).toBe(-heaviest);
        // A weight within the bounds, spread over them, near both ends included.
        const magnitude = pick % 4n === 0n ? heaviest - (pick % 7n) : pick % (heaviest + 1n);
        const weight = negative ? -(magnitude < 0n ? 0n : magnitude) : magnitude < 0n ? 0n : magnitude;
        expect(sqlAmount(weight, terms)).toBe(amountForWeight(weight, u));
        expect(amountForWeight(weight < 0n ? -weight : weight, u)).toBeLessThanOrEqual(MAX_AMOUNT);
      }),
      { numRuns: 2_000 },
    );
  });

  it('bounds the weights tightly: the next heavier weight has an amount past the maximum', () => {
    fc.assert(
      fc.property(units, (u) => {
        const heaviest = BigInt(flooredAmountTerms(u, MAX_AMOUNT).heaviest);
        if (heaviest < INT64_MAX) expect(amountForWeight(heaviest + 1n, u)).toBeGreaterThan(MAX_AMOUNT);
      }),
      { numRuns: 500 },
    );
  });
});

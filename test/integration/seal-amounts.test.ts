/**
 * The sealing snapshot's amounts against the reference `amountForWeight`, for any factor and any
 * weights, those whose amounts pass 2^63 - 1 included: what fits is frozen with exact amounts,
 * what does not is refused whole with exact numbers, and nothing of it is written.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealSnapshot } from '../../layers/shared/src/adapters/db/attention/sealed-epoch-store.ts';
import { amountForWeight, MAX_AMOUNT } from '../../layers/shared/src/core/attention/trees.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';

const EPOCH = 1_767_348_000;
const CHANNELS = ['chan_a', 'chan_b', 'chan_c'];

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ max: 2 });
});
afterAll(() => t.close());

/** Weights near where a factor's amounts pass the maximum, and ordinary ones. */
const case_ = fc.bigInt({ min: 0n, max: 2n ** 40n }).chain((units) => {
  // A weight is a bigint: at most MAX_AMOUNT, however small the factor.
  const past = units === 0n ? MAX_AMOUNT : (100n * MAX_AMOUNT) / units;
  const edge = past > MAX_AMOUNT ? MAX_AMOUNT : past;
  const near = fc
    .bigInt({ min: -3n, max: 3n })
    .map((d) => edge + d)
    .filter((w) => w >= 0n && w <= MAX_AMOUNT);
  const weight = fc.oneof(fc.bigInt({ min: 0n, max: 10_000n }), near, fc.bigInt({ min: 0n, max: edge }));
  return fc.record({
    units: fc.constant(units),
    channels: fc.tuple(...CHANNELS.map(() => fc.array(weight, { maxLength: 4 }))),
  });
});

describe('sealSnapshot amounts', () => {
  it('freezes exactly the amounts amountForWeight gives, and refuses exactly the channels past the maximum', async () => {
    await fc.assert(
      fc.asyncProperty(case_, async ({ units, channels }) => {
        await t.sql`truncate attention.channel_participation, attention.sealed_epochs, attention.sealed_participants`;
        const rows = channels.flatMap((weights, c) =>
          weights.map((weight, i) => ({ channel: CHANNELS[c] as string, user: `u${c}_${i}`, weight, i })),
        );
        if (rows.length > 0) {
          await t.sql`
            insert into attention.channel_participation (epoch, channel, user_hash, first_seen, weight, presence)
            select ${EPOCH}, r.channel, r.user_hash, to_timestamp(${EPOCH} + r.i), r.weight, 1
            from unnest(${rows.map((r) => r.channel)}::text[], ${rows.map((r) => r.user)}::text[],
              ${rows.map((r) => r.weight.toString())}::bigint[], ${rows.map((r) => r.i)}::int[])
              as r(channel, user_hash, weight, i)`;
        }
        const answers = await t.sql.begin((tx) =>
          sealSnapshot(tx, EPOCH, CHANNELS, {
            baseUnitsPerWeight: units,
            maxAmount: MAX_AMOUNT,
            sealedAt: new Date(),
          }),
        );
        const frozen = await t.sql<{ channel: string; amount: string }[]>`
          select channel, amount::text from attention.sealed_participants order by channel, position`;
        const expectedFrozen: { channel: string; amount: string }[] = [];
        for (const [c, weights] of channels.entries()) {
          const channel = CHANNELS[c] as string;
          const amounts = weights.map((w) => amountForWeight(w, units));
          let largest = 0n;
          for (const a of amounts) if (a > largest) largest = a;
          const total = amounts.reduce((s, a) => s + a, 0n);
          const totalWeight = weights.reduce((s, w) => s + w, 0n);
          const fits = largest <= MAX_AMOUNT && total <= MAX_AMOUNT && totalWeight <= MAX_AMOUNT;
          expect(answers.find((a) => a.channel === channel)).toMatchObject({
            outcome: fits ? 'sealed' : 'refused',
            participantCount: weights.length,
            largest: largest.toString(),
            totalAmount: total.toString(),
            totalWeight: totalWeight.toString(),
          });
          if (fits) expectedFrozen.push(...amounts.map((a) => ({ channel, amount: a.toString() })));
        }
        expect(frozen).toEqual(expectedFrozen);
      }),
      { numRuns: 60 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AggregatedViewer,
  aggregateCategoryViewers,
  channelViewersFromLists,
  compareBytes,
} from '../../layers/shared/src/core/attention/category-viewers.ts';

const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('compareBytes', () => {
  it('orders strings as their UTF-8 bytes do (the C collation), surrogate pairs included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        expect(Math.sign(compareBytes(a, b))).toBe(utf8Order(a, b));
      }),
      { numRuns: 2000 },
    );
    // U+E000 sorts before U+10000 in UTF-8, after its high surrogate in UTF-16.
    expect(compareBytes('\u{e000}', '\u{10000}')).toBeLessThan(0);
    expect(compareBytes('ab', 'abc')).toBeLessThan(0);
  });
});

describe('aggregateCategoryViewers', () => {
  const row = fc.record({
    user: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'A', 'é'),
    firstSeen: fc.integer({ min: 0, max: 5 }).map((s) => 1_767_261_600_000_000 + s * 7),
    weight: fc.bigInt({ min: 1n, max: 2n ** 62n }),
  });

  it('gives each viewer once with the earliest first_seen and summed weight, by first_seen then user_hash bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uniqueArray(row, { selector: (r) => r.user }), { maxLength: 4 }),
        (channels) => {
          const viewers = aggregateCategoryViewers(
            channels.map((rows) => ({
              users: rows.map((r) => r.user),
              firstSeen: rows.map((r) => r.firstSeen),
              weights: rows.map((r) => r.weight),
            })),
          );
          const expected = new Map<string, { firstSeen: number; weight: bigint }>();
          for (const r of channels.flat()) {
            const known = expected.get(r.user);
            expected.set(r.user, {
              firstSeen: Math.min(known?.firstSeen ?? r.firstSeen, r.firstSeen),
              weight: (known?.weight ?? 0n) + r.weight,
            });
          }
          expect(
            new Map(viewers.map((v) => [v.userHash, { firstSeen: v.firstSeen, weight: v.weight }])),
          ).toEqual(expected);
          expect(viewers).toHaveLength(expected.size);
          for (let i = 1; i < viewers.length; i++) {
            const a = viewers[i - 1] as AggregatedViewer;
            const b = viewers[i] as AggregatedViewer;
            expect(
              a.firstSeen < b.firstSeen ||
                (a.firstSeen === b.firstSeen && utf8Order(a.userHash, b.userHash) < 0),
            ).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('channelViewersFromLists', () => {
  it('parses the lists a channel read answers, and refuses lists that disagree or a first_seen past exact', () => {
    expect(
      channelViewersFromLists('c', {
        users: 'a,b',
        firstSeen: '1767261600000001,1767261600000000',
        weights: '100,99999999999999999999',
      }),
    ).toEqual({
      users: ['a', 'b'],
      firstSeen: [1767261600000001, 1767261600000000],
      weights: [100n, 99999999999999999999n],
    });
    expect(channelViewersFromLists('c', { users: null, firstSeen: null, weights: null })).toBeUndefined();
    expect(() => channelViewersFromLists('c', { users: 'a,b', firstSeen: '1', weights: '1,2' })).toThrow(
      /2 participants, 1 first_seen, 2 weights/,
    );
    expect(() =>
      channelViewersFromLists('c', { users: 'a', firstSeen: '9007199254740993', weights: '1' }),
    ).toThrow(/not exact/);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Candidate,
  compareTreeNames,
  MAX_SHARD_NUMBER,
  parseTreeName,
  shardName,
  splitIntoShards,
  splitShardName,
} from '../../layers/shared/src/core/attention/trees.ts';

const WALLET = '11111111111111111111111111111111';
const loginArb = fc.stringMatching(/^[a-z0-9_]{4,25}$/);
const baseArb = fc.oneof(
  loginArb,
  fc
    .tuple(fc.stringMatching(/^[a-z0-9_]{1,12}$/), fc.stringMatching(/^[a-z0-9_]{1,8}$/))
    .map(([category, group]) => `category:${category}:${group}`),
);

/** Distinct viewers in sealing order, each bound or not, with random amounts. */
const epochArb = fc.uniqueArray(
  fc.record({
    userHash: fc.stringMatching(/^[0-9a-f]{64}$/),
    amount: fc.bigInt({ min: 0n, max: 10n ** 12n }),
    wallet: fc.option(fc.constant(WALLET), { nil: undefined, freq: 3 }),
  }),
  { maxLength: 300, selector: (c) => c.userHash },
);

const sum = (xs: readonly { amount: bigint }[]) => xs.reduce((s, x) => s + x.amount, 0n);

describe('shard names', () => {
  it('name the first shard by the base and the others <base>~k, and parse back to their base', () => {
    fc.assert(
      fc.property(baseArb, fc.integer({ min: 1, max: MAX_SHARD_NUMBER }), (base, shard) => {
        const name = shardName(base, shard);
        expect(splitShardName(name)).toEqual({ base, shard });
        const parsed = parseTreeName(name.toUpperCase());
        expect(parsed).toMatchObject({ name, base, shard });
      }),
    );
  });

  it('sort by base, then by shard number (x~10 after x~9)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(loginArb, fc.integer({ min: 1, max: 20 })), {
          selector: ([b, k]) => `${b}~${k}`,
        }),
        (pairs) => {
          const names = pairs.map(([b, k]) => shardName(b, k)).sort(compareTreeNames);
          const back = names.map((n) => splitShardName(n) as { base: string; shard: number });
          for (let i = 1; i < back.length; i++) {
            const a = back[i - 1] as { base: string; shard: number };
            const b = back[i] as { base: string; shard: number };
            expect(a.base < b.base || (a.base === b.base && a.shard < b.shard)).toBe(true);
          }
        },
      ),
    );
    expect(['x~10', 'x~2', 'x', 'x~9'].sort(compareTreeNames)).toEqual(['x', 'x~2', 'x~9', 'x~10']);
  });

  it('refuse a shard suffix that is not canonical, a sharded carry tree and a ~ inside a login', () => {
    for (const name of [
      'somechannel~1',
      'somechannel~02',
      'somechannel~',
      'some~channel~2',
      '~2',
      'x~1000',
    ]) {
      expect(parseTreeName(name), name).toBeUndefined();
    }
    expect(parseTreeName('carry:milo~2')).toBeUndefined();
    expect(parseTreeName('carry:milo')).toEqual({ kind: 'carry', name: 'carry:milo', group: 'milo' });
    expect(parseTreeName('category:music:milo~3')).toEqual({
      kind: 'category',
      name: 'category:music:milo~3',
      base: 'category:music:milo',
      shard: 3,
      category: 'music',
      group: 'milo',
    });
    expect(() => shardName('x', 0)).toThrow(/shard must be an integer in \[1, 999\], got 0/);
  });
});

describe('shard split', () => {
  it('conserves every amount: each participant once in a leaf, in carried, or beyond the cap in overflow', () => {
    fc.assert(
      fc.property(
        epochArb,
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 8 }),
        (candidates, capacity, maxShards) => {
          const { shards, carried, overflow } = splitIntoShards(candidates, capacity, maxShards);
          const cap = capacity * maxShards;
          const within = candidates.slice(0, cap);
          const beyond = candidates.slice(cap);
          const leaves = shards.flat();

          // Amounts: leaves + carried = within the cap; the rest is overflow, counted.
          expect(sum(leaves) + sum(carried)).toBe(sum(within));
          expect(overflow).toBe(beyond.length);
          expect(sum(leaves) + sum(carried) + sum(beyond)).toBe(sum(candidates));

          // No user_hash in two leaves of the channel-epoch, nor in a leaf and carried.
          const hashes = [...leaves.map((l) => l.userHash), ...carried.map((c) => c.userHash)];
          expect(new Set(hashes).size).toBe(hashes.length);

          // Bound viewers fill shards in sealing order; every shard but the last is full.
          expect(leaves.map((l) => l.userHash)).toEqual(
            within.filter((c) => c.wallet !== undefined).map((c) => c.userHash),
          );
          expect(carried).toEqual(within.filter((c) => c.wallet === undefined));
          expect(shards.length).toBeLessThanOrEqual(maxShards);
          shards.forEach((shard, k) => {
            expect(shard.length).toBeGreaterThan(0);
            if (k < shards.length - 1) expect(shard.length).toBe(capacity);
            expect(shard.map((l) => l.index)).toEqual(shard.map((_, i) => i));
          });
        },
      ),
    );
  });

  it('splits 5,000 participants with 3,000 bound into 1,024 + 1,024 + 952 leaves and 2,000 carried', () => {
    const candidates: Candidate[] = Array.from({ length: 5000 }, (_, i) => ({
      userHash: i.toString(16).padStart(64, '0'),
      amount: 1000n,
      // Bound and unbound interleaved, as they arrive: 3 of every 5 bound.
      wallet: i % 5 < 3 ? WALLET : undefined,
    }));
    const { shards, carried, overflow } = splitIntoShards(candidates, 1024, 8);
    expect(shards.map((s) => s.length)).toEqual([1024, 1024, 952]);
    expect(carried).toHaveLength(2000);
    expect(overflow).toBe(0);
  });

  it('counts everyone past the cap as overflow, bound or not, from the total when the read stopped there', () => {
    const bound: Candidate = { userHash: 'a'.repeat(64), amount: 5n, wallet: WALLET };
    const split = splitIntoShards(
      Array.from({ length: 6 }, (_, i) => ({ ...bound, userHash: String(i).repeat(64) })),
      2,
      3,
      10,
    );
    expect(split.shards.map((s) => s.length)).toEqual([2, 2, 2]);
    expect(split.overflow).toBe(4);
  });
});

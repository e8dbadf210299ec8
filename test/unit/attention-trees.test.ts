import bs58 from 'bs58';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../layers/shared/src/config.ts';
import {
  amountForWeight,
  type Candidate,
  carryTreeName,
  categoryTreeName,
  isEpochDue,
  latestDueEpoch,
  MAX_AMOUNT,
  parseTreeName,
  splitByCapacity,
  withinAmountBudget,
} from '../../layers/shared/src/core/attention/trees.ts';
import { ClaimTree, type LeafOptions } from '../../layers/shared/src/core/merkle/index.ts';
import {
  attentionSettings,
  isPublishable,
} from '../../layers/shared/src/services/attention/attention-settings.ts';
import { dumpJson } from '../../layers/shared/src/services/attention/tree-hashing.ts';

const candidateArb = fc.record({
  userHash: fc.stringMatching(/^[0-9a-f]{64}$/),
  amount: fc.bigInt({ min: 0n, max: 10n ** 12n }),
  wallet: fc.option(fc.constant('11111111111111111111111111111111'), { nil: undefined }),
});

describe('capacity split', () => {
  it('gives bound viewers within capacity leaves indexed 0.. in order, carries the unbound and counts the rest as overflow', () => {
    fc.assert(
      fc.property(
        fc.array(candidateArb, { maxLength: 60 }),
        fc.integer({ min: 1, max: 40 }),
        (candidates, capacity) => {
          const split = splitByCapacity(candidates, capacity);
          const within = candidates.slice(0, capacity);
          expect(split.leaves.map((l) => l.userHash)).toEqual(
            within.filter((c) => c.wallet !== undefined).map((c) => c.userHash),
          );
          expect(split.leaves.map((l) => l.index)).toEqual(split.leaves.map((_, i) => i));
          expect(split.carried).toEqual(within.filter((c) => c.wallet === undefined));
          expect(split.overflow).toBe(Math.max(0, candidates.length - capacity));
          // Nothing within capacity is lost: every amount is either a leaf or carried.
          const sum = (xs: readonly { amount: bigint }[]) => xs.reduce((s, x) => s + x.amount, 0n);
          expect(sum(split.leaves) + sum(split.carried)).toBe(sum(within));
        },
      ),
    );
  });

  it('counts overflow from the total when the query stopped at capacity', () => {
    const bound: Candidate = { userHash: 'a'.repeat(64), amount: 5n, wallet: 'w' };
    expect(splitByCapacity([bound, bound], 2, 10).overflow).toBe(8);
  });

  it("hands a candidate's decoded wallet bytes on to its leaf", () => {
    const claimer = new Uint8Array(32).fill(7);
    const [leaf] = splitByCapacity(
      [{ userHash: 'b'.repeat(64), amount: 1n, wallet: 'w', claimer }],
      1,
    ).leaves;
    expect(leaf?.claimer).toBe(claimer);
  });
});

describe('tree names', () => {
  it('names pseudo-channels in lowercase, whatever the token group spelling', () => {
    expect(categoryTreeName('music', 'MILO')).toBe('category:music:milo');
    expect(carryTreeName('MILO')).toBe('carry:milo');
  });

  it('accepts Twitch logins and pseudo-channels in any case and refuses anything else', () => {
    expect(parseTreeName('Some_Channel')).toEqual({
      kind: 'channel',
      name: 'some_channel',
      base: 'some_channel',
      shard: 1,
    });
    expect(parseTreeName('CATEGORY:Music:MILO')).toEqual({
      kind: 'category',
      name: 'category:music:milo',
      base: 'category:music:milo',
      shard: 1,
      category: 'music',
      group: 'milo',
    });
    expect(parseTreeName('carry:cls')).toEqual({ kind: 'carry', name: 'carry:cls', group: 'cls' });
    for (const bad of [
      'ab',
      'carry:',
      'category:music',
      'carry:a:b',
      'x:y',
      'has space',
      'way_too_long_login_name_here_x',
    ]) {
      expect(parseTreeName(bad)).toBeUndefined();
    }
  });
});

describe('epochs and amounts', () => {
  it('makes an epoch due only once its hour and 5 minutes have passed', () => {
    const epoch = Date.UTC(2026, 0, 1, 10) / 1000;
    expect(isEpochDue(epoch, (epoch + 3600 + 299) * 1000)).toBe(false);
    expect(isEpochDue(epoch, (epoch + 3600 + 300) * 1000)).toBe(true);
    expect(latestDueEpoch((epoch + 3600 + 300) * 1000)).toBe(epoch);
    expect(latestDueEpoch((epoch + 3600 + 299) * 1000)).toBe(epoch - 3600);
  });

  it('floors the amount once per weight in hundredths', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 9n }),
        fc.bigInt({ min: 0n, max: 10n ** 9n }),
        (w, units) => {
          const amount = amountForWeight(w, units);
          expect(amount * 100n <= w * units).toBe(true);
          expect((amount + 1n) * 100n > w * units).toBe(true);
        },
      ),
    );
    expect(amountForWeight(1n, 150n)).toBe(1n);
  });
});

describe('attention settings', () => {
  it('refuses claim-v2 or a capacity above 1,024 when publishing to the v1 program', () => {
    expect(() => attentionSettings(loadConfig({ PUBLISH_MODE: 'program', TREE_FORMAT: 'claim-v2' }))).toThrow(
      /claim-v2 cannot be verified by the v1 program/,
    );
    expect(() => attentionSettings(loadConfig({ PUBLISH_MODE: 'program', TREE_CAPACITY: '8192' }))).toThrow(
      /exceeds the v1 program's 1024 claims/,
    );
    expect(attentionSettings(loadConfig({ PUBLISH_MODE: 'memo', TREE_FORMAT: 'claim-v2' })).format).toBe(
      'claim-v2',
    );
  });

  it('publishes category trees only with category units, and in program mode only groups with a mint', () => {
    const program = attentionSettings(
      loadConfig({
        PUBLISH_MODE: 'program',
        TOKEN_GROUP_MINTS: JSON.stringify({ MILO: { mint: 'So11111111111111111111111111111111111111112' } }),
      }),
    );
    const tree = { kind: 'channel' as const, tokenGroup: 'MILO', leafCount: 3, totalAmount: 10n };
    expect(isPublishable(program, tree)).toBe(true);
    expect(isPublishable(program, { ...tree, tokenGroup: 'OTHER' })).toBe(false);
    expect(isPublishable(program, { ...tree, totalAmount: 0n })).toBe(false);
    expect(isPublishable(program, { ...tree, kind: 'category' })).toBe(false);
    expect(isPublishable({ ...program, categoryBaseUnitsPerWeight: 5n }, { ...tree, kind: 'category' })).toBe(
      true,
    );
    const memo = { ...program, publishMode: 'memo' as const };
    expect(isPublishable(memo, { ...tree, tokenGroup: 'OTHER' })).toBe(true);
  });
});

describe('stored dump', () => {
  it('is exactly what ClaimTree.dump() writes, and loads with a full check', () => {
    const leafArb = fc.record({
      wallet: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => bs58.encode(b)),
      userHash: fc.stringMatching(/^[0-9a-f]{64}$/),
      amount: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    });
    fc.assert(
      fc.property(fc.array(leafArb, { minLength: 1, maxLength: 40 }), fc.boolean(), (rows, v2) => {
        const leaves = rows.map((r, index) => ({ ...r, index }));
        const options: LeafOptions = v2
          ? {
              format: 'claim-v2',
              programId: bs58.decode('GnGzNdsQMxMpJfMeqnkGPsvHm8kwaDidiKjNU2dCVZop'),
              epoch: 1767261600n,
            }
          : { format: 'claim-v1' };
        const tree = ClaimTree.build(
          leaves.map((l) => ({
            claimer: bs58.decode(l.wallet),
            index: l.index,
            amount: l.amount,
            id: l.userHash,
          })),
          options,
        );
        const text = dumpJson(
          tree,
          {
            ids: leaves.map((l) => l.userHash),
            wallets: leaves.map((l) => l.wallet),
            amounts: leaves.map((l) => l.amount),
          },
          options,
        );
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(tree.compactDump())));
        expect(Buffer.from(ClaimTree.load(JSON.parse(text), { check: 'full' }).root)).toEqual(
          Buffer.from(tree.root),
        );
      }),
      { numRuns: 50 },
    );
  });
});

describe('withinAmountBudget', () => {
  const c = (userHash: string, amount: bigint) => ({ userHash, amount, wallet: 'w' });

  it('pays each candidate in order what is left of the budget, and nothing once it is spent', () => {
    const { paid, reduced } = withinAmountBudget([c('a', 40n), c('b', 50n), c('c', 30n), c('d', 5n)], 100n);
    expect(paid.map((p) => [p.userHash, p.amount])).toEqual([
      ['a', 40n],
      ['b', 50n],
      ['c', 10n],
    ]);
    expect(reduced).toBe(2);
  });

  it('keeps every leaf and the total within MAX_AMOUNT by default', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 2n ** 64n }), { maxLength: 50 }), (amounts) => {
        const { paid } = withinAmountBudget(amounts.map((a, i) => c(String(i), a)));
        const total = paid.reduce((sum, p) => sum + p.amount, 0n);
        expect(total <= MAX_AMOUNT).toBe(true);
        for (const p of paid) expect(p.amount > 0n && p.amount <= MAX_AMOUNT).toBe(true);
        // Nothing is cut while the total fits.
        const asked = amounts.reduce((sum, a) => sum + a, 0n);
        if (asked <= MAX_AMOUNT) expect(total).toBe(asked);
      }),
    );
  });
});

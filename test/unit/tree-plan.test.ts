import { describe, expect, it } from 'vitest';
import {
  type BoundWallet,
  candidatesFromLists,
  compareTrees,
  placesWithinCap,
  planShards,
  refuseOverflow,
  sumByViewer,
  type TreeHead,
} from '../../layers/shared/src/core/attention/tree-plan.ts';
import { type Candidate, MAX_AMOUNT } from '../../layers/shared/src/core/attention/trees.ts';
import { AmountOverflowError } from '../../layers/shared/src/errors.ts';

const WALLET = '11111111111111111111111111111111';
const HEAD: TreeHead = {
  epoch: 3600,
  channel: 'big_channel',
  kind: 'channel',
  tokenGroup: 'OTHER',
  category: 'music',
  candidates: 9,
  budgetMs: 1000,
  carrySource: 'seal:3600:big_channel',
};

function viewer(i: number, bound: boolean): Candidate {
  return {
    userHash: i.toString(16).padStart(64, '0'),
    amount: BigInt(10 + i),
    wallet: bound ? WALLET : undefined,
  };
}

describe('planShards', () => {
  it('puts the whole channel counts on the first shard and only leaves on the others', () => {
    // 9 viewers, capacity 2, cap 3 shards: 6 places; 5 bound and 1 unbound within them, 3 overflow.
    const candidates = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => viewer(i, i !== 2));
    const trees = planShards(HEAD, candidates, 2, 3);
    expect(trees.map((t) => t.channel)).toEqual(['big_channel', 'big_channel~2', 'big_channel~3']);
    expect(trees.map((t) => t.leaves.map((l) => [l.index, l.userHash]))).toEqual([
      [
        [0, viewer(0, true).userHash],
        [1, viewer(1, true).userHash],
      ],
      [
        [0, viewer(3, true).userHash],
        [1, viewer(4, true).userHash],
      ],
      [[0, viewer(5, true).userHash]],
    ]);
    expect(trees.map((t) => [t.candidates, t.carried.length, t.overflow])).toEqual([
      [9, 1, 3],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(trees.every((t) => t.carrySource === HEAD.carrySource && t.kind === 'channel')).toBe(true);
  });

  it('decides one empty tree for a channel without bound viewers, carrying them all', () => {
    const trees = planShards({ ...HEAD, candidates: 2 }, [viewer(0, false), viewer(1, false)], 2, 3);
    expect(trees).toHaveLength(1);
    expect(trees[0]?.channel).toBe('big_channel');
    expect(trees[0]?.leaves).toEqual([]);
    expect(trees[0]?.carried.map((c) => c.userHash)).toEqual([
      viewer(0, false).userHash,
      viewer(1, false).userHash,
    ]);
  });
});

describe('placesWithinCap', () => {
  it('reads as far as the largest shard cap of any group, never below the default', () => {
    expect(placesWithinCap(1024, {})).toBe(8 * 1024);
    expect(placesWithinCap(1024, { OTHER: 2 })).toBe(8 * 1024);
    expect(placesWithinCap(1024, { OTHER: 2, MILO: 20 })).toBe(20 * 1024);
  });
});

describe('refuseOverflow', () => {
  it('accepts amounts whose sum is exactly MAX_AMOUNT', () => {
    const candidates = [
      { ...viewer(0, true), amount: MAX_AMOUNT - 1n },
      { ...viewer(1, true), amount: 1n },
    ];
    expect(() => refuseOverflow('c', 3600, candidates)).not.toThrow();
  });

  it('refuses a sum past MAX_AMOUNT, naming the tree and its epoch', () => {
    const candidates = [
      { ...viewer(0, true), amount: MAX_AMOUNT },
      { ...viewer(1, true), amount: 1n },
    ];
    expect(() => refuseOverflow('category:music:other', 3600, candidates)).toThrow(AmountOverflowError);
    expect(() => refuseOverflow('category:music:other', 3600, candidates)).toThrow(
      /category:music:other in epoch 3600/,
    );
  });
});

describe('sumByViewer', () => {
  it('sums each viewer per token group, in first-seen order, leaving out amounts that are not positive', () => {
    const sums = sumByViewer([
      { userHash: 'b', tokenGroup: 'OTHER', amount: 5n },
      { userHash: 'a', tokenGroup: 'OTHER', amount: 0n },
      { userHash: 'b', tokenGroup: 'MILO', amount: 2n },
      { userHash: 'b', tokenGroup: 'OTHER', amount: 7n },
      { userHash: 'c', tokenGroup: 'OTHER', amount: -1n },
    ]);
    expect(sums).toEqual([
      { userHash: 'b', tokenGroup: 'OTHER', amount: 12n },
      { userHash: 'b', tokenGroup: 'MILO', amount: 2n },
    ]);
  });
});

describe('candidatesFromLists', () => {
  it('gives bound viewers their wallet and its bytes, decoding each wallet once', () => {
    const wallets = new Map<string, BoundWallet>([['aa', { wallet: 'w1', claimer: undefined }]]);
    const decoded: string[] = [];
    const decode = (wallet: string) => {
      decoded.push(wallet);
      return new Uint8Array(32).fill(7);
    };
    const first = candidatesFromLists('c', { users: 'aa,bb', amounts: '5,6' }, wallets, decode);
    const again = candidatesFromLists('d', { users: 'bb,aa', amounts: '1,2' }, wallets, decode);
    expect(first.map((c) => [c.userHash, c.amount, c.wallet])).toEqual([
      ['aa', 5n, 'w1'],
      ['bb', 6n, undefined],
    ]);
    expect(again[1]?.claimer).toBe(first[0]?.claimer);
    expect(decoded).toEqual(['w1']);
  });

  it('reads a channel without participants as none, and refuses lists that disagree', () => {
    expect(
      candidatesFromLists('c', { users: null, amounts: null }, new Map(), () => new Uint8Array(32)),
    ).toEqual([]);
    expect(() =>
      candidatesFromLists('c', { users: 'aa,bb', amounts: '5' }, new Map(), () => new Uint8Array(32)),
    ).toThrow('channel c: 2 participants but 1 amounts');
  });
});

describe('compareTrees', () => {
  it('orders channel, category then carry trees, each by base name then shard number', () => {
    const trees = [
      { kind: 'carry' as const, channel: 'carry:other' },
      { kind: 'category' as const, channel: 'category:music:other' },
      { kind: 'channel' as const, channel: 'b~10' },
      { kind: 'channel' as const, channel: 'b~2' },
      { kind: 'channel' as const, channel: 'b' },
      { kind: 'channel' as const, channel: 'a' },
    ];
    expect([...trees].sort(compareTrees).map((t) => t.channel)).toEqual([
      'a',
      'b',
      'b~2',
      'b~10',
      'category:music:other',
      'carry:other',
    ]);
  });
});

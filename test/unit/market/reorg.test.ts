import { describe, expect, it } from 'vitest';
import { findForkPoint, pollRange } from '../../../layers/shared/src/core/market/reorg.ts';

describe('reorg fork point', () => {
  const stored = [
    { number: 10, hash: '0xa' },
    { number: 11, hash: '0xb' },
    { number: 12, hash: '0xc' },
  ];

  it('is the highest stored block the chain still agrees with', () => {
    const chain = new Map<number, string | undefined>([
      [12, '0xz'],
      [11, '0xy'],
      [10, '0xA'],
    ]);
    expect(findForkPoint(stored, chain)).toBe(10);
  });

  it('is undefined when no stored block survived', () => {
    const chain = new Map<number, string | undefined>([
      [12, undefined],
      [11, '0xy'],
      [10, '0xx'],
    ]);
    expect(findForkPoint(stored, chain)).toBeUndefined();
  });
});

describe('poll range', () => {
  it('stops the confirmation depth behind the head', () => {
    expect(pollRange(100, 110, 3, 1000)).toEqual({ from: 101, to: 107 });
  });

  it('is empty when the cursor is within the confirmation depth', () => {
    expect(pollRange(107, 110, 3, 1000)).toBeUndefined();
  });

  it('reads at most the block limit per request', () => {
    expect(pollRange(0, 10_000, 0, 2000)).toEqual({ from: 1, to: 2000 });
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planCreatorDemo, splitProportionally } from '../../../local/creator-demo-seed.ts';

const NOW = new Date('2026-11-25T12:00:00Z');

describe('demo catalogue plan', () => {
  it('is the same for the same seed and different for another', () => {
    const a = planCreatorDemo({ creators: 40, seed: 7, now: NOW });
    const b = planCreatorDemo({ creators: 40, seed: 7, now: NOW });
    const c = planCreatorDemo({ creators: 40, seed: 8, now: NOW });
    expect(b.tables).toEqual(a.tables);
    expect(c.plans.map((p) => p.walletAddress)).not.toEqual(a.plans.map((p) => p.walletAddress));
  });

  it('puts the showcase creators on both sides of every threshold', () => {
    const { plans } = planCreatorDemo({ creators: 13, seed: 1, now: NOW });
    const plays = plans.map((p) => p.totalPlays);
    const followers = plans.map((p) => p.followers);
    for (const t of [1_000, 5_000, 10_000, 20_000, 50_000]) {
      expect(plays.some((p) => p >= t)).toBe(true);
      expect(plays.some((p) => p < t && p >= t / 2)).toBe(true);
    }
    for (const t of [1_000, 5_000, 10_000]) {
      expect(followers.some((f) => f >= t)).toBe(true);
      expect(followers.some((f) => f === t - 1)).toBe(true);
    }
    expect(plans.some((p) => p.totalPlays === 0 && p.followers === 0)).toBe(true);
  });

  it('draws plays from a heavy tail: the top 1 % of creators hold a large share', () => {
    const { plans } = planCreatorDemo({ creators: 2_000, seed: 3, now: NOW });
    const plays = plans
      .slice(12)
      .map((p) => p.totalPlays)
      .sort((x, y) => y - x);
    const total = plays.reduce((s, p) => s + p, 0);
    const top = plays.slice(0, Math.ceil(plays.length / 100)).reduce((s, p) => s + p, 0);
    expect(top / total).toBeGreaterThan(0.3);
  });

  it('splits a total into parts that add up to it exactly', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 1_000_000 }),
        fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { minLength: 1, maxLength: 20 }),
        (total, weights) => {
          const parts = splitProportionally(total, weights);
          expect(parts.reduce((s, p) => s + p, 0)).toBe(total);
          expect(parts.every((p) => Number.isInteger(p) && p >= 0)).toBe(true);
        },
      ),
    );
  });
});

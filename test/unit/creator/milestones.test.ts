import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ATTO_PER_FIL,
  DEFAULT_MILESTONE_THRESHOLDS,
  MILESTONES,
  type MilestoneValues,
  milestoneTable,
  newlyReachedMilestones,
  reachedMilestones,
} from '../../../layers/shared/src/core/creator/milestones.ts';

function values(overrides: Partial<MilestoneValues> = {}): MilestoneValues {
  return { totalPlays: 0, followers: 0, monthlyRevenueAttoFil: 0n, ...overrides };
}

const ids = (v: MilestoneValues) => reachedMilestones(v).map((r) => r.milestone.id);

describe('milestones', () => {
  it('has the source thresholds: plays 1K/5K/10K/20K/50K, followers 1K/5K/10K, revenue 100 FIL a month', () => {
    expect(MILESTONES.map((m) => [m.kind, m.threshold])).toEqual([
      ['plays', 1_000n],
      ['plays', 5_000n],
      ['plays', 10_000n],
      ['plays', 20_000n],
      ['plays', 50_000n],
      ['followers', 1_000n],
      ['followers', 5_000n],
      ['followers', 10_000n],
      ['revenue', 100n * ATTO_PER_FIL],
    ]);
  });

  it('keeps the ids creators already hold when the table comes from the default thresholds', () => {
    expect(milestoneTable(DEFAULT_MILESTONE_THRESHOLDS).map((m) => m.id)).toEqual([
      'plays_1k',
      'plays_5k',
      'plays_10k',
      'plays_20k',
      'plays_50k',
      'followers_1k',
      'followers_5k',
      'followers_10k',
      'revenue_100fil_month',
    ]);
  });

  it('reaches the milestones of a configured table, not those of the default one', () => {
    const custom = milestoneTable({ plays: [300n, 100n], followers: [], revenueAttoFilPerMonth: [] });
    const v = values({ totalPlays: 1_200, followers: 1_500 });
    expect(reachedMilestones(v, custom).map((r) => r.milestone.id)).toEqual(['plays_100', 'plays_300']);
    expect(newlyReachedMilestones(v, ['plays_100'], custom).map((r) => r.milestone.id)).toEqual([
      'plays_300',
    ]);
    expect(ids(v)).toEqual(['plays_1k', 'followers_1k']);
  });

  it.each([1_000, 5_000, 10_000, 20_000, 50_000])(
    'reaches the %i plays milestone at the threshold, not one below',
    (t) => {
      const id = MILESTONES.find((m) => m.kind === 'plays' && m.threshold === BigInt(t))!.id;
      expect(ids(values({ totalPlays: t - 1 }))).not.toContain(id);
      expect(ids(values({ totalPlays: t }))).toContain(id);
      expect(ids(values({ totalPlays: t + 1 }))).toContain(id);
    },
  );

  it.each([1_000, 5_000, 10_000])(
    'reaches the %i followers milestone at the threshold, not one below',
    (t) => {
      const id = MILESTONES.find((m) => m.kind === 'followers' && m.threshold === BigInt(t))!.id;
      expect(ids(values({ followers: t - 1 }))).not.toContain(id);
      expect(ids(values({ followers: t }))).toContain(id);
      expect(ids(values({ followers: t + 1 }))).toContain(id);
    },
  );

  it('reaches the revenue milestone at exactly 100 FIL a month and not one attoFIL below', () => {
    expect(ids(values({ monthlyRevenueAttoFil: 100n * ATTO_PER_FIL - 1n }))).toEqual([]);
    expect(ids(values({ monthlyRevenueAttoFil: 100n * ATTO_PER_FIL }))).toEqual(['revenue_100fil_month']);
  });

  it('reaches nothing with zero plays, zero followers and no revenue', () => {
    expect(ids(values())).toEqual([]);
  });

  it('reports only milestones not yet recorded', () => {
    const fresh = newlyReachedMilestones(values({ totalPlays: 12_000, followers: 1_000 }), [
      'plays_1k',
      'plays_5k',
    ]);
    expect(fresh.map((r) => r.milestone.id)).toEqual(['plays_10k', 'followers_1k']);
    expect(fresh[0]?.value).toBe(12_000n);
  });

  it('reports nothing new when everything reached is recorded, even if the value fell back below', () => {
    expect(newlyReachedMilestones(values({ totalPlays: 900 }), ['plays_1k'])).toEqual([]);
    expect(newlyReachedMilestones(values({ totalPlays: 1_000 }), ['plays_1k'])).toEqual([]);
  });

  it('reports exactly the reached milestones that are not recorded, whatever was recorded before', () => {
    const ids = MILESTONES.map((m) => m.id);
    fc.assert(
      fc.property(
        fc.nat({ max: 120_000 }),
        fc.nat({ max: 15_000 }),
        fc.bigInt({ min: 0n, max: 300n * ATTO_PER_FIL }),
        fc.subarray(ids),
        (totalPlays, followers, monthlyRevenueAttoFil, recorded) => {
          const v = { totalPlays, followers, monthlyRevenueAttoFil };
          const fresh = newlyReachedMilestones(v, recorded).map((r) => r.milestone.id);
          const reached = reachedMilestones(v).map((r) => r.milestone.id);
          expect(fresh.every((id) => !recorded.includes(id))).toBe(true);
          expect(new Set([...fresh, ...recorded.filter((id) => reached.includes(id))])).toEqual(
            new Set(reached),
          );
        },
      ),
    );
  });
});

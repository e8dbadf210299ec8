/**
 * Creator milestones (`creator-metrics-oracle.md`, "Milestone Thresholds"): plays 1K, 5K, 10K,
 * 20K, 50K; followers 1K, 5K, 10K; revenue 100 FIL per month. A milestone is reached when the
 * value is at or above its threshold, and is recorded once per creator (`creator_milestones`
 * is unique per creator and milestone id): a creator who falls back under a threshold keeps it.
 */
export type MilestoneKind = 'plays' | 'followers' | 'revenue';

export interface Milestone {
  /** Stable id, stored in `creator_milestones.milestone`. */
  readonly id: string;
  readonly kind: MilestoneKind;
  /** Plays or followers as a count; revenue in attoFIL per month. */
  readonly threshold: bigint;
  readonly description: string;
}

export const ATTO_PER_FIL = 10n ** 18n;

export const MILESTONES: readonly Milestone[] = [
  { id: 'plays_1k', kind: 'plays', threshold: 1_000n, description: '1K plays' },
  { id: 'plays_5k', kind: 'plays', threshold: 5_000n, description: '5K plays' },
  { id: 'plays_10k', kind: 'plays', threshold: 10_000n, description: '10K plays' },
  { id: 'plays_20k', kind: 'plays', threshold: 20_000n, description: '20K plays' },
  { id: 'plays_50k', kind: 'plays', threshold: 50_000n, description: '50K plays' },
  { id: 'followers_1k', kind: 'followers', threshold: 1_000n, description: '1K followers' },
  { id: 'followers_5k', kind: 'followers', threshold: 5_000n, description: '5K followers' },
  { id: 'followers_10k', kind: 'followers', threshold: 10_000n, description: '10K followers' },
  {
    id: 'revenue_100fil_month',
    kind: 'revenue',
    threshold: 100n * ATTO_PER_FIL,
    description: '100 FIL monthly revenue',
  },
];

export interface MilestoneValues {
  readonly totalPlays: number;
  readonly followers: number;
  readonly monthlyRevenueAttoFil: bigint;
}

export interface ReachedMilestone {
  readonly milestone: Milestone;
  /** The value that reached it, in the milestone's unit. */
  readonly value: bigint;
}

function valueFor(kind: MilestoneKind, values: MilestoneValues): bigint {
  switch (kind) {
    case 'plays':
      return BigInt(values.totalPlays);
    case 'followers':
      return BigInt(values.followers);
    case 'revenue':
      return values.monthlyRevenueAttoFil;
  }
}

/** Every milestone the values are at or above, in table order. */
export function reachedMilestones(values: MilestoneValues): ReachedMilestone[] {
  const reached: ReachedMilestone[] = [];
  for (const milestone of MILESTONES) {
    const value = valueFor(milestone.kind, values);
    if (value >= milestone.threshold) reached.push({ milestone, value });
  }
  return reached;
}

/** The milestones reached now that are not among the recorded ids: what to record this run. */
export function newlyReachedMilestones(
  values: MilestoneValues,
  recorded: Iterable<string>,
): ReachedMilestone[] {
  const known = new Set(recorded);
  return reachedMilestones(values).filter((reached) => !known.has(reached.milestone.id));
}

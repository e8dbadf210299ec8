/**
 * Creator milestones (`creator-metrics-oracle.md`, "Milestone Thresholds"): plays 1K, 5K, 10K,
 * 20K, 50K; followers 1K, 5K, 10K; revenue 100 FIL per month ("Configurable milestone
 * thresholds": these are the defaults of settings). A milestone is reached when the value is at
 * or above its threshold, and is recorded once per creator (`creator_milestones` is unique per
 * creator and milestone id): a creator who falls back under a threshold keeps it.
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

/** The thresholds of each kind, ascending; the milestone table is derived from them. */
export interface MilestoneThresholds {
  readonly plays: readonly bigint[];
  readonly followers: readonly bigint[];
  /** attoFIL per month. */
  readonly revenueAttoFilPerMonth: readonly bigint[];
}

/** The source's table; each list is a setting (config.ts, `CREATOR_MILESTONES_*`). */
export const DEFAULT_MILESTONE_THRESHOLDS: MilestoneThresholds = {
  plays: [1_000n, 5_000n, 10_000n, 20_000n, 50_000n],
  followers: [1_000n, 5_000n, 10_000n],
  revenueAttoFilPerMonth: [100n * ATTO_PER_FIL],
};

/** 1000 → 1K, 2500 → 2.5K, 1000000 → 1M, 750 → 750. */
function compactCount(value: bigint): string {
  for (const [unit, suffix] of [
    [1_000_000n, 'M'],
    [1_000n, 'K'],
  ] as const) {
    if (value >= unit && (value * 10n) % unit === 0n) {
      const tenths = (value * 10n) / unit;
      return `${tenths / 10n}${tenths % 10n === 0n ? '' : `.${tenths % 10n}`}${suffix}`;
    }
  }
  return value.toString();
}

/** attoFIL as FIL without trailing zeros: 100000000000000000000 → "100", 5·10^17 → "0.5". */
export function formatFil(attoFil: bigint): string {
  const whole = attoFil / ATTO_PER_FIL;
  const fraction = (attoFil % ATTO_PER_FIL).toString().padStart(18, '0').replace(/0+$/, '');
  return fraction === '' ? whole.toString() : `${whole}.${fraction}`;
}

/**
 * The milestone table for these thresholds, in kind order then ascending. Ids are derived from
 * the threshold (`plays_1k`, `followers_10k`, `revenue_100fil_month`), so a milestone keeps its id,
 * and the creators who reached it, when the list around it changes.
 */
export function milestoneTable(thresholds: MilestoneThresholds): Milestone[] {
  const ascending = (values: readonly bigint[]) =>
    [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return [
    ...ascending(thresholds.plays).map((threshold) => ({
      id: `plays_${compactCount(threshold).toLowerCase().replace('.', '_')}`,
      kind: 'plays' as const,
      threshold,
      description: `${compactCount(threshold)} plays`,
    })),
    ...ascending(thresholds.followers).map((threshold) => ({
      id: `followers_${compactCount(threshold).toLowerCase().replace('.', '_')}`,
      kind: 'followers' as const,
      threshold,
      description: `${compactCount(threshold)} followers`,
    })),
    ...ascending(thresholds.revenueAttoFilPerMonth).map((threshold) => ({
      id: `revenue_${formatFil(threshold).replace('.', '_')}fil_month`,
      kind: 'revenue' as const,
      threshold,
      description: `${formatFil(threshold)} FIL monthly revenue`,
    })),
  ];
}

export const MILESTONES: readonly Milestone[] = milestoneTable(DEFAULT_MILESTONE_THRESHOLDS);

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
export function reachedMilestones(
  values: MilestoneValues,
  milestones: readonly Milestone[] = MILESTONES,
): ReachedMilestone[] {
  const reached: ReachedMilestone[] = [];
  for (const milestone of milestones) {
    const value = valueFor(milestone.kind, values);
    if (value >= milestone.threshold) reached.push({ milestone, value });
  }
  return reached;
}

/** The milestones reached now that are not among the recorded ids: what to record this run. */
export function newlyReachedMilestones(
  values: MilestoneValues,
  recorded: Iterable<string>,
  milestones: readonly Milestone[] = MILESTONES,
): ReachedMilestone[] {
  const known = new Set(recorded);
  return reachedMilestones(values, milestones).filter((reached) => !known.has(reached.milestone.id));
}

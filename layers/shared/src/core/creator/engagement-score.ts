/**
 * The creator engagement score (0–100), as `creator-metrics-oracle.md` / `streamvault-database.md`
 * define it, with DESIGN.md's edge rules:
 *   playToFollowerRatio = min(plays / followers / 10, 40)
 *   interactionRate     = min((likes + 2·comments) / plays · 100, 30)
 *   contentConsistency  = min(tracksPerMonth · 10, 30)
 * Zero followers count as one follower; zero plays give an interaction rate of 0;
 * tracksPerMonth is the number of tracks published in the last 30 days.
 */
export interface EngagementInputs {
  readonly totalPlays: number;
  readonly followers: number;
  readonly likes: number;
  readonly comments: number;
  /** Tracks published in the 30 days before the metrics were taken. */
  readonly tracksLast30Days: number;
}

export interface EngagementScore {
  readonly playToFollowerRatio: number;
  readonly interactionRate: number;
  readonly contentConsistency: number;
  /** The sum, 0–100, as a float (for display). */
  readonly score: number;
  /** The score ×100 as an integer 0–10000: the value sent on-chain. */
  readonly scoreX100: number;
}

export const PLAY_RATIO_CAP = 40;
export const INTERACTION_CAP = 30;
export const CONSISTENCY_CAP = 30;

function assertCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${value}`);
  }
}

export function engagementScore(inputs: EngagementInputs): EngagementScore {
  const { totalPlays, likes, comments, tracksLast30Days } = inputs;
  assertCount('totalPlays', totalPlays);
  assertCount('followers', inputs.followers);
  assertCount('likes', likes);
  assertCount('comments', comments);
  assertCount('tracksLast30Days', tracksLast30Days);
  const followers = Math.max(inputs.followers, 1);
  const playToFollowerRatio = Math.min(totalPlays / followers / 10, PLAY_RATIO_CAP);
  const interactionRate =
    totalPlays === 0 ? 0 : Math.min(((likes + 2 * comments) / totalPlays) * 100, INTERACTION_CAP);
  const contentConsistency = Math.min(tracksLast30Days * 10, CONSISTENCY_CAP);
  return {
    playToFollowerRatio,
    interactionRate,
    contentConsistency,
    score: playToFollowerRatio + interactionRate + contentConsistency,
    scoreX100: engagementScoreX100(inputs),
  };
}

/**
 * The on-chain value: floor(score × 100), computed exactly in integers so that the same inputs
 * give the same integer on every machine and a score that is exactly on a hundredth (say 40.00)
 * is never sent as one less through a float rounding error. Floor, not round-half-up: a creator
 * is never shown on-chain above the score the formula gives.
 *   ratio×100       = plays·10 / followers                        (cap 4000)
 *   interaction×100 = (likes + 2·comments)·10000 / plays          (cap 3000)
 *   consistency×100 = tracks·1000                                 (cap 3000)
 */
export function engagementScoreX100(inputs: EngagementInputs): number {
  const plays = BigInt(inputs.totalPlays);
  const followers = BigInt(Math.max(inputs.followers, 1));
  const interactions = BigInt(inputs.likes) + 2n * BigInt(inputs.comments);

  // Each capped term as a fraction num/den.
  let ratioNum = plays * 10n;
  let ratioDen = followers;
  if (ratioNum >= 4000n * ratioDen) {
    ratioNum = 4000n;
    ratioDen = 1n;
  }
  let interactionNum = 0n;
  let interactionDen = 1n;
  if (plays > 0n) {
    interactionNum = interactions * 10000n;
    interactionDen = plays;
    if (interactionNum >= 3000n * interactionDen) {
      interactionNum = 3000n;
      interactionDen = 1n;
    }
  }
  const consistency = BigInt(Math.min(inputs.tracksLast30Days * 1000, 3000));
  const numerator = ratioNum * interactionDen + interactionNum * ratioDen;
  const denominator = ratioDen * interactionDen;
  return Number(numerator / denominator + consistency);
}

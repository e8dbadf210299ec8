import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type EngagementInputs,
  engagementScore,
  engagementScoreX100,
} from '../../../layers/shared/src/core/creator/engagement-score.ts';

function inputs(overrides: Partial<EngagementInputs> = {}): EngagementInputs {
  return { totalPlays: 0, followers: 0, likes: 0, comments: 0, tracksLast30Days: 0, ...overrides };
}

describe('engagement score', () => {
  it('is zero for a creator with no plays, followers or tracks', () => {
    const score = engagementScore(inputs());
    expect(score.score).toBe(0);
    expect(score.scoreX100).toBe(0);
  });

  it('counts zero followers as one follower', () => {
    const zero = engagementScore(inputs({ totalPlays: 50, followers: 0 }));
    const one = engagementScore(inputs({ totalPlays: 50, followers: 1 }));
    expect(zero.playToFollowerRatio).toBe(5);
    expect(zero).toEqual(one);
  });

  it('gives an interaction rate of zero when there are no plays, whatever the likes and comments', () => {
    const score = engagementScore(inputs({ totalPlays: 0, likes: 40, comments: 7, followers: 3 }));
    expect(score.interactionRate).toBe(0);
    expect(score.scoreX100).toBe(0);
  });

  it('reaches the play ratio cap of 40 exactly at 400 plays per follower and stays there above it', () => {
    expect(engagementScore(inputs({ totalPlays: 3_999, followers: 10 })).playToFollowerRatio).toBeCloseTo(
      39.99,
    );
    expect(engagementScore(inputs({ totalPlays: 4_000, followers: 10 })).playToFollowerRatio).toBe(40);
    expect(engagementScore(inputs({ totalPlays: 4_001, followers: 10 })).playToFollowerRatio).toBe(40);
    expect(engagementScoreX100(inputs({ totalPlays: 3_999, followers: 10 }))).toBe(3_999);
    expect(engagementScoreX100(inputs({ totalPlays: 4_000, followers: 10 }))).toBe(4_000);
    expect(engagementScoreX100(inputs({ totalPlays: 4_001, followers: 10 }))).toBe(4_000);
  });

  it('weighs a comment as two likes and caps the interaction rate at 30 from 30 % upwards', () => {
    // 1,000 plays, huge follower base so the ratio term is ~0
    const base = { totalPlays: 1_000, followers: 1_000_000 };
    expect(engagementScore(inputs({ ...base, likes: 100, comments: 50 })).interactionRate).toBe(20);
    expect(engagementScoreX100(inputs({ ...base, likes: 299 }))).toBe(2_990);
    expect(engagementScoreX100(inputs({ ...base, likes: 300 }))).toBe(3_000);
    expect(engagementScoreX100(inputs({ ...base, likes: 100, comments: 100 }))).toBe(3_000);
    expect(engagementScoreX100(inputs({ ...base, likes: 301 }))).toBe(3_000);
  });

  it('gives 10 points per track published in the last 30 days, up to 30 at three tracks', () => {
    expect(engagementScoreX100(inputs({ tracksLast30Days: 1 }))).toBe(1_000);
    expect(engagementScoreX100(inputs({ tracksLast30Days: 2 }))).toBe(2_000);
    expect(engagementScoreX100(inputs({ tracksLast30Days: 3 }))).toBe(3_000);
    expect(engagementScoreX100(inputs({ tracksLast30Days: 4 }))).toBe(3_000);
  });

  it('scores 100 (10000 on-chain) when every term is at its cap', () => {
    const score = engagementScore(
      inputs({ totalPlays: 10_000, followers: 1, likes: 5_000, tracksLast30Days: 9 }),
    );
    expect(score.score).toBe(100);
    expect(score.scoreX100).toBe(10_000);
  });

  it('floors the on-chain value: 1 play over 3 followers is 3.33… points, sent as 333', () => {
    expect(engagementScoreX100(inputs({ totalPlays: 100, followers: 3 }))).toBe(333);
  });

  it('sends floor(score × 100) exactly, between 0 and 10000, for any inputs', () => {
    const count = fc.integer({ min: 0, max: 10_000_000 });
    fc.assert(
      fc.property(
        count,
        count,
        count,
        count,
        fc.integer({ min: 0, max: 50 }),
        (plays, followers, likes, comments, tracks) => {
          const x = inputs({ totalPlays: plays, followers, likes, comments, tracksLast30Days: tracks });
          const score = engagementScore(x);
          expect(score.scoreX100).toBeGreaterThanOrEqual(0);
          expect(score.scoreX100).toBeLessThanOrEqual(10_000);
          expect(score.score).toBeGreaterThanOrEqual(0);
          expect(score.score).toBeLessThanOrEqual(100);
          // the float is only an approximation of the exact value the integer is the floor of
          expect(Math.abs(score.scoreX100 - score.score * 100)).toBeLessThan(1 + 1e-6);
          expect(score.scoreX100).toBeLessThanOrEqual(Math.floor(score.score * 100 + 1e-6));
        },
      ),
    );
  });

  it('rejects negative or fractional counts', () => {
    expect(() => engagementScore(inputs({ totalPlays: -1 }))).toThrow(RangeError);
    expect(() => engagementScore(inputs({ likes: 1.5 }))).toThrow(RangeError);
  });
});

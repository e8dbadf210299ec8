import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engagementScoreX100 } from '../../../layers/shared/src/core/creator/engagement-score.ts';
import { ATTO_PER_FIL } from '../../../layers/shared/src/core/creator/milestones.ts';
import { computeCreatorMetrics } from '../../../layers/shared/src/services/creator/creator-metrics.ts';
import { rollupDailyStats } from '../../../layers/shared/src/services/creator/daily-stats.ts';
import { softDeleteUser } from '../../../layers/shared/src/services/creator/user-deletion.ts';
import { type DemoCreatorPlan, seedCreatorDemo } from '../../../local/creator-demo-seed.ts';
import { createTestDatabase, type TestDatabase } from '../../fixtures/db.ts';

const NOW = new Date('2026-11-25T12:00:00Z');

describe('creator metrics in SQL over the demo catalogue', () => {
  let t: TestDatabase;
  let plans: DemoCreatorPlan[];

  beforeAll(async () => {
    t = await createTestDatabase();
    const seeded = await seedCreatorDemo(t.sql, { creators: 300, seed: 42, now: NOW });
    plans = seeded.plans;
  });
  afterAll(() => t.close());

  it('finds for every creator exactly the totals the generator planned, soft-deleted rows excluded', async () => {
    const metrics = await computeCreatorMetrics(t.sql, { asOf: NOW });
    expect(metrics).toHaveLength(300);
    const byId = new Map(metrics.map((m) => [m.creatorId, m]));
    for (const plan of plans) {
      const m = byId.get(plan.id)!;
      expect({
        plays: m.totalPlays,
        followers: m.followers,
        likes: m.likes,
        comments: m.comments,
        recent: m.tracksLast30Days,
      }).toEqual({
        plays: plan.totalPlays,
        followers: plan.followers,
        likes: plan.likes,
        comments: plan.comments,
        recent: plan.tracksLast30Days,
      });
      expect(m.onChain.engagementScoreX100).toBe(BigInt(engagementScoreX100(plan)));
    }
  });

  it('puts showcase creators on both sides of the thresholds and sums tips of the last 30 days as revenue', async () => {
    const metrics = await computeCreatorMetrics(t.sql, { asOf: NOW });
    const byName = new Map(metrics.map((m) => [m.stageName, m]));
    expect(byName.get('Launch Pad')).toMatchObject({ totalPlays: 50_000, followers: 5_000 });
    expect(byName.get('So Close')).toMatchObject({ totalPlays: 49_999, followers: 5_000 });
    expect(byName.get('Headliner')!.tipsLast30DaysAttoFil).toBe(120n * ATTO_PER_FIL);
    expect(byName.get('Almost Famous')!.tipsLast30DaysAttoFil).toBe(99n * ATTO_PER_FIL);
    expect(byName.get('Quiet Room')).toMatchObject({ totalPlays: 0, followers: 0 });
    expect(byName.get('Quiet Room')!.engagement.interactionRate).toBe(0);
  });

  it('adds 10 % of the coin market cap to the revenue only where the price source knows the price', async () => {
    const [headliner] = await t.sql<{ id: string; wallet_address: string }[]>`
      select id, wallet_address from creator.creators where stage_name = 'Headliner'`;
    const coin = '0x00000000000000000000000000000000000c0111';
    await t.sql`insert into creator.creator_coins (creator_id, name, symbol, initial_supply, request_id, status, coin_address)
      values (${headliner!.id}, 'Headliner Coin', 'HEADLINE', ${(1_000_000n * ATTO_PER_FIL).toString()}, 'test-coin', 'launched', ${coin})`;
    const wallets = [headliner!.wallet_address];
    const unpriced = await computeCreatorMetrics(t.sql, { asOf: NOW, walletAddresses: wallets });
    const salesAndTips = unpriced[0]!.purchasesLast30DaysAttoFil + unpriced[0]!.tipsLast30DaysAttoFil;
    expect(unpriced[0]!.tipsLast30DaysAttoFil).toBe(120n * ATTO_PER_FIL);
    expect(unpriced[0]!.monthlyRevenueAttoFil).toBe(salesAndTips);
    const priced = await computeCreatorMetrics(t.sql, {
      asOf: NOW,
      walletAddresses: wallets,
      prices: { pricesAttoFilPerCoin: async () => new Map([[coin, ATTO_PER_FIL / 1_000n]]) },
    });
    // 1,000,000 coins × 0.001 FIL = 1,000 FIL market cap; 10 % of it is 100 FIL
    expect(priced[0]!.coinValueShareAttoFil).toBe(100n * ATTO_PER_FIL);
    expect(priced[0]!.monthlyRevenueAttoFil).toBe(salesAndTips + 100n * ATTO_PER_FIL);
    await t.sql`delete from creator.creator_coins where creator_id = ${headliner!.id}`;
  });

  it('stops counting a deleted user follows, likes and comments', async () => {
    const [liker] = await t.sql<{ user_id: string; creator_id: string }[]>`
      select l.user_id, tr.creator_id from creator.likes l join creator.tracks tr on tr.id = l.track_id
      where l.deleted_at is null limit 1`;
    const wallet = (
      await t.sql<
        { w: string }[]
      >`select wallet_address as w from creator.creators where id = ${liker!.creator_id}`
    )[0]!.w;
    const [before] = await computeCreatorMetrics(t.sql, { asOf: NOW, walletAddresses: [wallet] });
    const [own] = await t.sql<{ likes: number; follows: number }[]>`
      select (select count(*)::int from creator.likes l join creator.tracks tr on tr.id = l.track_id
               where l.user_id = ${liker!.user_id} and tr.creator_id = ${liker!.creator_id} and l.deleted_at is null) as likes,
             (select count(*)::int from creator.follows where follower_id = ${liker!.user_id}
               and creator_id = ${liker!.creator_id} and deleted_at is null) as follows`;
    // Only the users row is marked: the metrics must exclude the rest on their own.
    await t.sql`update creator.users set deleted_at = ${NOW.toISOString()}::timestamptz where id = ${liker!.user_id}`;
    const [after] = await computeCreatorMetrics(t.sql, { asOf: NOW, walletAddresses: [wallet] });
    expect(after!.likes).toBe(before!.likes - own!.likes);
    expect(after!.followers).toBe(before!.followers - own!.follows);
    await t.sql`update creator.users set deleted_at = null where id = ${liker!.user_id}`;
    await softDeleteUser(t.sql, liker!.user_id, NOW);
    const [cascaded] = await computeCreatorMetrics(t.sql, { asOf: NOW, walletAddresses: [wallet] });
    expect(cascaded!.likes).toBe(after!.likes);
    expect(cascaded!.followers).toBe(after!.followers);
  });

  it('stops counting the plays of a deleted track', async () => {
    const [track] = await t.sql<{ id: string; wallet: string; plays: bigint }[]>`
      select tr.id, c.wallet_address as wallet, sum(p.play_count)::bigint as plays
      from creator.tracks tr join creator.creators c on c.id = tr.creator_id join creator.plays p on p.track_id = tr.id
      group by tr.id, c.wallet_address order by plays desc limit 1`;
    const [before] = await computeCreatorMetrics(t.sql, { asOf: NOW, walletAddresses: [track!.wallet] });
    await t.sql`update creator.tracks set deleted_at = ${NOW.toISOString()}::timestamptz where id = ${track!.id}`;
    const [after] = await computeCreatorMetrics(t.sql, { asOf: NOW, walletAddresses: [track!.wallet] });
    expect(after!.totalPlays).toBe(before!.totalPlays - Number(track!.plays));
    await t.sql`update creator.tracks set deleted_at = null where id = ${track!.id}`;
  });

  it('rolls a day up into creator_daily_stats and daily_stats, the same rows when run twice', async () => {
    const [busiest] = await t.sql<{ day: string }[]>`
      select to_char(played_at at time zone 'utc', 'YYYY-MM-DD') as day from creator.plays
      group by 1 order by sum(play_count) desc limit 1`;
    const day = busiest!.day;
    const first = await rollupDailyStats(t.sql, day);
    const second = await rollupDailyStats(t.sql, day);
    expect(second.creatorRows).toBe(first.creatorRows);
    const [raw] = await t.sql<{ plays: bigint }[]>`
      select coalesce(sum(play_count), 0)::bigint as plays from creator.plays
      where played_at >= ${`${day}T00:00:00Z`}::timestamptz and played_at < ${`${day}T00:00:00Z`}::timestamptz + interval '1 day'
        and deleted_at is null`;
    const [rolled] = await t.sql<{ plays: bigint; rows: number }[]>`
      select sum(plays)::bigint as plays, count(*)::int as rows from creator.creator_daily_stats where day = ${day}::date`;
    const [platform] = await t.sql<
      { plays: bigint }[]
    >`select plays::bigint from creator.daily_stats where day = ${day}::date`;
    expect(rolled!.plays).toBe(raw!.plays);
    expect(rolled!.rows).toBe(first.creatorRows);
    expect(platform!.plays).toBe(raw!.plays);
  });
});

/**
 * Creator metrics in SQL: the totals, the engagement score inputs and the revenue of every
 * creator in one query (no per-creator round trips), and the daily rollups. Soft-deleted rows
 * are excluded everywhere: a deleted creator, track, follow, like, comment or play, and anything
 * written by a deleted user.
 */
import type { Sql } from './client.ts';

export interface CreatorMetricInputs {
  readonly creatorId: string;
  readonly walletAddress: string;
  readonly stageName: string;
  readonly totalPlays: number;
  readonly followers: number;
  readonly likes: number;
  readonly comments: number;
  readonly tracksLast30Days: number;
  /** Track sales in the 30 days up to `asOf`, attoFIL. */
  readonly purchasesLast30DaysAttoFil: bigint;
  /** Tips in the 30 days up to `asOf`, attoFIL. */
  readonly tipsLast30DaysAttoFil: bigint;
  /** The launched coin, if any: address and supply in base units, for the coin value share. */
  readonly coinAddress: string | null;
  readonly coinSupply: bigint | null;
}

interface Row {
  creator_id: string;
  wallet_address: string;
  stage_name: string;
  total_plays: bigint;
  followers: bigint;
  likes: bigint;
  comments: bigint;
  tracks_last_30_days: bigint;
  purchases: string;
  tips: string;
  coin_address: string | null;
  coin_supply: string | null;
}

export interface MetricsQueryOptions {
  /** The instant the metrics are taken at; rows after it are not counted. */
  readonly asOf: Date;
  /** Only these creators (by wallet address, lowercase); all when absent. */
  readonly walletAddresses?: readonly string[];
}

/**
 * Every live creator's metric inputs as of `asOf`, ordered by wallet address. One statement:
 * each table is aggregated once, grouped by creator, and joined to the creators.
 */
export async function loadCreatorMetricInputs(
  sql: Sql,
  options: MetricsQueryOptions,
): Promise<CreatorMetricInputs[]> {
  // ISO strings with explicit casts: postgres.js binds a Date only where it knows the type.
  const asOf = options.asOf.toISOString();
  const monthAgo = new Date(options.asOf.getTime() - 30 * 86_400_000).toISOString();
  const only = options.walletAddresses;
  const creatorFilter =
    only === undefined
      ? sql``
      : sql`and c.wallet_address = any(${sql.array(only.map((a) => a.toLowerCase()))})`;
  const rows = await sql<Row[]>`
    with
    live_creators as materialized (
      select c.id, c.wallet_address, c.stage_name
      from creator.creators c
      where c.deleted_at is null ${creatorFilter}
    ),
    live_tracks as materialized (
      select t.id, t.creator_id, t.published_at
      from creator.tracks t
      join live_creators c on c.id = t.creator_id
      where t.deleted_at is null and t.published_at <= ${asOf}::timestamptz
    ),
    deleted_users as materialized (
      select id from creator.users where deleted_at is not null
    ),
    play_totals as (
      select p.creator_id, sum(p.play_count)::bigint as n
      from creator.plays p
      join live_tracks t on t.id = p.track_id
      where p.deleted_at is null and p.played_at <= ${asOf}::timestamptz
        and (p.user_id is null or p.user_id not in (select id from deleted_users))
      group by p.creator_id
    ),
    follower_totals as (
      select f.creator_id, count(*)::bigint as n
      from creator.follows f
      join live_creators c on c.id = f.creator_id
      where f.deleted_at is null and f.created_at <= ${asOf}::timestamptz
        and f.follower_id not in (select id from deleted_users)
      group by f.creator_id
    ),
    like_totals as (
      select t.creator_id, count(*)::bigint as n
      from creator.likes l
      join live_tracks t on t.id = l.track_id
      where l.deleted_at is null and l.created_at <= ${asOf}::timestamptz
        and l.user_id not in (select id from deleted_users)
      group by t.creator_id
    ),
    comment_totals as (
      select t.creator_id, count(*)::bigint as n
      from creator.comments m
      join live_tracks t on t.id = m.track_id
      where m.deleted_at is null and m.created_at <= ${asOf}::timestamptz
        and m.user_id not in (select id from deleted_users)
      group by t.creator_id
    ),
    recent_tracks as (
      select t.creator_id, count(*)::bigint as n
      from live_tracks t
      where t.published_at > ${monthAgo}::timestamptz
      group by t.creator_id
    ),
    purchase_totals as (
      select p.creator_id, sum(p.amount_atto_fil) as amount
      from creator.track_purchases p
      join live_creators c on c.id = p.creator_id
      where p.purchased_at > ${monthAgo}::timestamptz and p.purchased_at <= ${asOf}::timestamptz
      group by p.creator_id
    ),
    tip_totals as (
      select p.creator_id, sum(p.amount_atto_fil) as amount
      from creator.tips p
      join live_creators c on c.id = p.creator_id
      where p.created_at > ${monthAgo}::timestamptz and p.created_at <= ${asOf}::timestamptz
      group by p.creator_id
    )
    select
      c.id as creator_id,
      c.wallet_address,
      c.stage_name,
      coalesce(pt.n, 0)::bigint as total_plays,
      coalesce(ft.n, 0)::bigint as followers,
      coalesce(lt.n, 0)::bigint as likes,
      coalesce(ct.n, 0)::bigint as comments,
      coalesce(rt.n, 0)::bigint as tracks_last_30_days,
      coalesce(pu.amount, 0)::text as purchases,
      coalesce(ti.amount, 0)::text as tips,
      coin.coin_address,
      coin.initial_supply::text as coin_supply
    from live_creators c
    left join play_totals pt on pt.creator_id = c.id
    left join follower_totals ft on ft.creator_id = c.id
    left join like_totals lt on lt.creator_id = c.id
    left join comment_totals ct on ct.creator_id = c.id
    left join recent_tracks rt on rt.creator_id = c.id
    left join purchase_totals pu on pu.creator_id = c.id
    left join tip_totals ti on ti.creator_id = c.id
    left join creator.creator_coins coin on coin.creator_id = c.id and coin.status = 'launched'
    order by c.wallet_address`;
  return rows.map((row) => ({
    creatorId: row.creator_id,
    walletAddress: row.wallet_address,
    stageName: row.stage_name,
    totalPlays: Number(row.total_plays),
    followers: Number(row.followers),
    likes: Number(row.likes),
    comments: Number(row.comments),
    tracksLast30Days: Number(row.tracks_last_30_days),
    purchasesLast30DaysAttoFil: BigInt(row.purchases),
    tipsLast30DaysAttoFil: BigInt(row.tips),
    coinAddress: row.coin_address,
    coinSupply: row.coin_supply === null ? null : BigInt(row.coin_supply),
  }));
}

export interface DailyRollupResult {
  readonly day: string;
  readonly creatorRows: number;
}

/**
 * Recomputes `creator_daily_stats` and `daily_stats` for one UTC day (YYYY-MM-DD) from the raw
 * tables, replacing what was there: running it twice gives the same rows.
 */
export async function rollupDailyStats(sql: Sql, day: string): Promise<DailyRollupResult> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`day must be YYYY-MM-DD, got ${day}`);
  return sql.begin(async (tx) => {
    const start = `${day}T00:00:00Z`;
    // A creator with no activity left that day (a like deleted since) must lose its row too.
    await tx`delete from creator.creator_daily_stats where day = ${day}::date`;
    const rows = await tx<{ n: number }[]>`
      with
      bounds as (select ${start}::timestamptz as lo, ${start}::timestamptz + interval '1 day' as hi),
      live_creators as materialized (select id from creator.creators where deleted_at is null),
      live_tracks as materialized (
        select t.id, t.creator_id, t.published_at from creator.tracks t
        join live_creators c on c.id = t.creator_id where t.deleted_at is null
      ),
      deleted_users as materialized (select id from creator.users where deleted_at is not null),
      d_plays as (
        select p.creator_id, sum(p.play_count)::bigint as n from creator.plays p, bounds b
        where p.played_at >= b.lo and p.played_at < b.hi and p.deleted_at is null
          and p.track_id in (select id from live_tracks)
          and (p.user_id is null or p.user_id not in (select id from deleted_users))
        group by p.creator_id
      ),
      d_follows as (
        select f.creator_id, count(*)::int as n from creator.follows f, bounds b
        where f.created_at >= b.lo and f.created_at < b.hi and f.deleted_at is null
          and f.follower_id not in (select id from deleted_users)
        group by f.creator_id
      ),
      d_likes as (
        select t.creator_id, count(*)::int as n from creator.likes l join live_tracks t on t.id = l.track_id, bounds b
        where l.created_at >= b.lo and l.created_at < b.hi and l.deleted_at is null
          and l.user_id not in (select id from deleted_users)
        group by t.creator_id
      ),
      d_comments as (
        select t.creator_id, count(*)::int as n from creator.comments m join live_tracks t on t.id = m.track_id, bounds b
        where m.created_at >= b.lo and m.created_at < b.hi and m.deleted_at is null
          and m.user_id not in (select id from deleted_users)
        group by t.creator_id
      ),
      d_tracks as (
        select t.creator_id, count(*)::int as n from live_tracks t, bounds b
        where t.published_at >= b.lo and t.published_at < b.hi
        group by t.creator_id
      ),
      d_revenue as (
        select creator_id, sum(amount)::numeric(78,0) as amount from (
          select p.creator_id, p.amount_atto_fil as amount from creator.track_purchases p, bounds b
          where p.purchased_at >= b.lo and p.purchased_at < b.hi
          union all
          select t.creator_id, t.amount_atto_fil from creator.tips t, bounds b
          where t.created_at >= b.lo and t.created_at < b.hi
        ) r group by creator_id
      ),
      active as (
        select creator_id from d_plays union select creator_id from d_follows union select creator_id from d_likes
        union select creator_id from d_comments union select creator_id from d_tracks union select creator_id from d_revenue
      ),
      inserted as (
        insert into creator.creator_daily_stats
          (creator_id, day, plays, new_followers, likes, comments, tracks_published, revenue_atto_fil, updated_at)
        select a.creator_id, ${day}::date, coalesce(p.n, 0), coalesce(f.n, 0), coalesce(l.n, 0), coalesce(m.n, 0),
               coalesce(t.n, 0), coalesce(r.amount, 0), now()
        from active a
        join live_creators c on c.id = a.creator_id
        left join d_plays p on p.creator_id = a.creator_id
        left join d_follows f on f.creator_id = a.creator_id
        left join d_likes l on l.creator_id = a.creator_id
        left join d_comments m on m.creator_id = a.creator_id
        left join d_tracks t on t.creator_id = a.creator_id
        left join d_revenue r on r.creator_id = a.creator_id
        returning 1
      )
      select count(*)::int as n from inserted`;
    await tx`
      insert into creator.daily_stats
        (day, plays, active_creators, new_users, new_follows, likes, comments, tracks_published, revenue_atto_fil, updated_at)
      select ${day}::date,
             coalesce(sum(s.plays), 0), count(*) filter (where s.plays > 0),
             (select count(*) from creator.users u
               where u.created_at >= ${start}::timestamptz and u.created_at < ${start}::timestamptz + interval '1 day'
                 and u.deleted_at is null),
             coalesce(sum(s.new_followers), 0), coalesce(sum(s.likes), 0), coalesce(sum(s.comments), 0),
             coalesce(sum(s.tracks_published), 0), coalesce(sum(s.revenue_atto_fil), 0), now()
      from creator.creator_daily_stats s where s.day = ${day}::date
      on conflict (day) do update set
        plays = excluded.plays, active_creators = excluded.active_creators, new_users = excluded.new_users,
        new_follows = excluded.new_follows, likes = excluded.likes, comments = excluded.comments,
        tracks_published = excluded.tracks_published, revenue_atto_fil = excluded.revenue_atto_fil,
        updated_at = excluded.updated_at`;
    return { day, creatorRows: rows[0]?.n ?? 0 };
  });
}

/**
 * Soft-deletes a user and everything they wrote (follows, likes, comments, playlists, plays),
 * in one transaction. The rows stay for audit; every metric stops counting them.
 */
export async function softDeleteUser(sql: Sql, userId: string, when: Date): Promise<void> {
  const at = when.toISOString();
  await sql.begin(async (tx) => {
    await tx`update creator.users set deleted_at = ${at}::timestamptz, updated_at = ${at}::timestamptz where id = ${userId} and deleted_at is null`;
    await tx`update creator.follows set deleted_at = ${at}::timestamptz where follower_id = ${userId} and deleted_at is null`;
    await tx`update creator.likes set deleted_at = ${at}::timestamptz where user_id = ${userId} and deleted_at is null`;
    await tx`update creator.comments set deleted_at = ${at}::timestamptz where user_id = ${userId} and deleted_at is null`;
    await tx`update creator.playlists set deleted_at = ${at}::timestamptz where owner_id = ${userId} and deleted_at is null`;
    await tx`update creator.plays set deleted_at = ${at}::timestamptz where user_id = ${userId} and deleted_at is null`;
  });
}

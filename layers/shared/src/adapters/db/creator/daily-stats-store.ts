/**
 * The daily rollups (`creator_daily_stats`, `daily_stats`) recomputed for one UTC day from the raw
 * tables. Run inside one transaction with the clear first, so a day is replaced whole.
 */
import type { Queryable } from '../../../ports/sql.ts';

/** Removes a day's per-creator rows: a creator with no activity left that day must lose its row. */
export async function clearCreatorDailyStats(q: Queryable, day: string): Promise<void> {
  await q`delete from creator.creator_daily_stats where day = ${day}::date`;
}

/** Writes a day's per-creator rows for every live creator active that day; returns how many. */
export async function insertCreatorDailyStats(q: Queryable, day: string): Promise<number> {
  const start = `${day}T00:00:00Z`;
  const rows = await q<{ n: number }[]>`
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
  return rows[0]?.n ?? 0;
}

/** Writes (or replaces) the platform's row for the day from its per-creator rows. */
export async function upsertPlatformDailyStats(q: Queryable, day: string): Promise<void> {
  const start = `${day}T00:00:00Z`;
  await q`
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
}

/**
 * Creator metrics in SQL: the totals, the engagement score inputs and the revenue of every
 * creator in one query (no per-creator round trips). Soft-deleted rows are excluded: a deleted
 * creator, track, follow, like, comment or play, and anything written by a deleted user.
 */
import type { Queryable } from '../../../ports/sql.ts';

/** Computed per creator (aggregates over several tables), so typed here rather than inferred. */
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

/** The statement's computed columns as postgres.js returns them (numeric sums as text). */
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
  q: Queryable,
  options: MetricsQueryOptions,
): Promise<CreatorMetricInputs[]> {
  // ISO strings with explicit casts: postgres.js binds a Date only where it knows the type.
  const asOf = options.asOf.toISOString();
  const monthAgo = new Date(options.asOf.getTime() - 30 * 86_400_000).toISOString();
  const only = options.walletAddresses;
  const creatorFilter =
    only === undefined ? q`` : q`and c.wallet_address = any(${q.array(only.map((a) => a.toLowerCase()))})`;
  const rows = await q<Row[]>`
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

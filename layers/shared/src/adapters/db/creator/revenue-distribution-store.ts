/**
 * What each launched coin's holders are owed per quarter (`creator.revenue_distributions`), one row
 * per (creator, quarter), written once.
 */
import type { Queryable } from '../../../ports/sql.ts';

export interface QuarterShare {
  /** "2026-Q3" */
  readonly quarterId: string;
  readonly start: Date;
  readonly end: Date;
  /** The holders' share of the revenue, basis points. */
  readonly holderShareBps: number;
  /** The most a creator must have earned in some 30 days of the period to be owed anything. */
  readonly minMonthlyRevenueAttoFil: bigint;
}

/**
 * Records the quarter's distributions: for each creator with a coin launched before the quarter's
 * end, the track sales and tips from the later of the quarter's start and the launch to the
 * quarter's end, if their best 30 days in that period reached the minimum. A creator already
 * recorded for the quarter is left alone. Returns how many rows were written.
 */
export async function insertQuarterDistributions(q: Queryable, share: QuarterShare): Promise<number> {
  const start = share.start.toISOString();
  const end = share.end.toISOString();
  const bps = share.holderShareBps;
  const minimum = share.minMonthlyRevenueAttoFil.toString();
  const rows = await q`
    with holders as (
      select k.creator_id, greatest(${start}::timestamptz, k.launched_at) as period_start
      from creator.creator_coins k join creator.creators c on c.id = k.creator_id
      where k.status = 'launched' and k.launched_at < ${end}::timestamptz and c.deleted_at is null
    ),
    revenue as (
      select h.creator_id, p.purchased_at as at, p.amount_atto_fil as purchase, 0::numeric as tip
      from holders h join creator.track_purchases p on p.creator_id = h.creator_id
      where p.purchased_at >= h.period_start and p.purchased_at < ${end}::timestamptz
      union all
      select h.creator_id, t.created_at, 0, t.amount_atto_fil
      from holders h join creator.tips t on t.creator_id = h.creator_id
      where t.created_at >= h.period_start and t.created_at < ${end}::timestamptz
    ),
    best_month as (
      -- The most earned in any 30 days of the period: each window ending at a sale or tip.
      select creator_id, max(month) as month
      from (
        select creator_id,
               sum(purchase + tip) over (partition by creator_id order by at
                 range between interval '30 days' preceding and current row) as month
        from revenue
      ) windows
      group by creator_id
    ),
    sums as (
      select h.creator_id, h.period_start,
             coalesce(sum(r.purchase), 0) as purchases, coalesce(sum(r.tip), 0) as tips
      from holders h
      join best_month b on b.creator_id = h.creator_id and b.month >= ${minimum}::numeric
      left join revenue r on r.creator_id = h.creator_id
      group by h.creator_id, h.period_start
    )
    insert into creator.revenue_distributions
      (creator_id, quarter, period_start, period_end, purchases_atto_fil, tips_atto_fil, revenue_atto_fil,
       holder_share_bps, holder_share_atto_fil)
    select creator_id, ${share.quarterId}, period_start, ${end}::timestamptz, purchases, tips, purchases + tips,
           ${bps}, div((purchases + tips) * ${bps}, 10000)
    from sums
    on conflict (creator_id, quarter) do nothing
    returning 1`;
  return rows.length;
}

/**
 * The named queries of the recovery dashboard (services/attention/recovery-snapshot.ts): a day's
 * snapshot counted from the carry ledger, the sealed participants and the tree builds as they
 * stood at `as_of` and upserted by day, and the stored snapshots.
 */

import type { recoverySnapshots } from '../../../../../../drizzle/schema/attention-recovery.ts';
import type { RecoveryWindow } from '../../../core/attention/recovery-day.ts';
import type { Queryable } from '../../../ports/sql.ts';

/** A stored snapshot; its times as epoch milliseconds (a client may be set to read timestamps as text). */
export type StoredRecoverySnapshot = Pick<
  typeof recoverySnapshots.$inferSelect,
  | 'day'
  | 'carriedViewers'
  | 'carriedAmount'
  | 'recoveredViewers'
  | 'recoveredAmount'
  | 'orphanedViewers'
  | 'returnedViewers'
  | 'participants'
  | 'mappedParticipants'
  | 'boundParticipants'
  | 'sealedParticipations'
  | 'sealedAmount'
  | 'overflowParticipations'
  | 'overflowAmount'
> & {
  readonly asOfMs: number;
  readonly takenAtMs: number;
};

function snapshotColumns(q: Queryable) {
  return q`
  to_char(r.day, 'YYYY-MM-DD') as day,
  (extract(epoch from r.as_of) * 1000)::float8 as "asOfMs", (extract(epoch from r.taken_at) * 1000)::float8 as "takenAtMs",
  r.carried_viewers as "carriedViewers", r.carried_amount::text as "carriedAmount",
  r.recovered_viewers as "recoveredViewers", r.recovered_amount::text as "recoveredAmount",
  r.orphaned_viewers as "orphanedViewers", r.returned_viewers as "returnedViewers",
  r.participants, r.mapped_participants as "mappedParticipants", r.bound_participants as "boundParticipants",
  r.sealed_participations as "sealedParticipations", r.sealed_amount::text as "sealedAmount",
  r.overflow_participations as "overflowParticipations", r.overflow_amount::text as "overflowAmount"`;
}

/** Counts the window's numbers and writes them as the day's row (replacing one taken before). */
export async function upsertRecoverySnapshot(
  q: Queryable,
  window: Pick<RecoveryWindow, 'day' | 'fromEpoch' | 'toEpoch' | 'start' | 'asOf'>,
): Promise<StoredRecoverySnapshot> {
  const asOf = window.asOf.toISOString();
  const [row] = await q<StoredRecoverySnapshot[]>`
    with balances as (
      -- Per viewer and token group as at as_of: the ledger is the whole history of the balances.
      select user_hash, sum(delta) as balance,
        bool_or(source_key like 'seal:%') as orphaned,
        bool_or(delta < 0) as paid,
        -sum(delta) filter (where delta < 0 and created_at >= ${window.start.toISOString()}::timestamptz) as recovered
      from attention.carry_ledger
      where created_at < ${asOf}::timestamptz
      group by user_hash, token_group
    ),
    viewers as (
      select user_hash, sum(balance) as balance, bool_or(orphaned) as orphaned,
        bool_or(orphaned) and bool_or(paid) as returned, coalesce(sum(recovered), 0) as recovered
      from balances group by user_hash
    ),
    carry as (
      select count(*) filter (where balance > 0)::int as carried_viewers,
        coalesce(sum(balance) filter (where balance > 0), 0) as carried_amount,
        count(*) filter (where recovered > 0)::int as recovered_viewers,
        coalesce(sum(recovered), 0) as recovered_amount,
        count(*) filter (where orphaned)::int as orphaned_viewers,
        count(*) filter (where returned)::int as returned_viewers
      from viewers
    ),
    day_viewers as (
      select distinct sp.user_hash from attention.sealed_participants sp
      where sp.epoch >= ${window.fromEpoch} and sp.epoch < ${window.toEpoch}
    ),
    coverage as (
      select count(*)::int as participants, count(um.user_hash)::int as mapped_participants,
        count(wb.user_hash)::int as bound_participants
      from day_viewers d
      left join attention.user_mapping um on um.user_hash = d.user_hash
      left join attention.wallet_bindings wb on wb.user_hash = d.user_hash and wb.bound_at < ${asOf}::timestamptz
      -- An opted-out viewer's mapping and binding are deleted: they are left out, as MappingCoverage leaves them.
      where not exists (select 1 from attention.suppression_list s where s.user_hash = d.user_hash)
    ),
    cut as (
      -- The cap is positional (sealing order), so the last overflow_count places are beyond it.
      select b.epoch, b.channel, b.candidates - b.overflow_count as first_beyond
      from attention.tree_builds b
      where b.kind = 'channel' and b.overflow_count > 0
        and b.epoch >= ${window.fromEpoch} and b.epoch < ${window.toEpoch}
    ),
    sealed as (
      select count(*)::int as sealed_participations, coalesce(sum(sp.amount), 0) as sealed_amount,
        count(*) filter (where sp.position >= c.first_beyond)::int as overflow_participations,
        coalesce(sum(sp.amount) filter (where sp.position >= c.first_beyond), 0) as overflow_amount
      from attention.sealed_participants sp
      left join cut c on c.epoch = sp.epoch and c.channel = sp.channel
      where sp.epoch >= ${window.fromEpoch} and sp.epoch < ${window.toEpoch}
    )
    insert into attention.recovery_snapshots as r (
      day, as_of, carried_viewers, carried_amount, recovered_viewers, recovered_amount,
      orphaned_viewers, returned_viewers, participants, mapped_participants, bound_participants,
      sealed_participations, sealed_amount, overflow_participations, overflow_amount)
    select ${window.day}::date, ${asOf}::timestamptz, carried_viewers, carried_amount, recovered_viewers,
      recovered_amount, orphaned_viewers, returned_viewers, participants, mapped_participants,
      bound_participants, sealed_participations, sealed_amount, overflow_participations, overflow_amount
    from carry, coverage, sealed
    on conflict (day) do update set
      as_of = excluded.as_of, taken_at = now(), carried_viewers = excluded.carried_viewers,
      carried_amount = excluded.carried_amount, recovered_viewers = excluded.recovered_viewers,
      recovered_amount = excluded.recovered_amount, orphaned_viewers = excluded.orphaned_viewers,
      returned_viewers = excluded.returned_viewers, participants = excluded.participants,
      mapped_participants = excluded.mapped_participants, bound_participants = excluded.bound_participants,
      sealed_participations = excluded.sealed_participations, sealed_amount = excluded.sealed_amount,
      overflow_participations = excluded.overflow_participations, overflow_amount = excluded.overflow_amount
    returning ${snapshotColumns(q)}`;
  if (row === undefined) throw new Error(`recovery snapshot of ${window.day} returned nothing`);
  return row;
}

/** Stored snapshots newest day first, within the days given (each bound optional), at most `limit`. */
export async function listStoredRecoverySnapshots(
  q: Queryable,
  range: { readonly from: string | null; readonly to: string | null; readonly limit: number },
): Promise<StoredRecoverySnapshot[]> {
  return q<StoredRecoverySnapshot[]>`
    select ${snapshotColumns(q)} from attention.recovery_snapshots r
    where (${range.from}::date is null or r.day >= ${range.from}::date)
      and (${range.to}::date is null or r.day <= ${range.to}::date)
    order by r.day desc
    limit ${range.limit}`;
}

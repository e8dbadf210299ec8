/**
 * The recovery dashboard's daily snapshot (attention-oracle.md): carried balances, what binding
 * recovered of them, mapping and binding coverage of the day's participants, and the overflow past
 * the shard cap. Every number is read from records that do not change once written (the carry
 * ledger up to `asOf`, the sealed participants and the tree builds of the day's epochs), and the
 * row is upserted by day: taking a day again replaces its row, never adds to it.
 * README.md, "Recovery dashboard", defines each number.
 */

import { checkDayRange, percentOf, type RecoveryWindow } from '../../core/attention/recovery-day.ts';
import { METRIC } from '../../metric-names.ts';
import { MetricUnit, metrics } from '../../observability.ts';
import type { Sql } from '../../ports/sql.ts';

export interface RecoverySnapshot {
  readonly day: string;
  readonly asOf: string;
  readonly takenAt: string;
  readonly complete: boolean;
  readonly carried: { readonly viewers: number; readonly amount: string };
  readonly recovered: {
    readonly viewers: number;
    readonly amount: string;
    /** Viewers ever left unbound at a tree, those a carry tree has paid since, and the share (%). */
    readonly orphanedViewers: number;
    readonly returnedViewers: number;
    readonly rate: number | null;
  };
  readonly coverage: {
    readonly participants: number;
    readonly mapped: number;
    readonly bound: number;
    /** Percent of participants with a user_mapping row (the source's mapping rate). */
    readonly mapping: number | null;
    /** Percent of participants with a wallet binding at `asOf`. */
    readonly binding: number | null;
  };
  readonly overflow: {
    readonly sealedParticipations: number;
    readonly sealedAmount: string;
    readonly participations: number;
    readonly amount: string;
    readonly participationShare: number | null;
    readonly amountShare: number | null;
  };
}

interface SnapshotRow {
  day: string;
  as_of_ms: number;
  taken_at_ms: number;
  carried_viewers: number;
  carried_amount: string;
  recovered_viewers: number;
  recovered_amount: string;
  orphaned_viewers: number;
  returned_viewers: number;
  participants: number;
  mapped_participants: number;
  bound_participants: number;
  sealed_participations: number;
  sealed_amount: string;
  overflow_participations: number;
  overflow_amount: string;
}

/** Takes (or takes again) the day's snapshot and emits it as metrics. */
export async function takeRecoverySnapshot(sql: Sql, window: RecoveryWindow): Promise<RecoverySnapshot> {
  const asOf = window.asOf.toISOString();
  const [row] = await sql<SnapshotRow[]>`
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
    returning ${snapshotColumns(sql)}`;
  const snapshot = snapshotOf(row as SnapshotRow, window.complete);
  emitRecoveryMetrics(snapshot);
  return snapshot;
}

export interface RecoveryQuery {
  /** Days from and to (inclusive), `YYYY-MM-DD`. */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  /** At most this many days, newest first. @default 31 */
  readonly limit?: number | undefined;
}

/** Snapshots newest day first, within the days asked for. */
export async function listRecoverySnapshots(
  sql: Sql,
  query: RecoveryQuery = {},
): Promise<RecoverySnapshot[]> {
  checkDayRange(query.from, query.to);
  const rows = await sql<SnapshotRow[]>`
    select ${snapshotColumns(sql)} from attention.recovery_snapshots r
    where (${query.from ?? null}::date is null or r.day >= ${query.from ?? null}::date)
      and (${query.to ?? null}::date is null or r.day <= ${query.to ?? null}::date)
    order by r.day desc
    limit ${query.limit ?? 31}`;
  // A stored row is complete once its as_of reached 01:00 of the next day.
  return rows.map((r) => snapshotOf(r, r.as_of_ms >= Date.parse(`${r.day}T00:00:00Z`) + 90_000_000));
}

/** The numbers on the dashboard (lib/stacks/monitoring-stack.ts), one point per day. */
export function emitRecoveryMetrics(s: RecoverySnapshot): void {
  metrics.addMetric(METRIC.recoveryCarriedViewers, MetricUnit.Count, s.carried.viewers);
  metrics.addMetric(METRIC.recoveryCarriedAmount, MetricUnit.Count, Number(s.carried.amount));
  metrics.addMetric(METRIC.recoveredViewers, MetricUnit.Count, s.recovered.viewers);
  metrics.addMetric(METRIC.recoveredAmount, MetricUnit.Count, Number(s.recovered.amount));
  if (s.recovered.rate !== null) metrics.addMetric(METRIC.recoveryRate, MetricUnit.Percent, s.recovered.rate);
  if (s.coverage.mapping !== null)
    metrics.addMetric(METRIC.dailyMappingCoverage, MetricUnit.Percent, s.coverage.mapping);
  if (s.coverage.binding !== null)
    metrics.addMetric(METRIC.dailyBindingCoverage, MetricUnit.Percent, s.coverage.binding);
  if (s.overflow.participationShare !== null)
    metrics.addMetric(METRIC.dailyOverflowShare, MetricUnit.Percent, s.overflow.participationShare);
  metrics.addMetric(METRIC.dailyOverflowAmount, MetricUnit.Count, Number(s.overflow.amount));
}

function snapshotColumns(sql: Sql) {
  return sql`
  to_char(r.day, 'YYYY-MM-DD') as day,
  -- as numbers: a client may be set to read timestamps as text
  (extract(epoch from r.as_of) * 1000)::float8 as as_of_ms, (extract(epoch from r.taken_at) * 1000)::float8 as taken_at_ms, r.carried_viewers, r.carried_amount::text as carried_amount,
  r.recovered_viewers, r.recovered_amount::text as recovered_amount, r.orphaned_viewers, r.returned_viewers,
  r.participants, r.mapped_participants, r.bound_participants, r.sealed_participations,
  r.sealed_amount::text as sealed_amount, r.overflow_participations, r.overflow_amount::text as overflow_amount`;
}

function snapshotOf(r: SnapshotRow, complete: boolean): RecoverySnapshot {
  return {
    day: r.day,
    asOf: new Date(r.as_of_ms).toISOString(),
    takenAt: new Date(r.taken_at_ms).toISOString(),
    complete,
    carried: { viewers: r.carried_viewers, amount: r.carried_amount },
    recovered: {
      viewers: r.recovered_viewers,
      amount: r.recovered_amount,
      orphanedViewers: r.orphaned_viewers,
      returnedViewers: r.returned_viewers,
      rate: percentOf(r.returned_viewers, r.orphaned_viewers),
    },
    coverage: {
      participants: r.participants,
      mapped: r.mapped_participants,
      bound: r.bound_participants,
      mapping: percentOf(r.mapped_participants, r.participants),
      binding: percentOf(r.bound_participants, r.participants),
    },
    overflow: {
      sealedParticipations: r.sealed_participations,
      sealedAmount: r.sealed_amount,
      participations: r.overflow_participations,
      amount: r.overflow_amount,
      participationShare: percentOf(r.overflow_participations, r.sealed_participations),
      amountShare: percentOf(BigInt(r.overflow_amount), BigInt(r.sealed_amount)),
    },
  };
}

/**
 * The named queries of participation: raw events written with the participation they build and
 * the username mapping in one statement (a participation row without its mapping must be
 * impossible: the source lost 421,757 records to that), and the mapping's coverage.
 */

import type { channelParticipation } from '../../../../../../drizzle/schema/attention.ts';
import type { IngestRows } from '../../../core/attention/ingest-batch.ts';
import { WEIGHT_HUNDREDTHS_PER_UNIT } from '../../../core/attention/signals.ts';
import type { Queryable } from '../../../ports/sql.ts';
import type { EpochChannel } from './sealed-epoch-store.ts';

/** A participation row's key. */
export type ParticipationKey = Pick<
  typeof channelParticipation.$inferSelect,
  'epoch' | 'channel' | 'userHash'
>;

/** A participation row some removed events were taken out of. */
export type TouchedParticipation = ParticipationKey & {
  /** No counter is left: the row held nothing but the removed events. */
  readonly empty: boolean;
  /** A removed event was the row's first (first_seen must be read again). */
  readonly firstLost: boolean;
};

/**
 * Inserts the events not stored yet (keyed by event id), adds them to participation and maps
 * their usernames; counts the events inserted and the participation rows written.
 */
export async function writeEventsWithParticipation(
  q: Queryable,
  rows: IngestRows,
): Promise<{ readonly inserted: number; readonly participation: number }> {
  const [counts] = await q<{ inserted: number; participation: number }[]>`
    with input as (
      select * from unnest(
        ${rows.ids}::text[], ${rows.channels}::text[], ${rows.userHashes}::text[], ${rows.usernames}::text[],
        ${rows.kinds}::text[], ${rows.keyIds}::text[], ${rows.amounts}::bigint[], ${rows.paidWeights}::bigint[],
        ${rows.epochs}::bigint[], ${rows.sourceEpochs}::bigint[], ${rows.occurredAtMs}::bigint[]
      ) as t(event_id, channel, user_hash, username, kind, key_id, amount, paid_weight, epoch, source_epoch, occurred_ms)
    ),
    ins as (
      insert into attention.raw_events (event_id, channel, user_hash, kind, key_id, amount, weight, epoch, source_epoch, occurred_at)
      select event_id, channel, user_hash, kind, key_id, amount, paid_weight, epoch, source_epoch, to_timestamp(occurred_ms / 1000.0)
      from input
      on conflict (event_id) do nothing
      returning channel, user_hash, kind, amount, weight, epoch, occurred_at
    ),
    part as (
      insert into attention.channel_participation as cp
        (epoch, channel, user_hash, first_seen, weight, presence, subs, resubs, gifts, bits, raiders)
      select epoch, channel, user_hash, min(occurred_at),
        ${WEIGHT_HUNDREDTHS_PER_UNIT.presence} + sum(weight),
        count(*) filter (where kind = 'presence'),
        count(*) filter (where kind = 'sub'),
        count(*) filter (where kind = 'resub'),
        coalesce(sum(amount) filter (where kind = 'gift'), 0),
        coalesce(sum(amount) filter (where kind = 'bits'), 0),
        coalesce(sum(amount) filter (where kind = 'raid'), 0)
      from ins group by epoch, channel, user_hash
      -- Any signal makes a viewer present, once per epoch: the existing row already holds that weight.
      on conflict (epoch, channel, user_hash) do update set
        first_seen = least(cp.first_seen, excluded.first_seen),
        weight = cp.weight + excluded.weight - ${WEIGHT_HUNDREDTHS_PER_UNIT.presence},
        presence = cp.presence + excluded.presence,
        subs = cp.subs + excluded.subs,
        resubs = cp.resubs + excluded.resubs,
        gifts = cp.gifts + excluded.gifts,
        bits = cp.bits + excluded.bits,
        raiders = cp.raiders + excluded.raiders,
        updated_at = now()
      returning 1
    ),
    mapping as (
      insert into attention.user_mapping as um (user_hash, username, first_seen, last_seen)
      select user_hash, min(username), to_timestamp(min(occurred_ms) / 1000.0), to_timestamp(max(occurred_ms) / 1000.0)
      from input group by user_hash
      -- A known viewer's row is rewritten at most hourly: an update per event would double the writes.
      on conflict (user_hash) do update set last_seen = excluded.last_seen
        where um.last_seen < excluded.last_seen - interval '1 hour'
      returning 1
    )
    select (select count(*)::int from ins) as inserted,
      (select count(*)::int from part) as participation,
      (select count(*)::int from mapping) as mapped`;
  return { inserted: counts?.inserted ?? 0, participation: counts?.participation ?? 0 };
}

/** Non-suppressed participants of the epoch, and how many of them have a username mapping. */
export async function countMappedParticipants(
  q: Queryable,
  epoch: number,
): Promise<{ readonly participants: number; readonly mapped: number }> {
  const [row] = await q<{ participants: number; mapped: number }[]>`
    select count(*)::int as participants, count(um.user_hash)::int as mapped
    from (select distinct user_hash from attention.channel_participation where epoch = ${epoch}) p
    left join attention.user_mapping um using (user_hash)
    where not exists (select 1 from attention.suppression_list s where s.user_hash = p.user_hash)`;
  return { participants: row?.participants ?? 0, mapped: row?.mapped ?? 0 };
}

/** Deletes the viewer's participation in (epoch, channel) pairs not sealed yet; the rows deleted. */
export async function deleteUnsealedParticipationOf(q: Queryable, userHash: string): Promise<number> {
  const deleted = await q`
    delete from attention.channel_participation cp
    where cp.user_hash = ${userHash}
      and not exists (select 1 from attention.sealed_epochs s where s.epoch = cp.epoch and s.channel = cp.channel)
    returning 1`;
  return deleted.length;
}

/** Deletes the viewer's username mapping; false when there was none. */
export async function deleteUserMapping(q: Queryable, userHash: string): Promise<boolean> {
  const deleted = await q`delete from attention.user_mapping where user_hash = ${userHash} returning 1`;
  return deleted.length > 0;
}

/**
 * The (epoch, channel) pairs holding events of an ingest API key. `key_id not in (...)` as the
 * partial index raw_events_key_idx says it, so the index serves.
 */
export async function listKeyEventPairs(q: Queryable, keyId: string): Promise<EpochChannel[]> {
  return q<EpochChannel[]>`
    select distinct epoch::float8 as epoch, channel from attention.raw_events
    where key_id = ${keyId} and key_id not in ('irc', 'unattributed')`;
}

/** Events of the key in sealed (epoch, channel) pairs. */
export async function countKeyEventsInSealedPairs(q: Queryable, keyId: string): Promise<number> {
  const [sealed] = await q<{ n: number }[]>`
    select count(*)::int as n from attention.raw_events r
    join attention.sealed_epochs s on s.epoch = r.epoch and s.channel = r.channel
    where r.key_id = ${keyId} and r.key_id not in ('irc', 'unattributed')`;
  return sealed?.n ?? 0;
}

/**
 * Deletes the key's events in the `pairs` and subtracts them from the participation rows they
 * built (one statement: participation is additive, weight = presence + the sum of paid weights,
 * each counter a sum over events); the events removed and the rows they touched.
 */
export async function removeKeyEvents(
  q: Queryable,
  keyId: string,
  pairs: readonly EpochChannel[],
): Promise<{ readonly events: number; readonly touched: TouchedParticipation[] }> {
  const [row] = await q<{ events: number; touched: string }[]>`
    with removed as (
      delete from attention.raw_events r
      using unnest(${pairs.map((p) => p.epoch)}::bigint[], ${pairs.map((p) => p.channel)}::text[]) as o(epoch, channel)
      where r.key_id = ${keyId} and r.key_id not in ('irc', 'unattributed')
        and r.epoch = o.epoch and r.channel = o.channel
      returning r.epoch, r.channel, r.user_hash, r.kind, r.amount, r.weight, r.occurred_at
    ),
    gone as (
      select epoch, channel, user_hash, count(*) as events, coalesce(sum(weight), 0) as weight,
        count(*) filter (where kind = 'presence') as presence,
        count(*) filter (where kind = 'sub') as subs,
        count(*) filter (where kind = 'resub') as resubs,
        coalesce(sum(amount) filter (where kind = 'gift'), 0) as gifts,
        coalesce(sum(amount) filter (where kind = 'bits'), 0) as bits,
        coalesce(sum(amount) filter (where kind = 'raid'), 0) as raiders,
        min(occurred_at) as first_seen
      from removed group by epoch, channel, user_hash
    ),
    updated as (
      update attention.channel_participation cp set
        weight = cp.weight - g.weight,
        presence = cp.presence - g.presence,
        subs = cp.subs - g.subs,
        resubs = cp.resubs - g.resubs,
        gifts = cp.gifts - g.gifts,
        bits = cp.bits - g.bits,
        raiders = cp.raiders - g.raiders,
        updated_at = now()
      from gone g
      where cp.epoch = g.epoch and cp.channel = g.channel and cp.user_hash = g.user_hash
      -- Every event adds at least 1 to one of these counters: all zero means none is left.
      returning cp.epoch::float8 as epoch, cp.channel, cp.user_hash as "userHash",
        cp.presence + cp.subs + cp.resubs + cp.gifts + cp.bits + cp.raiders = 0 as empty,
        g.first_seen <= cp.first_seen as "firstLost"
    )
    select (select coalesce(sum(events), 0)::int from gone) as events,
      (select coalesce(json_agg(u), '[]'::json)::text from updated u) as touched`;
  return { events: row?.events ?? 0, touched: JSON.parse(row?.touched ?? '[]') as TouchedParticipation[] };
}

export async function deleteParticipationRows(
  q: Queryable,
  rows: readonly ParticipationKey[],
): Promise<void> {
  if (rows.length === 0) return;
  await q`
    delete from attention.channel_participation cp
    using unnest(${rows.map((r) => r.epoch)}::bigint[], ${rows.map((r) => r.channel)}::text[],
      ${rows.map((r) => r.userHash)}::text[]) as e(epoch, channel, user_hash)
    where cp.epoch = e.epoch and cp.channel = e.channel and cp.user_hash = e.user_hash`;
}

/** Sets first_seen of the rows again from the events they keep. */
export async function restoreFirstSeen(q: Queryable, rows: readonly ParticipationKey[]): Promise<void> {
  if (rows.length === 0) return;
  const epochs = [...new Set(rows.map((r) => r.epoch))];
  await q`
    update attention.channel_participation cp set first_seen = m.first_seen
    from (
      select r.epoch, r.channel, r.user_hash, min(r.occurred_at) as first_seen
      from attention.raw_events r
      join unnest(${rows.map((r) => r.epoch)}::bigint[], ${rows.map((r) => r.channel)}::text[],
        ${rows.map((r) => r.userHash)}::text[]) as a(epoch, channel, user_hash)
        on r.epoch = a.epoch and r.channel = a.channel and r.user_hash = a.user_hash
      -- Bounds the read to the epochs' own blocks (raw_events_epoch_brin).
      where r.epoch = any(${epochs}::bigint[])
      group by r.epoch, r.channel, r.user_hash
    ) m
    where cp.epoch = m.epoch and cp.channel = m.channel and cp.user_hash = m.user_hash`;
}

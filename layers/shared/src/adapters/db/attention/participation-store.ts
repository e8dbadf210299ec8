/**
 * The named queries of participation: raw events written with the participation they build and
 * the username mapping in one statement (a participation row without its mapping must be
 * impossible: the source lost 421,757 records to that), and the mapping's coverage.
 */

import type { IngestRows } from '../../../core/attention/ingest-batch.ts';
import { WEIGHT_HUNDREDTHS_PER_UNIT } from '../../../core/attention/signals.ts';
import type { Queryable } from '../../../ports/sql.ts';

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

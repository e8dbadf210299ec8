/**
 * The ingest writer: one transaction per batch. Raw events go in keyed by event id (a
 * re-delivery changes nothing) with the key that sent them (so one key's events can be voided),
 * participation is upserted with the username mapping in the
 * same statement (a participation row without its mapping must be impossible: the source lost
 * 421,757 records to that), suppressed viewers are dropped, and an event whose epoch was
 * already sealed is credited to the current epoch and counted, never dropped.
 */

import { attentionLockKey, SUPPRESSION_LOCK } from '../../core/attention/locks.ts';
import {
  epochOfMs,
  type KeyedEvent,
  WEIGHT_HUNDREDTHS_PER_UNIT,
  weightOf,
} from '../../core/attention/signals.ts';
import { userHash } from '../../core/attention/user-hash.ts';
import type { Sql } from '../../ports/sql.ts';
import { lockKeys } from '../platform/advisory-locks.ts';

export interface IngestWriteResult {
  /** Events written for the first time. */
  readonly accepted: number;
  /** Events whose id was already stored (re-deliveries, replays). */
  readonly duplicates: number;
  /** Events of viewers on the suppression list, dropped. */
  readonly suppressed: number;
  /** Events whose own epoch was sealed, credited to the current epoch instead. */
  readonly late: number;
  /** Participation rows inserted or updated. */
  readonly participationRows: number;
}

const EMPTY: IngestWriteResult = { accepted: 0, duplicates: 0, suppressed: 0, late: 0, participationRows: 0 };

export async function writeIngestBatch(
  sql: Sql,
  events: readonly KeyedEvent[],
  now: Date,
): Promise<IngestWriteResult> {
  const unique = dedupeById(events);
  if (unique.length === 0) return { ...EMPTY, duplicates: events.length };
  const hashes = unique.map((e) => userHash(e.user));
  const currentEpoch = epochOfMs(now.getTime());

  return sql.begin(async (tx) => {
    // Opt-out takes this lock exclusively: no batch checks the suppression list, then writes a
    // row for a viewer who opted out in between.
    await tx`select pg_advisory_xact_lock_shared(${SUPPRESSION_LOCK})`;
    const suppressedRows = await tx<{ user_hash: string }[]>`
      select user_hash from attention.suppression_list where user_hash = any(${distinct(hashes)}::text[])`;
    const suppressedSet = new Set(suppressedRows.map((r) => r.user_hash));

    const keep: number[] = [];
    for (let i = 0; i < unique.length; i++) if (!suppressedSet.has(hashes[i] as string)) keep.push(i);
    const suppressed = unique.length - keep.length;
    if (keep.length === 0) return { ...EMPTY, suppressed, duplicates: events.length - unique.length };

    // The sealer holds the same per-(epoch, channel) lock exclusively while it freezes a
    // snapshot, so every event is either in the sealed snapshot or credited to the current
    // epoch. Writers take it shared (they may run side by side), in one sorted order.
    const keys = new Set<string>();
    for (const i of keep) {
      const e = unique[i] as KeyedEvent;
      keys.add(attentionLockKey(e.epoch, e.channel));
      keys.add(attentionLockKey(currentEpoch, e.channel));
    }
    await lockKeys(tx as unknown as Sql, keys, 'shared');
    const pairs = distinctPairs(keep.map((i) => unique[i] as KeyedEvent));
    const sealedRows = await tx<{ epoch: number; channel: string }[]>`
      select s.epoch::float8 as epoch, s.channel from attention.sealed_epochs s
      join unnest(${pairs.epochs}::bigint[], ${pairs.channels}::text[]) as p(epoch, channel)
        on s.epoch = p.epoch and s.channel = p.channel`;
    const sealed = new Set(sealedRows.map((r) => `${r.epoch}:${r.channel}`));

    const ids: string[] = [];
    const channels: string[] = [];
    const userHashes: string[] = [];
    const usernames: string[] = [];
    const kinds: string[] = [];
    const keyIds: string[] = [];
    const amounts: number[] = [];
    const paidWeights: number[] = [];
    const epochs: number[] = [];
    const sourceEpochs: number[] = [];
    const occurredAtMs: number[] = [];
    let late = 0;
    for (const i of keep) {
      const e = unique[i] as KeyedEvent;
      const isLate = sealed.has(`${e.epoch}:${e.channel}`);
      if (isLate) late++;
      ids.push(e.id);
      channels.push(e.channel);
      userHashes.push(hashes[i] as string);
      usernames.push(e.user);
      kinds.push(e.kind);
      keyIds.push(e.keyId);
      amounts.push(e.amount);
      paidWeights.push(e.kind === 'presence' ? 0 : weightOf(e.kind, e.amount));
      epochs.push(isLate ? currentEpoch : e.epoch);
      sourceEpochs.push(e.epoch);
      // A late event is first seen when it is credited, not in its sealed hour.
      occurredAtMs.push(isLate ? Math.max(e.ts, currentEpoch * 1000) : e.ts);
    }

    const [counts] = await tx<{ inserted: number; participation: number }[]>`
      with input as (
        select * from unnest(
          ${ids}::text[], ${channels}::text[], ${userHashes}::text[], ${usernames}::text[], ${kinds}::text[],
          ${keyIds}::text[], ${amounts}::bigint[], ${paidWeights}::bigint[], ${epochs}::bigint[],
          ${sourceEpochs}::bigint[], ${occurredAtMs}::bigint[]
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

    const inserted = counts?.inserted ?? 0;
    return {
      accepted: inserted,
      duplicates: events.length - unique.length + (keep.length - inserted),
      suppressed,
      late,
      participationRows: counts?.participation ?? 0,
    };
  });
}

function dedupeById(events: readonly KeyedEvent[]): KeyedEvent[] {
  const seen = new Set<string>();
  const out: KeyedEvent[] = [];
  for (const e of events) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    out.push(e);
  }
  return out;
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function distinctPairs(events: readonly KeyedEvent[]): { epochs: number[]; channels: string[] } {
  const seen = new Set<string>();
  const epochs: number[] = [];
  const channels: string[] = [];
  for (const e of events) {
    const key = `${e.epoch}:${e.channel}`;
    if (seen.has(key)) continue;
    seen.add(key);
    epochs.push(e.epoch);
    channels.push(e.channel);
  }
  return { epochs, channels };
}

/**
 * Share of non-suppressed participants of an epoch whose username is mapped (1 when there are
 * none). DESIGN.md: an alarm fires below 95 %.
 */
export async function mappingCoverage(
  sql: Sql,
  epoch: number,
): Promise<{ participants: number; mapped: number; coverage: number }> {
  const [row] = await sql<{ participants: number; mapped: number }[]>`
    select count(*)::int as participants, count(um.user_hash)::int as mapped
    from (select distinct user_hash from attention.channel_participation where epoch = ${epoch}) p
    left join attention.user_mapping um using (user_hash)
    where not exists (select 1 from attention.suppression_list s where s.user_hash = p.user_hash)`;
  const participants = row?.participants ?? 0;
  const mapped = row?.mapped ?? 0;
  return { participants, mapped, coverage: participants === 0 ? 1 : mapped / participants };
}

/**
 * Voiding an ingest API key (issue 17, H4): every event the key sent to an (epoch, channel) not
 * sealed yet is removed, and the participation those events built is taken back, in one
 * transaction. What was sealed stays as it was (as with opt-out); its events of the key are
 * counted in the answer.
 *
 * The transaction takes the per-(epoch, channel) locks exclusively, like the sealer: a pair is
 * either sealed with the key's events or voided of them, and no writer adds to a pair while it
 * is being voided. Participation is additive (weight = presence + the sum of paid weights, each
 * counter a sum over events), so the removed events are subtracted; a row none of whose counters
 * is left had no other event and goes. Only where a removed event was the viewer's first is
 * `first_seen` read again from the events that remain.
 */

import { attentionLockKey } from '../../core/attention/locks.ts';
import { RESERVED_KEY_IDS } from '../../core/attention/signals.ts';
import { ValidationError } from '../../errors.ts';
import type { Sql } from '../../ports/sql.ts';
import { recordAdminAction } from '../platform/admin-audit.ts';
import { lockKeys } from '../platform/advisory-locks.ts';

export interface VoidedIngestKey {
  readonly keyId: string;
  /** (epoch, channel) pairs not sealed yet that held events of the key. */
  readonly epochChannels: number;
  readonly eventsRemoved: number;
  /** Participation rows that held nothing but the key's events. */
  readonly participationRowsDeleted: number;
  /** Participation rows that keep other events, with the key's part taken out. */
  readonly participationRowsRecomputed: number;
  /** Events of the key in sealed pairs, left as they are. */
  readonly eventsLeftInSealedEpochs: number;
}

interface Touched {
  readonly epoch: number;
  readonly channel: string;
  readonly user_hash: string;
  readonly empty: boolean;
  readonly first_lost: boolean;
}

/** `actor` (an admin token's name, or the CLI's user) is recorded in the admin audit log in the same transaction. */
export async function voidIngestKey(sql: Sql, keyId: string, actor: string): Promise<VoidedIngestKey> {
  if (RESERVED_KEY_IDS.has(keyId)) {
    throw new ValidationError(`${keyId} names no ingest API key: its events are not voided by key`);
  }
  return sql.begin(async (tx) => {
    const t = tx as unknown as Sql;
    const result = await voidInTransaction(t, keyId);
    // The counts are the before/after: what the key had in unsealed epochs, and that none is left.
    await recordAdminAction(t, {
      actor,
      action: 'ingest-key.void',
      targetType: 'ingest-key',
      targetId: keyId,
      before: { eventsInUnsealedEpochs: result.eventsRemoved },
      after: { eventsInUnsealedEpochs: 0 },
      details: { ...result },
    });
    return result;
  });
}

async function voidInTransaction(t: Sql, keyId: string): Promise<VoidedIngestKey> {
  // `key_id not in (...)` as the partial index raw_events_key_idx says it, so the index serves.
  const pairs = await t<{ epoch: number; channel: string }[]>`
      select distinct epoch::float8 as epoch, channel from attention.raw_events
      where key_id = ${keyId} and key_id not in ('irc', 'unattributed')`;
  if (pairs.length === 0) return { ...NOTHING, keyId };
  await lockKeys(
    t,
    pairs.map((p) => attentionLockKey(p.epoch, p.channel)),
    'exclusive',
  );
  // Read under the locks: the sealer cannot seal one of these pairs until this commits.
  const open = await t<{ epoch: number; channel: string }[]>`
      select p.epoch::float8 as epoch, p.channel
      from unnest(${pairs.map((p) => p.epoch)}::bigint[], ${pairs.map((p) => p.channel)}::text[]) as p(epoch, channel)
      where not exists (select 1 from attention.sealed_epochs s where s.epoch = p.epoch and s.channel = p.channel)`;
  const [sealed] = await t<{ n: number }[]>`
      select count(*)::int as n from attention.raw_events r
      join attention.sealed_epochs s on s.epoch = r.epoch and s.channel = r.channel
      where r.key_id = ${keyId} and r.key_id not in ('irc', 'unattributed')`;
  const { events, touched } =
    open.length === 0 ? { events: 0, touched: [] } : await removeEvents(t, keyId, open);
  const empty = touched.filter((r) => r.empty);
  if (empty.length > 0) {
    await t`
        delete from attention.channel_participation cp
        using unnest(${empty.map((r) => r.epoch)}::bigint[], ${empty.map((r) => r.channel)}::text[],
          ${empty.map((r) => r.user_hash)}::text[]) as e(epoch, channel, user_hash)
        where cp.epoch = e.epoch and cp.channel = e.channel and cp.user_hash = e.user_hash`;
  }
  await restoreFirstSeen(
    t,
    touched.filter((r) => !r.empty && r.first_lost),
  );
  return {
    keyId,
    epochChannels: open.length,
    eventsRemoved: events,
    participationRowsDeleted: empty.length,
    participationRowsRecomputed: touched.length - empty.length,
    eventsLeftInSealedEpochs: sealed?.n ?? 0,
  };
}

const NOTHING: Omit<VoidedIngestKey, 'keyId'> = {
  epochChannels: 0,
  eventsRemoved: 0,
  participationRowsDeleted: 0,
  participationRowsRecomputed: 0,
  eventsLeftInSealedEpochs: 0,
};

/**
 * Deletes the key's events in `open` pairs and subtracts them from the participation rows they
 * built (one statement); says which rows were left with no event and which lost their first.
 */
async function removeEvents(
  t: Sql,
  keyId: string,
  open: readonly { epoch: number; channel: string }[],
): Promise<{ events: number; touched: Touched[] }> {
  const [row] = await t<{ events: number; touched: string }[]>`
    with removed as (
      delete from attention.raw_events r
      using unnest(${open.map((p) => p.epoch)}::bigint[], ${open.map((p) => p.channel)}::text[]) as o(epoch, channel)
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
      returning cp.epoch::float8 as epoch, cp.channel, cp.user_hash,
        cp.presence + cp.subs + cp.resubs + cp.gifts + cp.bits + cp.raiders = 0 as empty,
        g.first_seen <= cp.first_seen as first_lost
    )
    select (select coalesce(sum(events), 0)::int from gone) as events,
      (select coalesce(json_agg(u), '[]'::json)::text from updated u) as touched`;
  return { events: row?.events ?? 0, touched: JSON.parse(row?.touched ?? '[]') as Touched[] };
}

/** first_seen again from the events left, for rows whose first event was the key's. */
async function restoreFirstSeen(t: Sql, rows: readonly Touched[]): Promise<void> {
  if (rows.length === 0) return;
  const epochs = [...new Set(rows.map((r) => r.epoch))];
  await t`
    update attention.channel_participation cp set first_seen = m.first_seen
    from (
      select r.epoch, r.channel, r.user_hash, min(r.occurred_at) as first_seen
      from attention.raw_events r
      join unnest(${rows.map((r) => r.epoch)}::bigint[], ${rows.map((r) => r.channel)}::text[],
        ${rows.map((r) => r.user_hash)}::text[]) as a(epoch, channel, user_hash)
        on r.epoch = a.epoch and r.channel = a.channel and r.user_hash = a.user_hash
      -- Bounds the read to the epochs' own blocks (raw_events_epoch_brin).
      where r.epoch = any(${epochs}::bigint[])
      group by r.epoch, r.channel, r.user_hash
    ) m
    where cp.epoch = m.epoch and cp.channel = m.channel and cp.user_hash = m.user_hash`;
}

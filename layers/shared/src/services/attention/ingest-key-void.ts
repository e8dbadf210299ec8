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

import {
  countKeyEventsInSealedPairs,
  deleteParticipationRows,
  listKeyEventPairs,
  removeKeyEvents,
  restoreFirstSeen,
} from '../../adapters/db/attention/participation-store.ts';
import { findSealedPairs } from '../../adapters/db/attention/sealed-epoch-store.ts';
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
  const pairs = await listKeyEventPairs(t, keyId);
  if (pairs.length === 0) return { ...NOTHING, keyId };
  await lockKeys(
    t,
    pairs.map((p) => attentionLockKey(p.epoch, p.channel)),
    'exclusive',
  );
  // Read under the locks: the sealer cannot seal one of these pairs until this commits.
  const sealedPairs = await findSealedPairs(t, {
    epochs: pairs.map((p) => p.epoch),
    channels: pairs.map((p) => p.channel),
  });
  const open = pairs.filter((p) => !sealedPairs.has(`${p.epoch}:${p.channel}`));
  const sealedEvents = await countKeyEventsInSealedPairs(t, keyId);
  const { events, touched } =
    open.length === 0 ? { events: 0, touched: [] } : await removeKeyEvents(t, keyId, open);
  const empty = touched.filter((r) => r.empty);
  await deleteParticipationRows(t, empty);
  // Only where a removed event was the viewer's first is first_seen read again.
  await restoreFirstSeen(
    t,
    touched.filter((r) => !r.empty && r.firstLost),
  );
  return {
    keyId,
    epochChannels: open.length,
    eventsRemoved: events,
    participationRowsDeleted: empty.length,
    participationRowsRecomputed: touched.length - empty.length,
    eventsLeftInSealedEpochs: sealedEvents,
  };
}

const NOTHING: Omit<VoidedIngestKey, 'keyId'> = {
  epochChannels: 0,
  eventsRemoved: 0,
  participationRowsDeleted: 0,
  participationRowsRecomputed: 0,
  eventsLeftInSealedEpochs: 0,
};

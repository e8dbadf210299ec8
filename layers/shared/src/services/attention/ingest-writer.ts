/**
 * The ingest writer: one transaction per batch. Raw events go in keyed by event id (a
 * re-delivery changes nothing) with the key that sent them (so one key's events can be voided),
 * participation is upserted with the username mapping in the
 * same statement (a participation row without its mapping must be impossible: the source lost
 * 421,757 records to that), suppressed viewers are dropped, and an event whose epoch was
 * already sealed is credited to the current epoch and counted, never dropped.
 */

import {
  countMappedParticipants,
  writeEventsWithParticipation,
} from '../../adapters/db/attention/participation-store.ts';
import { findSealedPairs } from '../../adapters/db/attention/sealed-epoch-store.ts';
import { listSuppressed, lockSuppressionListShared } from '../../adapters/db/attention/suppression-store.ts';
import { dedupeById, distinctPairs, ingestRows } from '../../core/attention/ingest-batch.ts';
import { attentionLockKey } from '../../core/attention/locks.ts';
import { epochOfMs, type KeyedEvent } from '../../core/attention/signals.ts';
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
  const hashed = unique.map((event) => ({ event, userHash: userHash(event.user) }));
  const currentEpoch = epochOfMs(now.getTime());

  return sql.begin(async (tx) => {
    // Opt-out takes this lock exclusively: no batch checks the suppression list, then writes a
    // row for a viewer who opted out in between.
    await lockSuppressionListShared(tx);
    const suppressedSet = await listSuppressed(
      tx,
      hashed.map((h) => h.userHash),
    );
    const keep = hashed.filter((h) => !suppressedSet.has(h.userHash));
    const suppressed = unique.length - keep.length;
    if (keep.length === 0) return { ...EMPTY, suppressed, duplicates: events.length - unique.length };

    // The sealer holds the same per-(epoch, channel) lock exclusively while it freezes a
    // snapshot, so every event is either in the sealed snapshot or credited to the current
    // epoch. Writers take it shared (they may run side by side), in one sorted order.
    const keys = new Set<string>();
    for (const { event } of keep) {
      keys.add(attentionLockKey(event.epoch, event.channel));
      keys.add(attentionLockKey(currentEpoch, event.channel));
    }
    await lockKeys(tx as unknown as Sql, keys, 'shared');
    const sealed = await findSealedPairs(tx, distinctPairs(keep.map((h) => h.event)));
    const { rows, late } = ingestRows(keep, sealed, currentEpoch);
    const counts = await writeEventsWithParticipation(tx, rows);
    return {
      accepted: counts.inserted,
      duplicates: events.length - unique.length + (keep.length - counts.inserted),
      suppressed,
      late,
      participationRows: counts.participation,
    };
  });
}

/**
 * Share of non-suppressed participants of an epoch whose username is mapped (1 when there are
 * none). DESIGN.md: an alarm fires below 95 %.
 */
export async function mappingCoverage(
  sql: Sql,
  epoch: number,
): Promise<{ participants: number; mapped: number; coverage: number }> {
  const { participants, mapped } = await countMappedParticipants(sql, epoch);
  return { participants, mapped, coverage: participants === 0 ? 1 : mapped / participants };
}

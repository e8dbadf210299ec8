/**
 * The ingest writer's batch without I/O: events deduplicated by id, and the rows written for the
 * events kept, with an event of a sealed (epoch, channel) credited to the current epoch.
 */

import { type KeyedEvent, weightOf } from './signals.ts';

/** The raw_events columns of a batch, one array per column, in event order. */
export interface IngestRows {
  readonly ids: string[];
  readonly channels: string[];
  readonly userHashes: string[];
  readonly usernames: string[];
  readonly kinds: string[];
  readonly keyIds: string[];
  readonly amounts: number[];
  /** Hundredths of weight an event pays beyond presence (0 for presence). */
  readonly paidWeights: number[];
  /** The epoch credited: the event's own, or the current one when its own is sealed. */
  readonly epochs: number[];
  readonly sourceEpochs: number[];
  readonly occurredAtMs: number[];
}

export function dedupeById(events: readonly KeyedEvent[]): KeyedEvent[] {
  const seen = new Set<string>();
  const out: KeyedEvent[] = [];
  for (const e of events) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    out.push(e);
  }
  return out;
}

export function distinctPairs(events: readonly KeyedEvent[]): { epochs: number[]; channels: string[] } {
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
 * The rows of `events` (each with its user_hash), `sealed` holding the `epoch:channel` pairs
 * already sealed; `late` counts the events credited to `currentEpoch` instead of their own.
 */
export function ingestRows(
  events: readonly { readonly event: KeyedEvent; readonly userHash: string }[],
  sealed: ReadonlySet<string>,
  currentEpoch: number,
): { readonly rows: IngestRows; readonly late: number } {
  const rows: IngestRows = {
    ids: [],
    channels: [],
    userHashes: [],
    usernames: [],
    kinds: [],
    keyIds: [],
    amounts: [],
    paidWeights: [],
    epochs: [],
    sourceEpochs: [],
    occurredAtMs: [],
  };
  let late = 0;
  for (const { event: e, userHash } of events) {
    const isLate = sealed.has(`${e.epoch}:${e.channel}`);
    if (isLate) late++;
    rows.ids.push(e.id);
    rows.channels.push(e.channel);
    rows.userHashes.push(userHash);
    rows.usernames.push(e.user);
    rows.kinds.push(e.kind);
    rows.keyIds.push(e.keyId);
    rows.amounts.push(e.amount);
    rows.paidWeights.push(e.kind === 'presence' ? 0 : weightOf(e.kind, e.amount));
    rows.epochs.push(isLate ? currentEpoch : e.epoch);
    rows.sourceEpochs.push(e.epoch);
    // A late event is first seen when it is credited, not in its sealed hour.
    rows.occurredAtMs.push(isLate ? Math.max(e.ts, currentEpoch * 1000) : e.ts);
  }
  return { rows, late };
}

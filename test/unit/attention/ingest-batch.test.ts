import { describe, expect, it } from 'vitest';
import {
  dedupeById,
  distinctPairs,
  ingestRows,
} from '../../../layers/shared/src/core/attention/ingest-batch.ts';
import type { KeyedEvent } from '../../../layers/shared/src/core/attention/signals.ts';

const EPOCH = 1_767_261_600;
const CURRENT = EPOCH + 7200;

function event(id: string, overrides: Partial<KeyedEvent> = {}): KeyedEvent {
  return {
    id,
    channel: 'chan',
    user: 'viewer_one',
    kind: 'presence',
    amount: 0,
    epoch: EPOCH,
    ts: EPOCH * 1000 + 60_000,
    keyId: 'key-1',
    ...overrides,
  };
}

describe('ingest batch', () => {
  it('keeps the first event of each id and each (epoch, channel) pair once', () => {
    const events = [event('a'), event('b', { channel: 'other' }), event('a', { channel: 'other' })];
    expect(dedupeById(events).map((e) => `${e.id}:${e.channel}`)).toEqual(['a:chan', 'b:other']);
    expect(distinctPairs(events)).toEqual({ epochs: [EPOCH, EPOCH], channels: ['chan', 'other'] });
  });

  it('credits an event of a sealed pair to the current epoch, first seen no earlier than its start', () => {
    const { rows, late } = ingestRows(
      [
        { event: event('a'), userHash: 'h1' },
        { event: event('b', { channel: 'open' }), userHash: 'h2' },
      ],
      new Set([`${EPOCH}:chan`]),
      CURRENT,
    );
    expect(late).toBe(1);
    expect(rows.epochs).toEqual([CURRENT, EPOCH]);
    expect(rows.sourceEpochs).toEqual([EPOCH, EPOCH]);
    expect(rows.occurredAtMs).toEqual([CURRENT * 1000, EPOCH * 1000 + 60_000]);
    expect(rows.userHashes).toEqual(['h1', 'h2']);
  });

  it('pays no weight for presence beyond being present, and a paid signal by its amount', () => {
    const { rows } = ingestRows(
      [
        { event: event('a'), userHash: 'h1' },
        { event: event('b', { kind: 'bits', amount: 250 }), userHash: 'h1' },
      ],
      new Set(),
      CURRENT,
    );
    expect(rows.paidWeights).toEqual([0, 250]);
    expect(rows.kinds).toEqual(['presence', 'bits']);
  });
});

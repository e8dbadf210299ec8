import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ingestRequestBody,
  MAX_AMOUNT_PER_EVENT,
  MAX_EVENTS_PER_REQUEST,
  parseIngestRequest,
} from '../../layers/shared/src/core/attention/ingest-request.ts';
import { SIGNAL_KINDS } from '../../layers/shared/src/core/attention/signals.ts';

const NOW = Date.UTC(2026, 0, 1, 12);
const login = fc.stringMatching(/^[a-z0-9_]{4,25}$/);
const validEvent = fc.record({
  channel: login,
  user: login,
  kind: fc.constantFrom(...SIGNAL_KINDS),
  amount: fc.integer({ min: 1, max: 1000 }),
});
/** A valid event broken in exactly one field. */
const invalidEvent = fc.tuple(validEvent, fc.integer({ min: 0, max: 3 })).map(([event, how]) => {
  switch (how) {
    case 0:
      return { ...event, channel: 'x' };
    case 1:
      return { ...event, kind: 'follow' };
    case 2:
      return { ...event, amount: 0 };
    default:
      return { ...event, colour: 'red' };
  }
});
const events = fc.array(
  fc.oneof(
    validEvent.map((event) => ({ event, valid: true })),
    invalidEvent.map((event) => ({ event, valid: false })),
  ),
  { minLength: 1, maxLength: 8 },
);

describe('POST /ingest bodies', () => {
  it('are accepted exactly when every event is valid, and a refusal names the first bad event', () => {
    fc.assert(
      fc.property(events, fc.boolean(), (items, wrapped) => {
        const list = items.map((i) => i.event);
        const result = parseIngestRequest(wrapped ? { events: list } : list, NOW);
        const firstBad = items.findIndex((i) => !i.valid);
        expect(result.ok).toBe(firstBad === -1);
        if (!result.ok) expect(result.issues[0]?.index).toBe(firstBad);
      }),
    );
  });

  it('are described by the schema they are validated with, the one in the API document', () => {
    const body = { events: [{ channel: 'chan_one', user: 'viewer_ok', kind: 'bits', amount: 5 }] };
    expect(ingestRequestBody.safeParse(body).success).toBe(true);
    expect(ingestRequestBody.safeParse({ events: [] }).success).toBe(false);
    const tooMany = Array.from({ length: MAX_EVENTS_PER_REQUEST + 1 }, () => body.events[0]);
    expect(ingestRequestBody.safeParse(tooMany).success).toBe(false);
    expect(parseIngestRequest(tooMany, NOW)).toMatchObject({
      ok: false,
      issues: [{ field: 'events', message: 'must hold at most 1000 events (got 1001)' }],
    });
    expect(parseIngestRequest('events', NOW)).toMatchObject({
      ok: false,
      issues: [{ field: 'body', message: 'body must be {"events": [...]} or an array of events' }],
    });
  });
});

describe('per-event caps', () => {
  it.each([
    ['bits', 1_000_000, 'must be at most 1,000,000 bits per event'],
    ['gift', 100_000, 'must be at most 100,000 gifted subs per event'],
    ['raid', 10_000_000, 'must be at most 10,000,000 raiders per event'],
  ] as const)('take %s up to %i and refuse one more, naming the field and the cap', (kind, cap, message) => {
    const event = (amount: number) => [{ channel: 'chan_one', user: 'viewer_ok', kind, amount }];
    expect(parseIngestRequest(event(cap), NOW)).toMatchObject({ ok: true, events: [{ amount: cap }] });
    expect(parseIngestRequest(event(cap + 1), NOW)).toEqual({
      ok: false,
      issues: [{ index: 0, field: 'amount', message }],
    });
    expect(MAX_AMOUNT_PER_EVENT[kind]).toBe(cap);
  });

  it('do not apply to kinds whose amount is not counted', () => {
    const sub = [{ channel: 'chan_one', user: 'viewer_ok', kind: 'sub', amount: 50_000_000 }];
    expect(parseIngestRequest(sub, NOW)).toMatchObject({ ok: true, events: [{ amount: 1 }] });
  });
});

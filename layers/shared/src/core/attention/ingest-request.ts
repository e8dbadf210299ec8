/**
 * `POST /ingest` input (DESIGN.md section 5): `{ events: [{ id?, channel, user, kind, amount?, ts? }] }`
 * (a bare array is accepted too), at most 1000 events. Validation names the event index and
 * the field; a valid request becomes the same IngestEvent the IRC worker produces.
 */
import { z } from 'zod';
import { epochOfMs, eventId, type IngestEvent, SIGNAL_KINDS } from './signals.ts';

export const MAX_EVENTS_PER_REQUEST = 1000;
/** A client's `ts` is trusted only this close to server time; otherwise the receive time counts. */
export const TS_TOLERANCE_MS = 5 * 60 * 1000;

const login = z
  .string({ invalid_type_error: 'must be a string' })
  .transform((s) => s.toLowerCase())
  .pipe(z.string().regex(/^[a-z0-9_]{4,25}$/, 'must be a Twitch login: 4–25 characters of a-z, 0-9 and _'));

const COUNTED = new Set(['gift', 'bits', 'raid']);

export const ingestEventInput = z
  .object(
    {
      id: z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters').optional(),
      channel: login,
      user: login,
      kind: z.enum(SIGNAL_KINDS, {
        errorMap: () => ({ message: `must be one of ${SIGNAL_KINDS.join(', ')}` }),
      }),
      amount: z
        .number({ invalid_type_error: 'must be a number' })
        .int('must be an integer')
        .positive('must be positive')
        .max(1_000_000_000, 'must be at most 1000000000')
        .optional(),
      ts: z
        .union(
          [
            z.string().datetime({ offset: true, message: 'must be ISO-8601 or epoch milliseconds' }),
            z.number().int().nonnegative(),
          ],
          {
            errorMap: () => ({ message: 'must be an ISO-8601 string or epoch milliseconds' }),
          },
        )
        .optional(),
    },
    { invalid_type_error: 'must be an object' },
  )
  .strict()
  .superRefine((event, ctx) => {
    if (COUNTED.has(event.kind) && event.amount === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['amount'],
        message: `is required for kind ${event.kind}`,
      });
    }
  });

export type IngestEventInput = z.infer<typeof ingestEventInput>;

export const ingestRequest = z.union(
  [
    z.object({ events: z.array(z.unknown(), { invalid_type_error: 'must be an array' }) }).strict(),
    z.array(z.unknown()),
  ],
  { errorMap: () => ({ message: 'body must be {"events": [...]} or an array of events' }) },
);

export interface IngestValidationIssue {
  readonly index: number | undefined;
  readonly field: string;
  readonly message: string;
}

export type IngestParseResult =
  | { readonly ok: true; readonly events: IngestEvent[] }
  | { readonly ok: false; readonly issues: IngestValidationIssue[] };

/** Validates a parsed JSON body; every event must be valid or none is accepted. */
export function parseIngestRequest(body: unknown, receivedAtMs: number): IngestParseResult {
  const outer = ingestRequest.safeParse(body);
  if (!outer.success)
    return {
      ok: false,
      issues: [
        { index: undefined, field: 'body', message: outer.error.issues[0]?.message ?? 'invalid body' },
      ],
    };
  const items = Array.isArray(outer.data) ? outer.data : outer.data.events;
  if (items.length === 0)
    return {
      ok: false,
      issues: [{ index: undefined, field: 'events', message: 'must hold at least one event' }],
    };
  if (items.length > MAX_EVENTS_PER_REQUEST) {
    return {
      ok: false,
      issues: [
        {
          index: undefined,
          field: 'events',
          message: `must hold at most ${MAX_EVENTS_PER_REQUEST} events (got ${items.length})`,
        },
      ],
    };
  }
  const issues: IngestValidationIssue[] = [];
  const events: IngestEvent[] = [];
  items.forEach((item, index) => {
    const parsed = ingestEventInput.safeParse(item);
    if (!parsed.success) {
      for (const issue of parsed.error.issues.slice(0, 3)) {
        issues.push({ index, field: issue.path.join('.') || 'event', message: issue.message });
      }
      return;
    }
    events.push(toIngestEvent(parsed.data, receivedAtMs));
  });
  return issues.length > 0 ? { ok: false, issues: issues.slice(0, 20) } : { ok: true, events };
}

function toIngestEvent(input: IngestEventInput, receivedAtMs: number): IngestEvent {
  const claimed =
    input.ts === undefined ? undefined : typeof input.ts === 'number' ? input.ts : Date.parse(input.ts);
  const ts =
    claimed !== undefined && Math.abs(claimed - receivedAtMs) <= TS_TOLERANCE_MS ? claimed : receivedAtMs;
  const epoch = epochOfMs(ts);
  const amount = COUNTED.has(input.kind) ? (input.amount ?? 1) : 1;
  const id =
    input.id ?? eventId({ kind: input.kind, channel: input.channel, user: input.user, amount, epoch });
  return { id, channel: input.channel, user: input.user, kind: input.kind, amount, ts, epoch };
}

export function describeIssues(issues: readonly IngestValidationIssue[]): string {
  return issues
    .map((issue) =>
      issue.index === undefined
        ? `${issue.field} ${issue.message}`
        : `events[${issue.index}].${issue.field} ${issue.message}`,
    )
    .join('; ');
}

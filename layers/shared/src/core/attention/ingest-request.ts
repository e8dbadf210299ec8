/**
 * `POST /ingest` input (DESIGN.md section 5): `{ events: [{ id?, channel, user, kind, amount?, ts? }] }`
 * (a bare array is accepted too), at most 1000 events. Validation names the event index and
 * the field; a valid request becomes the same IngestEvent the IRC worker produces.
 */
import { z } from 'zod';
import { groupThousands } from '../numbers.ts';
import { epochOfMs, eventId, type IngestEvent, SIGNAL_KINDS } from './signals.ts';

export const MAX_EVENTS_PER_REQUEST = 1000;
/** A client's `ts` is trusted only this close to server time; otherwise the receive time counts. */
export const TS_TOLERANCE_MS = 5 * 60 * 1000;

const login = z
  .string({ invalid_type_error: 'must be a string' })
  .transform((s) => s.toLowerCase())
  .pipe(z.string().regex(/^[a-z0-9_]{4,25}$/, 'must be a Twitch login: 4–25 characters of a-z, 0-9 and _'));

const COUNTED = new Set(['gift', 'bits', 'raid']);

/**
 * The most one event may count, per kind (issue 17, H4): far above anything Twitch produces, so
 * no real event is refused, yet one event of a key can no longer mint unbounded weight.
 * - bits: Twitch's guide to cheering puts at most 100,000 bits in one chat message (10,000 per
 *   cheermote); 10 times that.
 * - gift: community gifts are sold up to 1,000 subs at once (100 when they launched in 2018),
 *   and Twitch's "gift to every follower watching" experiment is bounded by a channel's
 *   audience; 100,000 gifted subs would be half a million dollars in one purchase.
 * - raid: raiders are the raiding channel's viewers, and the largest audience one Twitch channel
 *   has had is about 3.4 million (Ibai, 2023); about three times that.
 */
export const MAX_AMOUNT_PER_EVENT = { bits: 1_000_000, gift: 100_000, raid: 10_000_000 } as const;

const COUNTED_UNIT: Readonly<Record<keyof typeof MAX_AMOUNT_PER_EVENT, string>> = {
  bits: 'bits',
  gift: 'gifted subs',
  raid: 'raiders',
};

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
    if (!COUNTED.has(event.kind)) return;
    const kind = event.kind as keyof typeof MAX_AMOUNT_PER_EVENT;
    if (event.amount === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['amount'],
        message: `is required for kind ${kind}`,
      });
    } else if (event.amount > MAX_AMOUNT_PER_EVENT[kind]) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['amount'],
        message: `must be at most ${groupThousands(MAX_AMOUNT_PER_EVENT[kind])} ${COUNTED_UNIT[kind]} per event`,
      });
    }
  });

export type IngestEventInput = z.infer<typeof ingestEventInput>;

const BODY_SHAPE = 'body must be {"events": [...]} or an array of events';

export const ingestRequest = z.union(
  [
    z.object({ events: z.array(z.unknown(), { invalid_type_error: 'must be an array' }) }).strict(),
    z.array(z.unknown()),
  ],
  { errorMap: () => ({ message: BODY_SHAPE }) },
);

const eventList = z.array(ingestEventInput).min(1).max(MAX_EVENTS_PER_REQUEST);

/**
 * The whole body as one schema: what `POST /ingest` accepts and the API document describes. A
 * body it accepts is taken as it is; one it refuses is walked again event by event, so the
 * message names the event index and the field.
 */
export const ingestRequestBody = z.union([z.object({ events: eventList }).strict(), eventList], {
  errorMap: () => ({ message: BODY_SHAPE }),
});

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
  const whole = ingestRequestBody.safeParse(body);
  if (whole.success) {
    const inputs = Array.isArray(whole.data) ? whole.data : whole.data.events;
    return { ok: true, events: inputs.map((input) => toIngestEvent(input, receivedAtMs)) };
  }
  const issues = explain(body);
  // The walk below checks with the same schemas, so it finds what the whole-body parse did.
  return {
    ok: false,
    issues:
      issues.length > 0
        ? issues
        : [{ index: undefined, field: 'body', message: whole.error.issues[0]?.message ?? 'invalid body' }],
  };
}

/** Where a refused body goes wrong: the body's shape, the number of events, or each bad event's fields. */
function explain(body: unknown): IngestValidationIssue[] {
  const outer = ingestRequest.safeParse(body);
  if (!outer.success)
    return [{ index: undefined, field: 'body', message: outer.error.issues[0]?.message ?? 'invalid body' }];
  const items = Array.isArray(outer.data) ? outer.data : outer.data.events;
  if (items.length === 0)
    return [{ index: undefined, field: 'events', message: 'must hold at least one event' }];
  if (items.length > MAX_EVENTS_PER_REQUEST) {
    return [
      {
        index: undefined,
        field: 'events',
        message: `must hold at most ${MAX_EVENTS_PER_REQUEST} events (got ${items.length})`,
      },
    ];
  }
  const issues: IngestValidationIssue[] = [];
  items.forEach((item, index) => {
    const parsed = ingestEventInput.safeParse(item);
    if (parsed.success) return;
    for (const issue of parsed.error.issues.slice(0, 3)) {
      issues.push({ index, field: issue.path.join('.') || 'event', message: issue.message });
    }
  });
  return issues.slice(0, 20);
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

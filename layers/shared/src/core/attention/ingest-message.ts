/**
 * The ingest queue's message body: `{"v":1,"keyId":"<key>","events":[IngestEvent...]}`.
 * Producers (the IRC worker, `POST /ingest`) pack many events per message, under SQS's 256 KiB
 * limit, all sent with one key: the ingest API key's name, or `irc` for the IRC worker. The
 * writer decodes and re-validates every message, so one malformed message fails alone.
 */
import { z } from 'zod';
import { type IngestEvent, type KeyedEvent, SIGNAL_KINDS, UNATTRIBUTED_KEY_ID } from './signals.ts';

/** Leaves room under SQS's 262,144-byte limit for attributes and the batch envelope. */
export const MAX_MESSAGE_BYTES = 200_000;
/** SQS SendMessageBatch takes at most 10 entries. */
export const MAX_BATCH_ENTRIES = 10;

/** The whole message, for checks and tests that derive messages from it. */
export { messageSchema as ingestMessageSchema };

const login = z.string().regex(/^[a-z0-9_]{4,25}$/);

export const ingestEventSchema = z
  .object({
    id: z.string().min(1).max(128),
    channel: login,
    user: login,
    kind: z.enum(SIGNAL_KINDS),
    amount: z.number().int().positive().max(1_000_000_000),
    ts: z.number().int().nonnegative(),
    epoch: z.number().int().nonnegative().multipleOf(3600),
  })
  .strict();

const messageSchema = z
  .object({
    v: z.literal(1),
    // Messages queued before events carried their key have none.
    keyId: z.string().min(1).max(64).default(UNATTRIBUTED_KEY_ID),
    events: z.array(ingestEventSchema).min(1),
  })
  .strict();

export interface IngestMessage {
  readonly v: 1;
  readonly keyId: string;
  readonly events: IngestEvent[];
}

/** Packs events sent with `keyId` into as few messages as fit under `maxBytes` of JSON each. */
export function encodeIngestMessages(
  events: readonly IngestEvent[],
  keyId: string,
  maxBytes = MAX_MESSAGE_BYTES,
): IngestMessage[] {
  const messages: IngestMessage[] = [];
  let current: IngestEvent[] = [];
  let size = 0;
  const envelope = JSON.stringify({ v: 1, keyId, events: [] }).length;
  for (const event of events) {
    const compact: IngestEvent = {
      id: event.id,
      channel: event.channel,
      user: event.user,
      kind: event.kind,
      amount: event.amount,
      ts: event.ts,
      epoch: event.epoch,
    };
    const added = Buffer.byteLength(JSON.stringify(compact)) + 1;
    if (current.length > 0 && envelope + size + added > maxBytes) {
      messages.push({ v: 1, keyId, events: current });
      current = [];
      size = 0;
    }
    current.push(compact);
    size += added;
  }
  if (current.length > 0) messages.push({ v: 1, keyId, events: current });
  return messages;
}

export class MalformedIngestMessageError extends Error {}

/** Accepts the raw SQS body (a JSON string) or the already parsed value; each event gets the message's key. */
export function decodeIngestMessage(body: unknown): KeyedEvent[] {
  let json: unknown = body;
  if (typeof body === 'string') {
    try {
      json = JSON.parse(body);
    } catch {
      throw new MalformedIngestMessageError('ingest message is not JSON');
    }
  }
  const parsed = messageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MalformedIngestMessageError(
      `ingest message invalid at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`,
    );
  }
  const { keyId } = parsed.data;
  return parsed.data.events.map((event) => ({ ...event, keyId }));
}

/**
 * EventSink on SQS: events packed many per message (`{"v":1,"keyId":"irc","events":[...]}`, the format of
 * core/attention/ingest-message.ts), messages grouped into SendMessageBatch calls within
 * SQS's limits — at most 10 entries and 262,144 bytes of bodies per call. Entries SQS refuses
 * are sent again with backoff a bounded number of times; after that the call throws and the
 * caller keeps its events.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import {
  encodeIngestMessages,
  MAX_BATCH_ENTRIES,
  MAX_MESSAGE_BYTES,
} from '../../core/attention/ingest-message.ts';
import { type IngestEvent, IRC_KEY_ID } from '../../core/attention/signals.ts';
import { DependencyError } from '../../errors.ts';
import type { EventSink } from '../../ports/event-sink.ts';

/** SendMessageBatch: the sum of all bodies in one call. */
export const MAX_BATCH_BYTES = 262_144;

export interface SqsEventSinkOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Largest message body. @default MAX_MESSAGE_BYTES (200,000) */
  readonly maxMessageBytes?: number;
  /** Sends of refused entries after the first. @default 3 */
  readonly maxRetries?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** The key the events are stored under. @default IRC_KEY_ID (the IRC worker is this sink's producer) */
  readonly keyId?: string;
}

/** Groups bodies into batches of at most `maxEntries` entries and `maxBytes` bytes. */
export function planBatches(
  bodies: readonly string[],
  maxEntries = MAX_BATCH_ENTRIES,
  maxBytes = MAX_BATCH_BYTES,
): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const body of bodies) {
    const size = Buffer.byteLength(body);
    if (size > maxBytes)
      throw new DependencyError(`an ingest message of ${size} bytes exceeds the SQS batch limit`);
    if (current.length > 0 && (current.length >= maxEntries || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(body);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export class SqsEventSink implements EventSink {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: SqsEventSinkOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async sendBatch(events: readonly IngestEvent[]): Promise<void> {
    if (events.length === 0) return;
    const bodies = encodeIngestMessages(
      events,
      this.options.keyId ?? IRC_KEY_ID,
      this.options.maxMessageBytes ?? MAX_MESSAGE_BYTES,
    ).map((m) => JSON.stringify(m));
    for (const batch of planBatches(bodies)) await this.sendWithRetries(batch);
  }

  private async sendWithRetries(bodies: readonly string[]): Promise<void> {
    let pending = bodies.map((body, i) => ({ id: String(i), body }));
    const maxRetries = this.options.maxRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      let failedIds: Set<string>;
      let reason = '';
      try {
        const out = await this.options.client.send(
          new SendMessageBatchCommand({
            QueueUrl: this.options.queueUrl,
            Entries: pending.map((p) => ({ Id: p.id, MessageBody: p.body })),
          }),
        );
        failedIds = new Set((out.Failed ?? []).map((f) => f.Id ?? ''));
        reason = (out.Failed ?? []).map((f) => f.Code).join(', ');
      } catch (error) {
        failedIds = new Set(pending.map((p) => p.id));
        reason = error instanceof Error ? error.name : 'request failed';
      }
      pending = pending.filter((p) => failedIds.has(p.id));
      if (pending.length === 0) return;
      if (attempt >= maxRetries) {
        throw new DependencyError(`SQS refused ${pending.length} ingest messages (${reason})`, {
          details: { refused: pending.length },
        });
      }
      await this.sleep(200 * 2 ** attempt);
    }
  }
}

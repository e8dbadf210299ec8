/**
 * The publish FIFO queue's consumer: one root per message, message groups side by side. The whole
 * batch is published first (services/attention/publisher.ts `publishBatch`: groups in parallel, a
 * failed message failing the rest of its group), then each message is reported by its outcome.
 *
 * Exactly once: a root's publication is its row of `attention.publications` (primary key epoch and
 * channel), whose status moves queued → sent (the signed transaction recorded before it goes out)
 * → published; a redelivered message finds the row past `queued` and resends at most that same
 * signed transaction, never a second one.
 */
import type { SQSRecord } from 'aws-lambda';
import { type PublisherDeps, publishBatch } from '../../../layers/shared/src/services/attention/publisher.ts';
import { sqsRecords } from '../../handlers.ts';
import { publisherDeps } from '../../solana-dependencies.ts';

/** The messages of the batch to report as failed. */
async function publishAll(records: readonly SQSRecord[], deps: PublisherDeps): Promise<ReadonlySet<string>> {
  const failed = await publishBatch(
    deps,
    records.map((r) => ({
      messageId: r.messageId,
      groupId: r.attributes.MessageGroupId ?? '',
      body: r.body,
    })),
  );
  return new Set(failed);
}

export async function handle(record: SQSRecord, failed: ReadonlySet<string>): Promise<void> {
  if (failed.has(record.messageId)) throw new Error(`root of message ${record.messageId} not published`);
}

export const handler = sqsRecords(publisherDeps, (record, _deps, batch) => handle(record, batch.prepared), {
  fifo: true,
  prepare: publishAll,
  require: [
    'DATABASE_URL',
    'SOLANA_RPC_URL',
    'SOLANA_PUBLISHER_SECRET_ARN',
    'PUBLISH_QUEUE_URL',
    'PUBLISH_MODE',
  ],
});

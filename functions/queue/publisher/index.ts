/** The publish FIFO queue's consumer: one root per message, message groups side by side. */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadConfig } from '../../../layers/shared/src/config.ts';
import { flushMetrics } from '../../../layers/shared/src/observability.ts';
import { publishBatch } from '../../../layers/shared/src/services/attention/publisher.ts';
import { publisherDeps } from '../../solana-dependencies.ts';

loadConfig(process.env, {
  require: [
    'DATABASE_URL',
    'SOLANA_RPC_URL',
    'SOLANA_PUBLISHER_SECRET_ARN',
    'PUBLISH_QUEUE_URL',
    'PUBLISH_MODE',
  ],
});

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  try {
    const failed = await publishBatch(
      await publisherDeps(),
      event.Records.map((r) => ({
        messageId: r.messageId,
        groupId: r.attributes.MessageGroupId ?? '',
        body: r.body,
      })),
    );
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  } finally {
    flushMetrics();
  }
}

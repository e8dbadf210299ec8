/**
 * The publish FIFO queue's consumer: one root per message. A failed message fails every later
 * message of its group in the batch too, so a channel's roots never land out of epoch order.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { loadConfig } from '../../../layers/shared/src/config.ts';
import { flushMetrics, logger } from '../../../layers/shared/src/observability.ts';
import { publishRoot } from '../../../layers/shared/src/services/publisher.ts';
import { publisherDeps } from '../../dependencies.ts';

loadConfig(process.env, {
  require: ['DATABASE_URL', 'SOLANA_RPC_URL', 'SOLANA_PUBLISHER_SECRET_ARN', 'PUBLISH_QUEUE_URL'],
});

const message = z
  .object({ epoch: z.number().int().nonnegative(), channel: z.string().min(1).max(80) })
  .strict();

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const failures: { itemIdentifier: string }[] = [];
  const failedGroups = new Set<string>();
  try {
    const deps = await publisherDeps();
    for (const record of event.Records) {
      const group = record.attributes.MessageGroupId ?? '';
      if (failedGroups.has(group)) {
        failures.push({ itemIdentifier: record.messageId });
        continue;
      }
      try {
        const parsed = message.parse(JSON.parse(record.body));
        const outcome = await publishRoot(deps, parsed);
        logger.info('root handled', { ...parsed, ...outcome });
      } catch (error) {
        logger.error('publishing failed; the message will be retried', {
          messageId: record.messageId,
          error: error as Error,
        });
        failedGroups.add(group);
        failures.push({ itemIdentifier: record.messageId });
      }
    }
  } finally {
    flushMetrics();
  }
  return { batchItemFailures: failures };
}

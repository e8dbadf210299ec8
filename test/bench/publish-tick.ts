/**
 * One tick of the every-minute publisher as the benchmarks run it: the scheduler queues at most
 * 50 roots, and ten consumers (as Lambda polls a FIFO queue with several invocations) publish
 * them, each batch's message groups side by side (publishBatch), as the Lambda handler does.
 */

import { schedulePublications } from '../../layers/shared/src/services/attention/publication-scheduler.ts';
import { type PublisherDeps, publishBatch } from '../../layers/shared/src/services/attention/publisher.ts';
import { pollOnce } from '../../local/queue-poller.ts';
import type { SqsService } from '../../local/services.ts';

/** Runs one tick; returns the roots it queued (0: nothing left to publish). */
export async function publishTick(deps: PublisherDeps, sqs: SqsService): Promise<number> {
  const consumer = async () => {
    const result = await pollOnce(sqs.client, sqs.queues.publish.url, async (event) => {
      const failed = await publishBatch(
        deps,
        event.Records.map((r) => ({
          messageId: r.messageId,
          groupId: r.attributes.MessageGroupId ?? '',
          body: r.body,
        })),
      );
      return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
    });
    return result.received;
  };
  const { queued } = await schedulePublications(deps);
  let handled = 0;
  while (handled < queued.length) {
    const counts = await Promise.all(Array.from({ length: 10 }, consumer));
    handled += counts.reduce((a, b) => a + b, 0);
  }
  return queued.length;
}

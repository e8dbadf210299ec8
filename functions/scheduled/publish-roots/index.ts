/**
 * Every minute: at most 50 sealed roots to the publish FIFO queue, per channel in epoch order,
 * and RootPublished for published roots the publisher could not announce.
 */
import { loadConfig } from '../../../layers/shared/src/config.ts';
import { flushMetrics, logger } from '../../../layers/shared/src/observability.ts';
import { schedulePublications } from '../../../layers/shared/src/services/attention/publisher.ts';
import { schedulerDeps } from '../../dependencies.ts';

loadConfig(process.env, { require: ['DATABASE_URL', 'PUBLISH_QUEUE_URL'] });

export async function handler(): Promise<{ queued: number; expired: number; announced: number }> {
  try {
    const result = await schedulePublications(await schedulerDeps());
    const summary = {
      queued: result.queued.length,
      expired: result.expired.length,
      announced: result.announced,
    };
    logger.info('publications scheduled', summary);
    return summary;
  } finally {
    flushMetrics();
  }
}

/**
 * Every minute: at most 50 sealed roots to the publish FIFO queue, per channel in epoch order,
 * and RootPublished for published roots the publisher could not announce.
 */
import { logger, powertoolsTelemetry } from '../../../layers/shared/src/observability.ts';
import {
  type SchedulerDeps,
  schedulePublications,
} from '../../../layers/shared/src/services/attention/publication-scheduler.ts';
import { type PlatformOf, scheduled } from '../../handlers.ts';

export interface PublishRootsResult {
  readonly queued: number;
  readonly expired: number;
  readonly announced: number;
}

/** What the publication scheduler needs: the database, the publish queue and the event bus. */
export async function publishRootsDependencies(
  platform: PlatformOf<'DATABASE_URL' | 'PUBLISH_QUEUE_URL'>,
): Promise<SchedulerDeps> {
  const { sql } = await platform.database();
  return {
    sql,
    queue: platform.queue(platform.config.PUBLISH_QUEUE_URL, 'PUBLISH_QUEUE_URL'),
    events: platform.eventBus(),
    telemetry: powertoolsTelemetry,
  };
}

export async function handle(_event: unknown, deps: SchedulerDeps): Promise<PublishRootsResult> {
  const result = await schedulePublications(deps);
  const summary = {
    queued: result.queued.length,
    expired: result.expired.length,
    announced: result.announced,
  };
  logger.info('publications scheduled', summary);
  return summary;
}

export const handler = scheduled(publishRootsDependencies, handle, {
  require: ['DATABASE_URL', 'PUBLISH_QUEUE_URL'],
});

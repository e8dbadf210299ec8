/**
 * Epoch sealing, invoked by EventBridge Scheduler hourly at 5 minutes past the hour: seals
 * every past epoch with unsealed participation and builds its trees (services/sealing.ts).
 * `{ "epoch": <unix seconds> }` seals that one epoch instead. A failure is thrown, so the
 * schedule's retry policy and DLQ see it; a retry redoes only what is missing. Then EpochSealed
 * goes on the bus for what is sealed and built and was not announced yet.
 */

import type { Sql } from '../../../layers/shared/src/adapters/db/client.ts';
import { config, loadConfig } from '../../../layers/shared/src/config.ts';
import { ValidationError } from '../../../layers/shared/src/errors.ts';
import { flushMetrics, logger } from '../../../layers/shared/src/observability.ts';
import { attentionSettings } from '../../../layers/shared/src/services/attention-settings.ts';
import {
  announceSealedEpochs,
  type FinalizeResult,
  finalizeEpoch,
  sealDueEpochs,
} from '../../../layers/shared/src/services/sealing.ts';
import { database, eventBus, treeHasher } from '../../dependencies.ts';

// Refuses at cold start a tree format or capacity the configured program cannot verify.
const settings = attentionSettings(loadConfig(process.env, { require: ['DATABASE_URL', 'PUBLISH_MODE'] }));

export async function handler(event: unknown): Promise<{ epochs: FinalizeResult[]; announced: number }> {
  try {
    const { sql } = await database();
    const deps = {
      sql,
      settings,
      concurrency: config().DATABASE_POOL_MAX > 2 ? 2 : 1,
      treeHasher: treeHasher(),
    };
    const epoch = (event as { epoch?: unknown } | null)?.epoch;
    if (epoch !== undefined && typeof epoch !== 'number') {
      throw new ValidationError('seal event epoch must be a number (unix seconds)');
    }
    const { epochs } =
      epoch === undefined
        ? await sealDueEpochs(deps, new Date())
        : { epochs: [await finalizeEpoch(deps, epoch, new Date())] };
    return { epochs, announced: await announce(sql) };
  } finally {
    flushMetrics();
  }
}

/** EpochSealed for what is sealed and built; a bus that is down leaves it to the next run. */
async function announce(sql: Sql): Promise<number> {
  try {
    return await announceSealedEpochs({ sql, events: eventBus() }, new Date());
  } catch (error) {
    logger.warn('announcing sealed epochs failed; the next run announces them', {
      error: (error as Error).message,
    });
    return 0;
  }
}

/**
 * Epoch sealing, invoked by EventBridge Scheduler hourly at 5 minutes past the hour: seals
 * every past epoch with unsealed participation and builds its trees (services/sealing.ts).
 * `{ "epoch": <unix seconds> }` seals that one epoch instead. A failure is thrown, so the
 * schedule's retry policy and DLQ see it; a retry redoes only what is missing.
 */
import { config, loadConfig } from '../../../layers/shared/src/config.ts';
import { ValidationError } from '../../../layers/shared/src/errors.ts';
import { flushMetrics } from '../../../layers/shared/src/observability.ts';
import { attentionSettings } from '../../../layers/shared/src/services/attention-settings.ts';
import {
  type FinalizeResult,
  finalizeEpoch,
  sealDueEpochs,
} from '../../../layers/shared/src/services/sealing.ts';
import { database, treeHasher } from '../../dependencies.ts';

// Refuses at cold start a tree format or capacity the configured program cannot verify.
const settings = attentionSettings(loadConfig(process.env, { require: ['DATABASE_URL'] }));

export async function handler(event: unknown): Promise<{ epochs: FinalizeResult[] }> {
  try {
    const { sql } = await database();
    const deps = {
      sql,
      settings,
      concurrency: config().DATABASE_POOL_MAX > 2 ? 2 : 1,
      treeHasher: treeHasher(),
    };
    const epoch = (event as { epoch?: unknown } | null)?.epoch;
    if (epoch !== undefined) {
      if (typeof epoch !== 'number')
        throw new ValidationError('seal event epoch must be a number (unix seconds)');
      return { epochs: [await finalizeEpoch(deps, epoch, new Date())] };
    }
    return sealDueEpochs(deps, new Date());
  } finally {
    flushMetrics();
  }
}

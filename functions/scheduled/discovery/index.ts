/**
 * Channel discovery, invoked by EventBridge Scheduler: `{ "mode": "daily" }` at 00:00 UTC and
 * `{ "mode": "liveness" }` every 5 minutes. A failed run is recorded and then thrown, so the
 * schedule's retry policy and DLQ see it.
 */
import { loadConfig } from '../../../layers/shared/src/config.ts';
import { DependencyError, ValidationError } from '../../../layers/shared/src/errors.ts';
import { flushMetrics } from '../../../layers/shared/src/observability.ts';
import {
  type DiscoveryMode,
  type DiscoveryResult,
  runDiscovery,
} from '../../../layers/shared/src/services/attention/discovery.ts';
import { database, twitchHelix } from '../../dependencies.ts';

loadConfig(process.env, { require: ['DATABASE_URL', 'TWITCH_SECRET_ARN'] });

function modeOf(event: unknown): DiscoveryMode {
  const mode = (event as { mode?: unknown } | null)?.mode ?? 'daily';
  if (mode !== 'daily' && mode !== 'liveness') {
    throw new ValidationError('discovery event mode must be "daily" or "liveness"', { details: { mode } });
  }
  return mode;
}

export async function handler(event: unknown): Promise<DiscoveryResult> {
  try {
    const mode = modeOf(event);
    const { db } = await database();
    const result = await runDiscovery({ db, helix: await twitchHelix('required'), now: Date.now }, mode);
    if (result.outcome === 'failed')
      throw new DependencyError(`discovery run ${result.runId} failed: ${result.error}`);
    return result;
  } finally {
    flushMetrics();
  }
}

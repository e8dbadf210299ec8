/**
 * Channel discovery, invoked by EventBridge Scheduler: `{ "mode": "daily" }` at 00:00 UTC and
 * `{ "mode": "liveness" }` every 5 minutes. A failed run is recorded and then thrown, so the
 * schedule's retry policy and DLQ see it.
 */
import { DependencyError, ValidationError } from '../../../layers/shared/src/errors.ts';
import { powertoolsTelemetry } from '../../../layers/shared/src/observability.ts';
import {
  type DiscoveryDeps,
  type DiscoveryMode,
  type DiscoveryResult,
  runDiscovery,
} from '../../../layers/shared/src/services/attention/discovery.ts';
import { type PlatformOf, scheduled } from '../../handlers.ts';

function modeOf(event: unknown): DiscoveryMode {
  const mode = (event as { mode?: unknown } | null)?.mode ?? 'daily';
  if (mode !== 'daily' && mode !== 'liveness') {
    throw new ValidationError('discovery event mode must be "daily" or "liveness"', { details: { mode } });
  }
  return mode;
}

export async function discoveryDependencies(
  platform: PlatformOf<'DATABASE_URL' | 'TWITCH_SECRET_ARN'>,
): Promise<DiscoveryDeps> {
  const { db } = await platform.database();
  return { db, helix: await platform.twitchHelix('required'), now: Date.now, telemetry: powertoolsTelemetry };
}

export async function handle(event: unknown, deps: DiscoveryDeps): Promise<DiscoveryResult> {
  const result = await runDiscovery(deps, modeOf(event));
  if (result.outcome === 'failed')
    throw new DependencyError(`discovery run ${result.runId} failed: ${result.error}`);
  return result;
}

export const handler = scheduled(discoveryDependencies, handle, {
  require: ['DATABASE_URL', 'TWITCH_SECRET_ARN'],
  // A mode that does not exist is refused before the database or Twitch is reached.
  validate: (event) => {
    modeOf(event);
  },
});

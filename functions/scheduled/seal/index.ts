/**
 * Epoch sealing, invoked by EventBridge Scheduler hourly at 5 minutes past the hour: seals
 * every past epoch with unsealed participation and builds its trees (services/attention/sealing.ts).
 * `{ "epoch": <unix seconds> }` seals that one epoch instead. An (epoch, channel) or a tree that
 * fails stops only itself: it is reported (the SealingFailures and AmountOverflow alarms) and
 * left for the next run, and the answer lists it. What fails before any work starts (the database
 * unreachable) is thrown, so the schedule's retry policy and DLQ see it; a retry redoes only what
 * is missing. Then EpochSealed goes on the bus for what is sealed and built and was not announced
 * yet, and WalletRebound for ended wallet bindings the bind route could not announce (the bus was
 * down).
 */

import { ValidationError } from '../../../layers/shared/src/errors.ts';
import { logger, powertoolsTelemetry } from '../../../layers/shared/src/observability.ts';
import type { EventBus } from '../../../layers/shared/src/ports/event-bus.ts';
import { attentionSettings } from '../../../layers/shared/src/services/attention/attention-settings.ts';
import {
  announceSealedEpochs,
  type FinalizeResult,
  finalizeEpoch,
  type SealingDeps,
  sealDueEpochs,
} from '../../../layers/shared/src/services/attention/sealing.ts';
import type { SealingFailure } from '../../../layers/shared/src/services/attention/sealing-failures.ts';
import { announceWalletRebindings } from '../../../layers/shared/src/services/attention/wallet-binding.ts';
import { type PlatformOf, scheduled } from '../../handlers.ts';

export interface SealDeps extends SealingDeps {
  readonly events: EventBus;
}

export interface SealResult {
  readonly epochs: FinalizeResult[];
  readonly failed: SealingFailure[];
  readonly announced: number;
  readonly rebindingsAnnounced: number;
}

export async function sealDependencies(
  platform: PlatformOf<'DATABASE_URL' | 'PUBLISH_MODE'>,
): Promise<SealDeps> {
  const { sql } = await platform.database();
  return {
    sql,
    settings: attentionSettings(platform.config),
    concurrency: platform.config.DATABASE_POOL_MAX > 2 ? 2 : 1,
    treeHasher: platform.treeHasher,
    telemetry: powertoolsTelemetry,
    events: platform.eventBus(),
  };
}

export async function handle(event: unknown, deps: SealDeps): Promise<SealResult> {
  const epoch = (event as { epoch?: unknown } | null)?.epoch;
  if (epoch !== undefined && typeof epoch !== 'number') {
    throw new ValidationError('seal event epoch must be a number (unix seconds)');
  }
  const { epochs, failed } =
    epoch === undefined
      ? await sealDueEpochs(deps, new Date())
      : { epochs: [await finalizeEpoch(deps, epoch, new Date())], failed: [] };
  // Everything that failed, of whole epochs, single channels and single trees.
  const all = [...failed, ...epochs.flatMap((e) => [...e.seal.failed, ...e.trees.failed])];
  return {
    epochs,
    failed: all,
    announced: await announce('sealed epochs', () => announceSealedEpochs(deps, new Date())),
    rebindingsAnnounced: await announce('ended wallet bindings', () =>
      announceWalletRebindings(deps, new Date()),
    ),
  };
}

export const handler = scheduled(sealDependencies, handle, {
  require: ['DATABASE_URL', 'PUBLISH_MODE'],
  // Refuses at cold start a tree format or capacity the configured program cannot verify.
  check: (config) => {
    attentionSettings(config);
  },
});

/**
 * EpochSealed for what is sealed and built, and WalletRebound for ended wallet bindings still
 * waiting; a bus that is down leaves them to the next run.
 */
async function announce(what: string, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    logger.warn(`announcing ${what} failed; the next run announces them`, {
      error: (error as Error).message,
    });
    return 0;
  }
}

/**
 * Epoch sealing (DESIGN.md section 5, "Sealing"): for each (epoch, channel), once, in one
 * transaction, the participants are frozen into sealed_participants in the order
 * `first_seen ASC, user_hash ASC` (position 0..), suppressed viewers left out, amounts
 * floored from weights, with the channel's token group and category as they stand at sealing.
 *
 * The transaction holds the (epoch, channel) advisory lock exclusively; the ingest writer holds
 * it shared and re-reads sealed_epochs after taking it, so every event is either in the
 * snapshot or credited to the current epoch. The snapshot is one INSERT … SELECT … ORDER BY
 * (the source inserted batches of 1,000 rows; one statement is the same snapshot without the
 * round trips). Sealing an (epoch, channel) that is already sealed changes nothing.
 *
 * Amounts are checked, never clamped (issue 17, H4): an (epoch, channel) with a viewer's amount,
 * or a sum of its amounts or weights, past MAX_AMOUNT is refused whole and left unsealed with an
 * alarm (AmountOverflow), so nothing built from what was sealed can overflow later; voiding the
 * ingest key that sent it lets it seal. A pair that fails, for that or any reason, stops only
 * itself: every other channel and every later epoch is sealed (./sealing-failures.ts).
 */

import {
  countSealedChannels,
  listOpenChannels,
  listUnannouncedSealedEpochs,
  listUnsealedChannels,
  markSealedEpochAnnounced,
  sealSnapshot,
} from '../../adapters/db/attention/sealed-epoch-store.ts';
import { attentionLockKey } from '../../core/attention/locks.ts';
import {
  assertSealable,
  type RefusedChannel,
  type SealedChannel,
  sealOutcome,
} from '../../core/attention/seal-outcome.ts';
import { EPOCH_SECONDS, latestDueEpoch, MAX_AMOUNT } from '../../core/attention/trees.ts';
import { laneChunks } from '../../core/chunks.ts';
import { METRIC } from '../../metric-names.ts';
import type { EventBus } from '../../ports/event-bus.ts';
import type { Sql } from '../../ports/sql.ts';
import type { Telemetry } from '../../ports/telemetry.ts';
import { lockKeys } from '../platform/advisory-locks.ts';
import { forEachLimited, withSerializationRetry } from '../platform/transaction-retry.ts';
import type { AttentionSettings } from './attention-settings.ts';
import { mappingCoverage } from './ingest-writer.ts';
import { inIsolatedBatches, reportSealingFailure, type SealingFailure } from './sealing-failures.ts';
import { buildEpochTrees, type EpochTreesResult, epochTreesPending } from './tree-builder.ts';
import type { TreeHasher } from './tree-hashing.ts';

export interface SealingDeps {
  readonly sql: Sql;
  readonly settings: AttentionSettings;
  /**
   * Transactions run side by side: sealing one (epoch, channel) each, tree building a batch of
   * channel trees or the category trees each. @default 2
   */
  readonly concurrency?: number;
  /** Where trees are hashed and their dumps written. @default this thread */
  readonly treeHasher?: TreeHasher;
  /** How far back `sealDueEpochs` looks for unsealed participation. @default 7 days */
  readonly lookbackSeconds?: number;
  /** Where sealing and tree building report their counts, failures and retries. */
  readonly telemetry: Telemetry;
}

export interface SealEpochResult {
  readonly epoch: number;
  /** Channels sealed by this call. */
  readonly sealed: SealedChannel[];
  /** Channels of the epoch that were already sealed (by an earlier run or a concurrent one). */
  readonly alreadySealed: number;
  readonly mappingCoverage: number;
  /** Channels left unsealed by this call, and why; the next run tries them again. */
  readonly failed: SealingFailure[];
}

export async function sealEpoch(deps: SealingDeps, epoch: number, now: Date): Promise<SealEpochResult> {
  assertSealable(epoch, now.getTime());
  const channels = (await listUnsealedChannels(deps.sql, epoch, epoch)).map((c) => c.channel);
  const sealed: SealedChannel[] = [];
  const failed: SealingFailure[] = [];
  const fail = (channel: string, error: unknown) =>
    failed.push(reportSealingFailure(deps.telemetry, { epoch, channel, stage: 'seal' }, error));
  // The epoch's viewers are counted beside the snapshots, not after them: sealing moves no
  // participation row, and the count is a scan of its own.
  const counted = mappingCoverage(deps.sql, epoch);
  counted.catch(() => {});
  const lanes = deps.concurrency ?? 2;
  await forEachLimited(laneChunks(channels, SEAL_CHANNELS_PER_TRANSACTION, lanes), lanes, async (batch) => {
    const outcomes = await inIsolatedBatches(batch, (items) => sealChannels(deps, epoch, items, now), fail);
    for (const outcome of outcomes) {
      if ('refused' in outcome) fail(outcome.channel, outcome.refused);
      else sealed.push(outcome);
    }
  });
  sealed.sort((a, b) => (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0));
  const alreadySealed = (await countSealedChannels(deps.sql, epoch)) - sealed.length;
  const coverage = await counted;
  deps.telemetry.metric(METRIC.epochsSealed, 'Count', sealed.length);
  deps.telemetry.metric(METRIC.mappingCoverage, 'Percent', coverage.coverage * 100);
  if (sealed.length > 0) {
    deps.telemetry.info('epoch sealed', {
      epoch,
      channels: sealed.length,
      participants: sealed.reduce((n, s) => n + s.participants, 0),
    });
  }
  failed.sort((a, b) => (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0));
  return { epoch, sealed, alreadySealed, mappingCoverage: coverage.coverage, failed };
}

export interface FinalizeResult {
  readonly epoch: number;
  readonly seal: SealEpochResult;
  readonly trees: EpochTreesResult;
}

/** Seals an epoch and builds its trees: what the hourly schedule does for each due epoch. */
export async function finalizeEpoch(deps: SealingDeps, epoch: number, now: Date): Promise<FinalizeResult> {
  const seal = await sealEpoch(deps, epoch, now);
  const trees = await buildEpochTrees(deps, epoch, now);
  return { epoch, seal, trees };
}

export interface SealDueResult {
  readonly epochs: FinalizeResult[];
  /** Epochs whose finalizing failed outright (channel `*`); the next run tries them again. */
  readonly failed: SealingFailure[];
}

/**
 * Every past epoch (its hour and 5 minutes over) with unsealed participation, or sealed
 * channels whose trees were not built yet (a run that stopped half way), oldest first.
 */
export async function sealDueEpochs(deps: SealingDeps, now: Date): Promise<SealDueResult> {
  const latest = latestDueEpoch(now.getTime());
  const earliest = latest - Math.floor((deps.lookbackSeconds ?? 7 * 86_400) / EPOCH_SECONDS) * EPOCH_SECONDS;
  const unsealed = await listUnsealedChannels(deps.sql, earliest, latest);
  const due = new Set(unsealed.map((c) => c.epoch));
  for (const epoch of await epochTreesPending(deps.sql, earliest, latest)) due.add(epoch);
  const epochs: FinalizeResult[] = [];
  const failed: SealingFailure[] = [];
  for (const epoch of [...due].sort((a, b) => a - b)) {
    try {
      epochs.push(await finalizeEpoch(deps, epoch, now));
    } catch (error) {
      // Failures of single channels and trees are reported inside; this is an epoch that could
      // not even be read. Later epochs are still sealed.
      failed.push(reportSealingFailure(deps.telemetry, { epoch, channel: '*', stage: 'seal' }, error));
    }
  }
  if (epochs.length === 0) deps.telemetry.metric(METRIC.epochsSealed, 'Count', 0);
  return { epochs, failed };
}

/**
 * Channels sealed per transaction at most: one lock statement, one snapshot and one commit for
 * all of them. An epoch of fewer channels than that per connection is spread over the
 * connections, so its snapshots run side by side on the database's cores (10 channels of
 * 20,000 participants seal in about two thirds of the time as two transactions of 5).
 */
export const SEAL_CHANNELS_PER_TRANSACTION = 10;

/**
 * Freezes the still unsealed (epoch, channel) pairs among `channels` in one transaction: every
 * pair's lock first (in the writer's order, so the two never wait on each other in a cycle),
 * then which of them are sealed, read under the locks, then one snapshot of the rest. Each
 * pair is still sealed once and whole: its rows and its sealed_epochs row commit together. A pair
 * whose largest amount, amount total or weight total is past MAX_AMOUNT is not written at all.
 */
async function sealChannels(
  deps: SealingDeps,
  epoch: number,
  channels: readonly string[],
  now: Date,
): Promise<(SealedChannel | RefusedChannel)[]> {
  const keys = channels.map((channel) => attentionLockKey(epoch, channel));
  const rules = {
    baseUnitsPerWeight: deps.settings.baseUnitsPerWeight,
    maxAmount: MAX_AMOUNT,
    sealedAt: now,
  };
  return withSerializationRetry(
    deps.telemetry,
    `seal ${channels[0]}..${channels[channels.length - 1]} ${epoch}`,
    () =>
      deps.sql.begin(async (tx) => {
        // One round trip: the statements run in order, so sealed_epochs is read under the locks.
        const [, open] = await Promise.all([
          lockKeys(tx as unknown as Sql, keys, 'exclusive'),
          listOpenChannels(tx, epoch, channels),
        ]);
        if (open.length === 0) return [];
        const answers = await sealSnapshot(tx, epoch, open, rules);
        if (answers.length !== open.length) {
          throw new Error(`sealing ${open.length} channels of ${epoch} answered for ${answers.length}`);
        }
        return answers.map((answer) => sealOutcome(epoch, answer));
      }),
  );
}

/** Epochs announced per call; the rest wait for the next run. */
const ANNOUNCE_EPOCHS = 48;

/**
 * Puts EpochSealed on the bus for sealed channels whose trees are decided and that no event has
 * announced yet, one event per epoch, and marks them once the bus took it: `announced_at` is
 * the outbox, so a bus that is down loses nothing (the next run announces them). A crash
 * between the two announces them again.
 */
export async function announceSealedEpochs(
  deps: { readonly sql: Sql; readonly events: EventBus },
  now: Date,
): Promise<number> {
  const rows = await listUnannouncedSealedEpochs(deps.sql, ANNOUNCE_EPOCHS);
  for (const row of rows) {
    await deps.events.publish({
      type: 'EpochSealed',
      epoch: row.epoch,
      channels: row.channels.length,
      participants: row.participants,
      trees: row.trees,
      timestamp: Math.floor(now.getTime() / 1000),
    });
    await markSealedEpochAnnounced(deps.sql, row.epoch, row.channels, now);
  }
  return rows.length;
}

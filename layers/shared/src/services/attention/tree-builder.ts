/**
 * Trees after sealing (DESIGN.md section 5, "Trees" and "No stranded amount"), for one epoch:
 *
 * 1. per sealed channel, its shard trees (./channel-trees.ts);
 * 2. per (category, token group) over its channels, the category tree and its shards
 *    (./category-trees.ts);
 * 3. one `carry:<group>` per token group that can publish, paying what the others carried
 *    (./carry-trees.ts).
 *
 * Leaf: claimer = bound wallet, index = position among leaves, amount, id = user_hash. A tree
 * with leaves is stored as root + one dump and, when it has something to publish, a pending
 * root; every decision, empty trees included, is a tree_builds row, so building again changes
 * nothing (./tree-storage.ts). A sharded tree's first shard row (the base name) holds the counts
 * of the whole channel (candidates, carried, overflow); the other shards' rows hold only their
 * leaves, so sums over tree_builds count every participant once.
 *
 * A tree that fails stops only itself (../sealing-failures.ts): it is reported, left undecided
 * for the next run, and every other tree of the epoch is built.
 */
import {
  categoryChannels,
  channelOverflow,
  epochsWithUndecidedTrees,
  type SealedCategory,
  sealedCategories,
  undecidedChannels,
} from '../../adapters/db/attention/tree-build-store.ts';
import { carryTokenGroups, totalCarried } from '../../adapters/db/attention/tree-carry-store.ts';
import type { ParticipantLists } from '../../adapters/db/attention/tree-participant-store.ts';
import { compareTrees, placesWithinCap } from '../../core/attention/tree-plan.ts';
import { carryTreeName, categoryTreeName } from '../../core/attention/trees.ts';
import { laneChunks } from '../../core/chunks.ts';
import { METRIC } from '../../metric-names.ts';
import type { Sql } from '../../ports/sql.ts';
import type { Telemetry } from '../../ports/telemetry.ts';
import { forEachLimited } from '../platform/transaction-retry.ts';
import { buildCarryTree } from './carry-trees.ts';
import { buildCategoryTree } from './category-trees.ts';
import { ChannelReads, categoryKey, channelsByCategory } from './channel-reads.ts';
import { boundWallets, buildChannelTrees, CHANNEL_TREES_PER_TRANSACTION } from './channel-trees.ts';
import type { SealingDeps } from './sealing.ts';
import { inIsolatedBatches, reportSealingFailure, type SealingFailure } from './sealing-failures.ts';
import type { TreeOutcome } from './tree-storage.ts';

export type { TreeOutcome } from './tree-storage.ts';

export interface EpochTreesResult {
  readonly epoch: number;
  /** Trees decided by this call (trees decided earlier are not repeated). */
  readonly trees: TreeOutcome[];
  /** Percent of the epoch's sealed participants beyond capacity in their channel. */
  readonly overflowShare: number;
  /** Trees not built by this call, and why; the next run tries them again. */
  readonly failed: SealingFailure[];
}

/** Reports a tree's failure and lets the run go on: what a failing tree stops is itself. */
type FailureSink = (channel: string, error: unknown) => void;

export async function buildEpochTrees(
  deps: SealingDeps,
  epoch: number,
  now: Date,
): Promise<EpochTreesResult> {
  const trees: TreeOutcome[] = [];
  const failed: SealingFailure[] = [];
  const fail: FailureSink = (channel, error) =>
    failed.push(reportSealingFailure(deps.telemetry, { epoch, channel, stage: 'tree' }, error));
  // Two transactions in flight: one batch's trees are hashed while another's are written.
  const tasks = await channelAndCategoryTasks(deps, epoch, now, fail);
  await forEachLimited(tasks, deps.concurrency ?? 2, async (task) => {
    trees.push(...(await task()));
  });
  // Last: the carry trees pay what the channel and category trees carried.
  for (const group of await carryTokenGroups(deps.sql, epoch)) {
    const outcome = await alone(carryTreeName(group), fail, () => buildCarryTree(deps, epoch, group, now));
    if (outcome !== undefined) trees.push(outcome);
  }
  const overflowShare = await recordEpochMetrics(deps.sql, deps.telemetry, epoch);
  trees.sort(compareTrees);
  failed.sort((a, b) => (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0));
  return { epoch, trees, overflowShare, failed };
}

/**
 * The epoch's undecided channel trees in batches, and its category trees as tasks beside them.
 * A category whose every channel is built here, each read whole, is built from the participants
 * those batches read (./channel-reads.ts): its task comes last and waits until they have planned
 * their trees (still hashing), so this thread sums it while the worker hashes theirs. Any
 * other category reads its viewers from the database, in a task first: it needs nothing from the
 * channel trees, so the database aggregates it while the wallets are read and channel trees
 * hashed. About `concurrency` connections at once (more did not make trees faster, and left
 * sealing slower afterwards: its transactions spread over more server processes). The wallets
 * are asked for before any transaction begins, so they never wait for a connection a batch holds
 * (a pool of one included); a batch reads its participants meanwhile and waits for the wallets
 * only to build its trees.
 */
async function channelAndCategoryTasks(
  deps: SealingDeps,
  epoch: number,
  now: Date,
  fail: FailureSink,
): Promise<(() => Promise<TreeOutcome[]>)[]> {
  const names = await undecidedChannels(deps.sql, epoch);
  const categories = await sealedCategories(deps.sql, epoch);
  const wallets = boundWallets(deps, epoch, names, now);
  wallets.catch(() => {});
  const places = placesWithinCap(deps.settings.capacity, deps.settings.maxShards);
  const { byPair, readWhole } = channelsByCategory(
    categories.length > 0 ? await categoryChannels(deps.sql, epoch) : [],
    names,
    places,
  );
  const batches = laneChunks(names, CHANNEL_TREES_PER_TRANSACTION, deps.concurrency ?? 2);
  const reads = new ChannelReads(batches.length);
  const categoryTask = (pairs: readonly SealedCategory[], fromReads: boolean) => async () => {
    if (fromReads) await reads.settled();
    const outcomes: TreeOutcome[] = [];
    for (const { category, tokenGroup } of pairs) {
      const name = categoryTreeName(category, tokenGroup);
      const outcome = await alone(name, fail, async () => {
        const channels = byPair.get(categoryKey(category, tokenGroup)) ?? [];
        const viewers = fromReads ? reads.viewersOf(channels, places) : undefined;
        const read = viewers === undefined ? undefined : { viewers, wallets: await wallets };
        return buildCategoryTree(deps, epoch, category, tokenGroup, now, read);
      });
      if (outcome !== undefined) outcomes.push(...outcome);
    }
    return outcomes;
  };
  const fromReads = categories.filter((c) => readWhole.has(categoryKey(c.category, c.tokenGroup)));
  const fromDatabase = categories.filter((c) => !readWhole.has(categoryKey(c.category, c.tokenGroup)));
  const tasks: (() => Promise<TreeOutcome[]>)[] = [];
  if (fromDatabase.length > 0) tasks.push(categoryTask(fromDatabase, false));
  for (const batch of batches) {
    tasks.push(async () => {
      // The batch is done with once its trees are planned (still hashing), or once it gave up.
      let planned = false;
      const done = () => {
        if (!planned) reads.batchDone();
        planned = true;
      };
      const watch = { read: (lists: readonly ParticipantLists[]) => reads.record(lists), planned: done };
      try {
        return await inIsolatedBatches(
          batch,
          (items) => buildChannelTrees(deps, epoch, items, wallets, watch),
          fail,
        );
      } finally {
        done();
      }
    });
  }
  if (fromReads.length > 0) tasks.push(categoryTask(fromReads, true));
  return tasks;
}

/** One tree built, or its failure reported: never a throw that stops the others. */
async function alone<T>(
  channel: string,
  fail: FailureSink,
  build: () => Promise<T | undefined>,
): Promise<T | undefined> {
  try {
    return await build();
  } catch (error) {
    fail(channel, error);
    return undefined;
  }
}

/** The epoch's OverflowShare and the CarriedBalance now; returns the share. */
async function recordEpochMetrics(sql: Sql, telemetry: Telemetry, epoch: number): Promise<number> {
  const { participants, overflow } = await channelOverflow(sql, epoch);
  const overflowShare = participants > 0 ? (overflow / participants) * 100 : 0;
  telemetry.metric(METRIC.overflowShare, 'Percent', overflowShare);
  telemetry.metric(METRIC.carriedBalance, 'Count', Number(await totalCarried(sql)));
  return overflowShare;
}

/** Epochs in [from, to] with sealed channels, categories or token groups whose trees were not decided. */
export function epochTreesPending(sql: Sql, fromEpoch: number, toEpoch: number): Promise<number[]> {
  return epochsWithUndecidedTrees(sql, fromEpoch, toEpoch);
}

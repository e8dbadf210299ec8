/**
 * Storing decided trees (DESIGN.md section 5, "Trees"): each tree with leaves is hashed, its root
 * and dump stored and, when it has something to publish, a pending root written; its unbound
 * viewers' amounts are credited as carried balances; and every decision, empty trees included,
 * is a tree_builds row, so building again changes nothing. All in the caller's transaction, so a
 * tree and the balances it moves never disagree.
 */

import { type CarryCredit, creditCarriedFrom } from '../../adapters/db/attention/carry-store.ts';
import { insertTreeBuilds } from '../../adapters/db/attention/tree-build-store.ts';
import { insertPendingRoots, insertTreeDump } from '../../adapters/db/attention/tree-dump-store.ts';
import { sumByViewer, type TreePlan } from '../../core/attention/tree-plan.ts';
import type { TreeKind } from '../../core/attention/trees.ts';
import { fromBase58, type LeafOptions } from '../../core/merkle/index.ts';
import { METRIC } from '../../metric-names.ts';
import type { Queryable, Sql } from '../../ports/sql.ts';
import type { Telemetry } from '../../ports/telemetry.ts';
import { type AttentionSettings, isPublishable } from './attention-settings.ts';
import { inThreadTreeHasher, type TreeHasher, treeHashJob } from './tree-hashing.ts';

export interface TreeOutcome {
  readonly channel: string;
  readonly kind: TreeKind;
  readonly tokenGroup: string;
  readonly outcome: 'stored' | 'empty' | 'skipped';
  readonly root: string | null;
  readonly leaves: number;
  readonly totalAmount: string;
  readonly carried: number;
  readonly carriedAmount: string;
  readonly overflow: number;
  readonly published: boolean;
  readonly buildMs: number;
}

/** A tree hashed in memory: what is written for it and what the run reports. */
interface PreparedTree {
  readonly tree: TreePlan;
  readonly carriedCredits: readonly CarryCredit[];
  readonly carriedAmount: bigint;
  readonly totalAmount: bigint;
  /** Root (0x hex) and dump (JSON text in parts) of a tree with leaves. */
  readonly built:
    | { readonly root: string; readonly dump: readonly string[]; readonly format: string }
    | undefined;
  readonly published: boolean;
  readonly buildMs: number;
  readonly timedOut: boolean;
}

/** What storing trees needs: the settings, where trees are hashed (@default this thread), where it reports. */
export interface TreeStorageDeps {
  readonly settings: AttentionSettings;
  readonly treeHasher?: TreeHasher | undefined;
  /** @default SILENT_TELEMETRY */
  readonly telemetry: Telemetry;
}

export function leafOptions(settings: AttentionSettings, epoch: number): LeafOptions {
  return settings.format === 'claim-v2'
    ? {
        format: 'claim-v2',
        programId: fromBase58(settings.programId, 'ATTENTION_PROGRAM_ID'),
        epoch: BigInt(epoch),
      }
    : { format: 'claim-v1' };
}

/**
 * Hashes trees on `hasher` (this thread or a worker) and writes them, returning what each
 * decided. Each tree's dump is sent the moment it is hashed, so the database stores one while
 * the next is hashed (in a transaction the statements queue on its connection and run in
 * order); then their carried credits, the roots to publish and a tree_builds row each,
 * together. A dump is most of a tree's bytes: writing them all after the last hash, as one
 * batch, made storing a stage of its own, as long as hashing.
 */
export async function storeTrees(
  sql: Queryable,
  deps: TreeStorageDeps,
  trees: Iterable<TreePlan> | AsyncIterable<TreePlan>,
): Promise<TreeOutcome[]> {
  const { settings } = deps;
  const hasher = deps.treeHasher ?? inThreadTreeHasher;
  const telemetry = deps.telemetry;
  const dumps: Promise<unknown>[] = [];
  const started: Promise<PreparedTree>[] = [];
  // Trees may be planned as they are asked for: a plan that fails stops the sending, and what
  // was already sent is waited for before the failure is thrown.
  let unplanned: { readonly reason: unknown } | undefined;
  try {
    for await (const tree of trees) {
      const prepared = prepareTree(settings, tree, hasher, telemetry).then((p) => {
        if (p.built !== undefined) {
          const write = storeDump(sql, p, p.built);
          write.catch(() => {});
          dumps.push(write);
        }
        return p;
      });
      // Handled now, awaited below: a hash or write that fails while later trees are still
      // planned or hashed must not surface as an unhandled rejection before then.
      prepared.catch(() => {});
      started.push(prepared);
    }
  } catch (reason) {
    unplanned = { reason };
  }
  const hashed = await Promise.allSettled(started);
  const failure = unplanned ?? hashed.find((h) => h.status === 'rejected');
  if (failure !== undefined) {
    await Promise.allSettled(dumps);
    throw failure.reason;
  }
  const prepared = hashed.map((h) => (h as PromiseFulfilledResult<PreparedTree>).value);
  await Promise.all([...dumps, storeDecisions(sql, settings, prepared)]);
  return prepared.map(outcomeOf);
}

/** Hashes the tree and writes its dump; raises the time-budget alert when the build ran late. */
async function prepareTree(
  settings: AttentionSettings,
  tree: TreePlan,
  hasher: TreeHasher,
  telemetry: Telemetry,
): Promise<PreparedTree> {
  const { epoch, channel, kind, tokenGroup, leaves } = tree;
  const carriedCredits = sumByViewer(
    tree.carried.map((c) => ({ userHash: c.userHash, tokenGroup, amount: c.amount })),
  );
  const carriedAmount = carriedCredits.reduce((sum, c) => sum + c.amount, 0n);
  const totalAmount = leaves.reduce((sum, l) => sum + l.amount, 0n);
  const decided = { tree, carriedCredits, carriedAmount, totalAmount };
  if (leaves.length === 0) {
    return { ...decided, built: undefined, published: false, buildMs: 0, timedOut: false };
  }
  const options = leafOptions(settings, epoch);
  const { root, dump, ms: elapsed } = await hasher.hash(treeHashJob(leaves, options));
  const buildMs = Math.round(elapsed);
  // A late tree is still right: it is stored, and the alarm says the budget was blown.
  const timedOut = elapsed > tree.budgetMs;
  if (timedOut) {
    telemetry.metric(METRIC.merkleBuildTimeout, 'Count', 1);
    telemetry.error('merkle build exceeded its time budget', {
      epoch,
      channel,
      buildMs,
      budgetMs: tree.budgetMs,
    });
  }
  return {
    ...decided,
    built: { root, dump, format: options.format },
    published: isPublishable(settings, { kind, tokenGroup, leafCount: leaves.length, totalAmount }),
    buildMs,
    timedOut,
  };
}

function storeDump(
  sql: Queryable,
  { tree, totalAmount, buildMs }: PreparedTree,
  built: NonNullable<PreparedTree['built']>,
): Promise<void> {
  return insertTreeDump(sql, {
    epoch: tree.epoch,
    channel: tree.channel,
    kind: tree.kind,
    tokenGroup: tree.tokenGroup,
    format: built.format,
    root: built.root,
    leafCount: tree.leaves.length,
    totalAmount,
    dump: built.dump,
    buildMs,
  });
}

/** Writes what prepared trees decided besides their dumps: credits, roots to publish, tree_builds rows. */
function storeDecisions(
  sql: Queryable,
  settings: AttentionSettings,
  trees: readonly PreparedTree[],
): Promise<unknown> {
  if (trees.length === 0) return Promise.resolve();
  const credits = trees.flatMap(({ tree, carriedCredits }) =>
    carriedCredits.map((c) => ({
      ...c,
      sourceKey: tree.carrySource,
      reason: `unbound at the ${tree.kind} tree of epoch ${tree.epoch}`,
    })),
  );
  const roots = trees.flatMap(({ tree, built, published }) =>
    built !== undefined && published
      ? [
          {
            epoch: tree.epoch,
            channel: tree.channel,
            tokenGroup: tree.tokenGroup,
            mint: settings.mints[tree.tokenGroup]?.mint ?? null,
            mode: settings.publishMode,
            root: built.root,
          },
        ]
      : [],
  );
  return Promise.all([
    credits.length > 0 ? creditCarriedFrom(sql as Sql, credits) : undefined,
    insertPendingRoots(sql, roots),
    insertTreeBuilds(
      sql,
      trees.map((p) => ({
        epoch: p.tree.epoch,
        channel: p.tree.channel,
        kind: p.tree.kind,
        tokenGroup: p.tree.tokenGroup,
        category: p.tree.category,
        outcome: p.built === undefined ? 'empty' : 'stored',
        candidates: p.tree.candidates,
        leafCount: p.tree.leaves.length,
        totalAmount: p.totalAmount,
        carriedCount: p.tree.carried.length,
        carriedAmount: p.carriedAmount,
        overflowCount: p.tree.overflow,
        buildMs: p.buildMs,
        timedOut: p.timedOut,
      })),
    ),
  ]);
}

function outcomeOf(p: PreparedTree): TreeOutcome {
  return {
    channel: p.tree.channel,
    kind: p.tree.kind,
    tokenGroup: p.tree.tokenGroup,
    outcome: p.built === undefined ? 'empty' : 'stored',
    root: p.built?.root ?? null,
    leaves: p.tree.leaves.length,
    totalAmount: p.totalAmount.toString(),
    carried: p.tree.carried.length,
    carriedAmount: p.carriedAmount.toString(),
    overflow: p.tree.overflow,
    published: p.published,
    buildMs: p.buildMs,
  };
}

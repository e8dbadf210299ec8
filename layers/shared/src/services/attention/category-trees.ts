/**
 * Category trees (DESIGN.md section 5, "Trees"): per (category, token group), over the
 * category's channels of the epoch, `category:<category>:<group>` and its shards, filled like a
 * channel's: viewers by earliest first_seen then user_hash, amount = summed weight × the
 * category units. A category tree whose amounts or total would pass MAX_AMOUNT is refused (its
 * units are configuration): it is reported and left undecided.
 *
 * The viewers come from the channels' participants the channel trees read in the same run when
 * every channel of the category was read whole (core/attention/category-viewers.ts), and from a
 * read of the sealed participants otherwise (a channel past the places read, or decided by an
 * earlier run).
 */
import { categoryViewers } from '../../adapters/db/attention/tree-participant-store.ts';
import type { AggregatedViewer } from '../../core/attention/category-viewers.ts';
import { type BoundWallet, boundCandidate, refuseOverflow } from '../../core/attention/tree-plan.ts';
import { amountForWeight, type Candidate, categoryTreeName } from '../../core/attention/trees.ts';
import { withSerializationRetry } from '../platform/transaction-retry.ts';
import { maxShardsOf } from './attention-settings.ts';
import type { SealingDeps } from './sealing.ts';
import { claimTreeBuild } from './tree-build-locks.ts';
import { walletBytes } from './tree-hashing.ts';
import { shardTrees } from './tree-shards.ts';
import { storeTrees, type TreeOutcome } from './tree-storage.ts';

/** A category's viewers as its channel trees read them, and the wallets bound at the build. */
export interface ReadCategoryViewers {
  readonly viewers: readonly AggregatedViewer[];
  readonly wallets: ReadonlyMap<string, BoundWallet>;
}

/** Builds the category's trees, or returns undefined when another run already decided them. */
export function buildCategoryTree(
  deps: SealingDeps,
  epoch: number,
  category: string,
  tokenGroup: string,
  now: Date,
  read?: ReadCategoryViewers,
): Promise<TreeOutcome[] | undefined> {
  const { settings } = deps;
  const channel = categoryTreeName(category, tokenGroup);
  const places = settings.capacity * maxShardsOf(settings, tokenGroup);
  const units = settings.categoryBaseUnitsPerWeight;
  return withSerializationRetry(deps.telemetry, `tree ${channel} ${epoch}`, () =>
    deps.sql.begin(async (tx) => {
      if (!(await claimTreeBuild(tx, epoch, channel))) return undefined;
      let candidates: Candidate[];
      let total: number;
      if (read === undefined) {
        const viewers = await categoryViewers(tx, epoch, category, tokenGroup, now, places);
        candidates = viewers.map((v) => ({
          userHash: v.userHash,
          amount: amountForWeight(v.weight, units),
          wallet: v.wallet ?? undefined,
        }));
        total = viewers[0]?.total ?? 0;
      } else {
        candidates = read.viewers
          .slice(0, places)
          .map((v) =>
            boundCandidate(v.userHash, amountForWeight(v.weight, units), read.wallets, walletBytes),
          );
        total = read.viewers.length;
      }
      refuseOverflow(channel, epoch, candidates);
      const head = {
        epoch,
        channel,
        kind: 'category' as const,
        tokenGroup,
        category,
        candidates: total,
        budgetMs: settings.pooledBudgetMs,
        carrySource: `seal:${epoch}:${channel}`,
      };
      const telemetry = deps.telemetry;
      return storeTrees(tx, deps, shardTrees(settings, telemetry, head, candidates));
    }),
  );
}

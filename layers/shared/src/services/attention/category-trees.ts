/**
 * Category trees (DESIGN.md section 5, "Trees"): per (category, token group), over the
 * category's channels of the epoch, `category:<category>:<group>` and its shards, filled like a
 * channel's: viewers by earliest first_seen then user_hash, amount = summed weight × the
 * category units. A category tree whose amounts or total would pass MAX_AMOUNT is refused (its
 * units are configuration): it is reported and left undecided.
 */
import { categoryViewers } from '../../adapters/db/attention/tree-participant-store.ts';
import { refuseOverflow } from '../../core/attention/tree-plan.ts';
import { amountForWeight, categoryTreeName } from '../../core/attention/trees.ts';
import { withSerializationRetry } from '../platform/transaction-retry.ts';
import { maxShardsOf } from './attention-settings.ts';
import type { SealingDeps } from './sealing.ts';
import { claimTreeBuild } from './tree-build-locks.ts';
import { shardTrees } from './tree-shards.ts';
import { storeTrees, type TreeOutcome } from './tree-storage.ts';

/** Builds the category's trees, or returns undefined when another run already decided them. */
export function buildCategoryTree(
  deps: SealingDeps,
  epoch: number,
  category: string,
  tokenGroup: string,
  now: Date,
): Promise<TreeOutcome[] | undefined> {
  const { settings } = deps;
  const channel = categoryTreeName(category, tokenGroup);
  const places = settings.capacity * maxShardsOf(settings, tokenGroup);
  return withSerializationRetry(deps.telemetry, `tree ${channel} ${epoch}`, () =>
    deps.sql.begin(async (tx) => {
      if (!(await claimTreeBuild(tx, epoch, channel))) return undefined;
      const viewers = await categoryViewers(tx, epoch, category, tokenGroup, now, places);
      const candidates = viewers.map((v) => ({
        userHash: v.userHash,
        amount: amountForWeight(v.weight, settings.categoryBaseUnitsPerWeight),
        wallet: v.wallet ?? undefined,
      }));
      refuseOverflow(channel, epoch, candidates);
      const head = {
        epoch,
        channel,
        kind: 'category' as const,
        tokenGroup,
        category,
        candidates: viewers[0]?.total ?? 0,
        budgetMs: settings.pooledBudgetMs,
        carrySource: `seal:${epoch}:${channel}`,
      };
      const telemetry = deps.telemetry;
      return storeTrees(tx, deps, shardTrees(settings, telemetry, head, candidates));
    }),
  );
}

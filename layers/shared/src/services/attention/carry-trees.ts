/**
 * Carry trees (DESIGN.md section 5, "No stranded amount"): one `carry:<group>` per token group
 * that can publish, built last in an epoch, paying what the channel and category trees carried:
 * bound viewers with a carried balance, by bind time then user_hash, up to capacity. Each
 * balance is debited as it enters the tree (ledger source `carry:<epoch>:<group>`) and is paid
 * only what fits within MAX_AMOUNT, the rest staying carried to the next epoch's tree.
 */

import type { CarryCredit } from '../../adapters/db/attention/carry-store.ts';
import { insertTreeBuilds } from '../../adapters/db/attention/tree-build-store.ts';
import {
  debitCarriedBalances,
  lockCarryGroup,
  payableBalances,
} from '../../adapters/db/attention/tree-carry-store.ts';
import { sumByViewer } from '../../core/attention/tree-plan.ts';
import { carryTreeName, splitByCapacity, withinAmountBudget } from '../../core/attention/trees.ts';
import { METRIC } from '../../metric-names.ts';
import type { Queryable } from '../../ports/sql.ts';
import { withSerializationRetry } from '../platform/transaction-retry.ts';
import { groupPublishes } from './attention-settings.ts';
import type { SealingDeps } from './sealing.ts';
import { claimTreeBuild } from './tree-build-locks.ts';
import { storeTrees, type TreeOutcome } from './tree-storage.ts';

/** Builds the group's carry tree, or returns undefined when another run already decided it. */
export function buildCarryTree(
  deps: SealingDeps,
  epoch: number,
  tokenGroup: string,
  now: Date,
): Promise<TreeOutcome | undefined> {
  const channel = carryTreeName(tokenGroup);
  return withSerializationRetry(deps.telemetry, `tree ${channel} ${epoch}`, () =>
    deps.sql.begin(async (tx) => {
      await lockCarryGroup(tx, tokenGroup);
      if (!(await claimTreeBuild(tx, epoch, channel))) return undefined;
      // No root of this group can be published: its balances keep waiting rather than move
      // into a tree nobody can claim from.
      if (!groupPublishes(deps.settings, tokenGroup)) return skipCarryTree(tx, epoch, tokenGroup);
      return payCarried(deps, tx, epoch, tokenGroup, now);
    }),
  );
}

/** The carry tree's leaves, stored, and the balances it pays debited, in the caller's transaction. */
async function payCarried(
  deps: SealingDeps,
  tx: Queryable,
  epoch: number,
  tokenGroup: string,
  now: Date,
): Promise<TreeOutcome> {
  const { capacity } = deps.settings;
  const channel = carryTreeName(tokenGroup);
  const balances = await payableBalances(tx, tokenGroup, now, capacity);
  const total = balances[0]?.total ?? 0;
  // A balance, or the sum of the balances within capacity, may be past what one tree pays:
  // each is paid what fits and keeps the rest, carried to the next epoch's tree.
  const { paid, reduced } = withinAmountBudget(
    balances.map((b) => ({ userHash: b.userHash, amount: b.amount, wallet: b.wallet })),
  );
  if (reduced > 0) {
    const telemetry = deps.telemetry;
    telemetry.metric(METRIC.amountOverflow, 'Count', 1);
    telemetry.warn('carried balances past what one tree pays; the rest waits for the next epoch', {
      epoch,
      channel,
      reduced,
    });
  }
  const split = splitByCapacity(paid, capacity, total);
  const tree = {
    epoch,
    channel,
    kind: 'carry' as const,
    tokenGroup,
    category: null,
    candidates: total,
    ...split,
    budgetMs: deps.settings.pooledBudgetMs,
    carrySource: `carry:${epoch}:${tokenGroup}`,
  };
  const [outcome] = await storeTrees(tx, deps, [tree]);
  await debitCarried(
    tx,
    split.leaves.map((l) => ({ userHash: l.userHash, tokenGroup, amount: l.amount })),
    `carry:${epoch}:${tokenGroup}`,
    `paid in ${channel} epoch ${epoch}`,
  );
  return outcome as TreeOutcome;
}

/** Records the group's carry tree as skipped: nothing is read, paid or stored. */
async function skipCarryTree(tx: Queryable, epoch: number, tokenGroup: string): Promise<TreeOutcome> {
  const channel = carryTreeName(tokenGroup);
  await insertTreeBuilds(tx, [
    {
      epoch,
      channel,
      kind: 'carry',
      tokenGroup,
      category: null,
      outcome: 'skipped',
      candidates: 0,
      leafCount: 0,
      totalAmount: 0n,
      carriedCount: 0,
      carriedAmount: 0n,
      overflowCount: 0,
      buildMs: 0,
      timedOut: false,
    },
  ]);
  return {
    channel,
    kind: 'carry',
    tokenGroup,
    outcome: 'skipped',
    root: null,
    leaves: 0,
    totalAmount: '0',
    carried: 0,
    carriedAmount: '0',
    overflow: 0,
    published: false,
    buildMs: 0,
  };
}

/**
 * Takes what a carry tree pays out of each viewer's carried balance, once per `sourceKey`
 * (a ledger row with a negative delta); returns how much was newly debited.
 */
export function debitCarried(
  sql: Queryable,
  debits: readonly CarryCredit[],
  sourceKey: string,
  reason: string,
): Promise<bigint> {
  return debitCarriedBalances(sql, sumByViewer(debits), sourceKey, reason);
}

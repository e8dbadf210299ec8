/**
 * Who decides a tree: whoever holds its lock (a transaction-scoped advisory lock per epoch and
 * tree name). tree_builds, read after the lock, says whether an earlier holder already did.
 */
import { isTreeDecided } from '../../adapters/db/attention/tree-build-store.ts';
import type { Queryable, Sql } from '../../ports/sql.ts';
import { lockKeys } from '../platform/advisory-locks.ts';

/**
 * Takes the per-tree locks of `channels` until the transaction ends, always in one order
 * (lockKeys), so two runs locking overlapping sets never wait on each other in a cycle.
 */
export function lockTreeBuilds(tx: Queryable, epoch: number, channels: readonly string[]): Promise<void> {
  return lockKeys(
    tx as Sql,
    channels.map((channel) => `tree:${epoch}:${channel}`),
    'exclusive',
  );
}

/** Takes the per-tree lock and says whether the tree is still undecided. */
export async function claimTreeBuild(tx: Queryable, epoch: number, channel: string): Promise<boolean> {
  await lockTreeBuilds(tx, epoch, [channel]);
  return !(await isTreeDecided(tx, epoch, channel));
}

/**
 * Why the claims API has no tree or no leaf to answer with: the 404's message tells a viewer
 * whether the channel is not sealed yet, built without them, past its capacity or carried.
 */

import {
  countShardBuilds,
  findSealedPlace,
  findTreeBuildOutcome,
  hasParticipation,
  isChannelSealed,
} from '../../adapters/db/attention/claims-store.ts';
import type { TreeName } from '../../core/attention/trees.ts';
import type { Sql } from '../../ports/sql.ts';

export async function whyNoTree(sql: Sql, epoch: number, tree: TreeName): Promise<string> {
  const when = `epoch ${epoch} (${new Date(epoch * 1000).toISOString()})`;
  const build = await findTreeBuildOutcome(sql, epoch, tree.name);
  if (build?.outcome === 'empty') {
    return `${tree.name} has no tree in ${when}: no participant had a bound wallet when it was built (${build.carriedCount} amounts were carried)`;
  }
  if (build?.outcome === 'skipped') {
    return `${tree.name} has no tree in ${when}: its token group has no mint, so its balances keep waiting`;
  }
  if (tree.kind !== 'channel') return `no ${tree.kind} tree ${tree.name} in ${when}`;
  if (tree.shard > 1) {
    const shards = await countShardBuilds(sql, epoch, tree.base);
    if (shards > 0) {
      return `channel ${tree.base} has ${shards} shard tree${shards === 1 ? '' : 's'} in ${when}, not ${tree.shard}`;
    }
  }
  if (await isChannelSealed(sql, epoch, tree.base))
    return `channel ${tree.base} is sealed in ${when} but its trees are not built yet`;
  return (await hasParticipation(sql, epoch, tree.base))
    ? `channel ${tree.base} is not sealed yet in ${when}`
    : `channel ${tree.base} has no participation in ${when}`;
}

export async function whyNoLeaf(
  sql: Sql,
  epoch: number,
  tree: TreeName,
  hash: string,
  user: string,
): Promise<string> {
  const where = `the ${tree.name} tree of epoch ${epoch}`;
  if (tree.kind !== 'channel') return `${user} has no leaf in ${where}`;
  const place = await findSealedPlace(sql, epoch, tree.base, hash);
  if (place === undefined) return `${user} did not participate in ${tree.base} in epoch ${epoch}`;
  // The first shard's build row counts the whole channel; overflow is the tail of sealing order.
  if (place.capacityEnd !== null && place.position >= place.capacityEnd) {
    return `${user} was participant ${place.position + 1} of ${tree.base} in epoch ${epoch}, beyond the tree's capacity: no reward that epoch`;
  }
  if (place.bound) {
    return `${user} has no leaf in ${where}: their leaf is in another shard of ${tree.base} (see GET /claims/${user})`;
  }
  return `${user} has no leaf in ${where}: no wallet was bound when it was built, so the amount was carried (see GET /claims/${user})`;
}

/**
 * How many shards each channel's trees used per epoch, read from tree_builds (a channel's first
 * shard row holds the channel's counts, every other shard has a row of its own):
 * services/attention/shard-usage.ts. A read model over the tree builds, kept apart from the
 * builder's own tree-build-store.ts.
 */

import type { treeBuilds } from '../../../../../../drizzle/schema/attention.ts';
import type { Queryable } from '../../../ports/sql.ts';

/** One channel in one epoch: its shard trees stored, and its participants beyond the cap. */
export type ChannelEpochShards = Pick<typeof treeBuilds.$inferSelect, 'channel' | 'tokenGroup' | 'epoch'> & {
  readonly shards: number;
  readonly overflow: number;
};

/** Channel trees of the `epochs` newest epochs with channel builds, by channel then epoch. */
export async function listChannelEpochShards(q: Queryable, epochs: number): Promise<ChannelEpochShards[]> {
  return q<ChannelEpochShards[]>`
    with recent as (
      select distinct epoch from attention.tree_builds where kind = 'channel' order by epoch desc limit ${epochs}
    )
    select split_part(b.channel, '~', 1) as channel, min(b.token_group) as "tokenGroup", b.epoch::float8 as epoch,
      count(*) filter (where b.outcome = 'stored')::int as shards, sum(b.overflow_count)::int as overflow
    from attention.tree_builds b join recent r on r.epoch = b.epoch
    where b.kind = 'channel'
    group by 1, 3
    order by 1, 3`;
}

/**
 * Shards used per channel in the last epochs, beside the token group's cap: what an operator
 * reads to set TOKEN_GROUP_MAX_SHARDS (each shard is one more account and one more publication
 * an hour; participants past the cap are overflow). Read from tree_builds, where a channel's
 * first shard row holds the channel's counts and every other shard has a row of its own.
 */
import type { Sql } from '../../ports/sql.ts';
import { type AttentionSettings, maxShardsOf } from './attention-settings.ts';

export interface ChannelShardUsage {
  readonly channel: string;
  readonly tokenGroup: string;
  /** The group's cap (TOKEN_GROUP_MAX_SHARDS, default 8). */
  readonly maxShards: number;
  /** Epochs of the window in which the channel was built. */
  readonly epochs: number;
  /** The most shard trees any of those epochs used, and the last epoch's. */
  readonly maxShardsUsed: number;
  readonly lastEpoch: number;
  readonly lastShardsUsed: number;
  /** Participants beyond the cap over the window (no reward). */
  readonly overflow: number;
}

/** Channels built in the `epochs` newest built epochs, most shards first, then by name. */
export async function channelShardUsage(
  sql: Sql,
  settings: Pick<AttentionSettings, 'maxShards'>,
  options: { readonly epochs?: number } = {},
): Promise<ChannelShardUsage[]> {
  const window = options.epochs ?? 24;
  const rows = await sql<
    { channel: string; token_group: string; epoch: number; shards: number; overflow: number }[]
  >`
    with recent as (
      select distinct epoch from attention.tree_builds where kind = 'channel' order by epoch desc limit ${window}
    )
    select split_part(b.channel, '~', 1) as channel, min(b.token_group) as token_group, b.epoch::float8 as epoch,
      count(*) filter (where b.outcome = 'stored')::int as shards, sum(b.overflow_count)::int as overflow
    from attention.tree_builds b join recent r on r.epoch = b.epoch
    where b.kind = 'channel'
    group by 1, 3
    order by 1, 3`;
  const byChannel = new Map<string, (typeof rows)[number][]>();
  for (const row of rows) {
    const list = byChannel.get(row.channel) ?? [];
    list.push(row);
    byChannel.set(row.channel, list);
  }
  const usage = [...byChannel.entries()].map(([channel, list]): ChannelShardUsage => {
    const last = list[list.length - 1] as (typeof list)[number];
    return {
      channel,
      tokenGroup: last.token_group,
      maxShards: maxShardsOf(settings, last.token_group),
      epochs: list.length,
      maxShardsUsed: Math.max(...list.map((r) => r.shards)),
      lastEpoch: last.epoch,
      lastShardsUsed: last.shards,
      overflow: list.reduce((sum, r) => sum + r.overflow, 0),
    };
  });
  return usage.sort((a, b) => b.maxShardsUsed - a.maxShardsUsed || (a.channel < b.channel ? -1 : 1));
}

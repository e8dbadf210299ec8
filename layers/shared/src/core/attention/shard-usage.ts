/**
 * Shards used per channel over a window of epochs, beside the token group's cap: what an operator
 * reads to set TOKEN_GROUP_MAX_SHARDS (services/attention/shard-usage.ts reads the builds).
 */

/** One channel in one epoch, as the builds recorded it. */
export interface ChannelEpochShardCount {
  readonly channel: string;
  readonly tokenGroup: string;
  readonly epoch: number;
  /** Shard trees stored. */
  readonly shards: number;
  /** Participants beyond the cap (no reward). */
  readonly overflow: number;
}

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

/**
 * One entry per channel from its epochs' counts (`rows` by channel, then epoch ascending): the
 * token group and last epoch are the newest epoch's. Most shards used first, then by name.
 */
export function summarizeShardUsage(
  rows: readonly ChannelEpochShardCount[],
  capOf: (tokenGroup: string) => number,
): ChannelShardUsage[] {
  const byChannel = new Map<string, ChannelEpochShardCount[]>();
  for (const row of rows) {
    const list = byChannel.get(row.channel) ?? [];
    list.push(row);
    byChannel.set(row.channel, list);
  }
  const usage = [...byChannel.entries()].map(([channel, list]): ChannelShardUsage => {
    const last = list[list.length - 1] as ChannelEpochShardCount;
    return {
      channel,
      tokenGroup: last.tokenGroup,
      maxShards: capOf(last.tokenGroup),
      epochs: list.length,
      maxShardsUsed: Math.max(...list.map((r) => r.shards)),
      lastEpoch: last.epoch,
      lastShardsUsed: last.shards,
      overflow: list.reduce((sum, r) => sum + r.overflow, 0),
    };
  });
  return usage.sort((a, b) => b.maxShardsUsed - a.maxShardsUsed || (a.channel < b.channel ? -1 : 1));
}

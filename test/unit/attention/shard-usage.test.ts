import { describe, expect, it } from 'vitest';
import {
  type ChannelEpochShardCount,
  summarizeShardUsage,
} from '../../../layers/shared/src/core/attention/shard-usage.ts';

const caps: Record<string, number> = { CLS: 4 };
const capOf = (group: string) => caps[group] ?? 8;

function row(channel: string, epoch: number, shards: number, overflow = 0, tokenGroup = 'OTHER') {
  return { channel, tokenGroup, epoch, shards, overflow } satisfies ChannelEpochShardCount;
}

describe('summarizeShardUsage', () => {
  it('takes the most shards over the window, the last epoch as the newest, and sums the overflow', () => {
    const usage = summarizeShardUsage(
      [row('alpha', 100, 2, 0), row('alpha', 101, 5, 30), row('alpha', 102, 3, 7)],
      capOf,
    );
    expect(usage).toEqual([
      {
        channel: 'alpha',
        tokenGroup: 'OTHER',
        maxShards: 8,
        epochs: 3,
        maxShardsUsed: 5,
        lastEpoch: 102,
        lastShardsUsed: 3,
        overflow: 37,
      },
    ]);
  });

  it("answers the newest epoch's token group and that group's cap", () => {
    const [usage] = summarizeShardUsage(
      [row('beta', 100, 1, 0, 'OTHER'), row('beta', 101, 1, 0, 'CLS')],
      capOf,
    );
    expect(usage).toMatchObject({ tokenGroup: 'CLS', maxShards: 4 });
  });

  it('orders by the most shards used, then by channel name', () => {
    const usage = summarizeShardUsage(
      [row('carol', 100, 2), row('dave', 100, 6), row('bob', 100, 2), row('erin', 100, 1)],
      capOf,
    );
    expect(usage.map((u) => u.channel)).toEqual(['dave', 'bob', 'carol', 'erin']);
  });

  it('answers nothing for no builds', () => {
    expect(summarizeShardUsage([], capOf)).toEqual([]);
  });
});

/**
 * Shards used per channel in the last epochs, beside the token group's cap: what an operator
 * reads to set TOKEN_GROUP_MAX_SHARDS (each shard is one more account and one more publication
 * an hour; participants past the cap are overflow). Read from tree_builds.
 */
import { listChannelEpochShards } from '../../adapters/db/attention/shard-usage-store.ts';
import { type ChannelShardUsage, summarizeShardUsage } from '../../core/attention/shard-usage.ts';
import type { Sql } from '../../ports/sql.ts';
import { type AttentionSettings, maxShardsOf } from './attention-settings.ts';

/** Channels built in the `epochs` newest built epochs, most shards first, then by name. */
export async function channelShardUsage(
  sql: Sql,
  settings: Pick<AttentionSettings, 'maxShards'>,
  options: { readonly epochs?: number } = {},
): Promise<ChannelShardUsage[]> {
  const rows = await listChannelEpochShards(sql, options.epochs ?? 24);
  return summarizeShardUsage(rows, (tokenGroup) => maxShardsOf(settings, tokenGroup));
}

/**
 * A channel's or category's trees cut into shards at the token group's cap, with the alarm for
 * what overflows it (DESIGN.md "Shards"): past the cap a participant gets no reward this epoch,
 * which with shards means the cap is set too low.
 */
import { planShards, type TreeHead, type TreePlan } from '../../core/attention/tree-plan.ts';
import type { Candidate } from '../../core/attention/trees.ts';
import { METRIC } from '../../metric-names.ts';
import type { Telemetry } from '../../ports/telemetry.ts';
import { type AttentionSettings, maxShardsOf } from './attention-settings.ts';

/** The tree's shards (planShards); overflow past the cap is counted and logged, once per tree. */
export function shardTrees(
  settings: AttentionSettings,
  telemetry: Telemetry,
  head: TreeHead,
  candidates: readonly Candidate[],
): TreePlan[] {
  const maxShards = maxShardsOf(settings, head.tokenGroup);
  const trees = planShards(head, candidates, settings.capacity, maxShards);
  const overflow = trees[0]?.overflow ?? 0;
  if (overflow > 0) {
    telemetry.metric(METRIC.shardOverflow, 'Count', overflow);
    telemetry.warn(
      'participants beyond the shard cap get no reward this epoch; raise TOKEN_GROUP_MAX_SHARDS',
      {
        epoch: head.epoch,
        channel: head.channel,
        tokenGroup: head.tokenGroup,
        overflow,
        maxShards,
        capacity: settings.capacity,
      },
    );
  }
  return trees;
}

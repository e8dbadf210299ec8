/**
 * Step 4 of the creator sync: newly reached milestones recorded (once each per creator) and
 * announced as MilestoneReached.
 */
import {
  insertMilestones,
  markMilestoneAnnounced,
  recordedMilestones,
  unannouncedMilestones,
} from '../../adapters/db/creator/milestone-store.ts';
import { type Milestone, newlyReachedMilestones } from '../../core/creator/milestones.ts';
import type { Sql } from '../../ports/sql.ts';
import type { CreatorMetrics } from './creator-metrics.ts';
import type { CreatorSyncDeps } from './creator-sync.ts';

/** Records the milestones each creator reached since the last run; returns how many. */
export async function recordMilestones(
  sql: Sql,
  runId: string,
  now: Date,
  metrics: readonly CreatorMetrics[],
  milestones: readonly Milestone[],
): Promise<number> {
  const recorded = await recordedMilestones(sql);
  const fresh = metrics.flatMap((m) =>
    newlyReachedMilestones(m, recorded.get(m.creatorId) ?? [], milestones).map((reached) => ({
      creatorId: m.creatorId,
      milestone: reached.milestone.id,
      kind: reached.milestone.kind,
      threshold: reached.milestone.threshold,
      valueAtReach: reached.value,
      description: reached.milestone.description,
    })),
  );
  if (fresh.length === 0) return 0;
  return insertMilestones(sql, runId, now, fresh);
}

const ANNOUNCE_BATCH = 500;

/**
 * Puts MilestoneReached on the event bus for recorded milestones not announced yet, oldest first,
 * marking each once the bus took it (`announced_at` is the outbox). A crash in between announces
 * one again under the same notification id, so nobody is notified twice.
 */
export async function announceMilestones(deps: CreatorSyncDeps, now: Date): Promise<number> {
  const { sql, events } = deps;
  if (events === undefined) return 0;
  const unannounced = await unannouncedMilestones(sql, ANNOUNCE_BATCH);
  for (const m of unannounced) {
    await events.publish({
      type: 'MilestoneReached',
      creatorId: m.creatorId,
      creator: m.walletAddress,
      stageName: m.stageName,
      milestone: m.milestone,
      description: m.description,
      value: m.value,
      timestamp: Math.floor(m.reachedAt.getTime() / 1000),
    });
    await markMilestoneAnnounced(sql, m.id, now);
  }
  return unannounced.length;
}

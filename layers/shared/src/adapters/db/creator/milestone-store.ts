/**
 * Creator milestones (`creator.creator_milestones`): each recorded once per creator, and
 * `announced_at` as the outbox of MilestoneReached (null until the event bus took it).
 */
import type { creatorMilestones } from '../../../../../../drizzle/schema/creator.ts';
import type { Queryable } from '../../../ports/sql.ts';

type MilestoneRow = typeof creatorMilestones.$inferSelect;

/** The milestone ids each creator has reached, by creator id. */
export async function recordedMilestones(q: Queryable): Promise<Map<string, string[]>> {
  const recorded = new Map<string, string[]>();
  for (const row of await q<{ creator_id: string; milestone: string }[]>`
    select creator_id, milestone from creator.creator_milestones`) {
    const list = recorded.get(row.creator_id) ?? [];
    list.push(row.milestone);
    recorded.set(row.creator_id, list);
  }
  return recorded;
}

export type ReachedMilestone = Pick<
  MilestoneRow,
  'creatorId' | 'milestone' | 'kind' | 'threshold' | 'valueAtReach' | 'description'
>;

/** Records milestones reached at `at` by run `runId`; one already recorded is kept. Returns how many were new. */
export async function insertMilestones(
  q: Queryable,
  runId: string,
  at: Date,
  reached: readonly ReachedMilestone[],
): Promise<number> {
  const inserted = await q`
    insert into creator.creator_milestones
      (creator_id, milestone, kind, threshold, value_at_reach, description, reached_at, sync_run_id)
    select d.creator_id, d.milestone, d.kind, d.threshold, d.value, d.description, ${at.toISOString()}::timestamptz, ${runId}::uuid
    from unnest(
      ${q.array(reached.map((r) => r.creatorId))}::uuid[],
      ${q.array(reached.map((r) => r.milestone))}::text[],
      ${q.array(reached.map((r) => r.kind))}::text[],
      ${q.array(reached.map((r) => r.threshold.toString()))}::numeric[],
      ${q.array(reached.map((r) => r.valueAtReach.toString()))}::numeric[],
      ${q.array(reached.map((r) => r.description))}::text[]
    ) as d(creator_id, milestone, kind, threshold, value, description)
    on conflict (creator_id, milestone) do nothing
    returning 1`;
  return inserted.length;
}

/** A milestone not announced yet, with its creator's wallet and stage name for the event. */
export type UnannouncedMilestone = Pick<
  MilestoneRow,
  'id' | 'creatorId' | 'milestone' | 'description' | 'reachedAt'
> & {
  readonly walletAddress: string;
  readonly stageName: string;
  /** `value_at_reach` as decimal text, as the event carries it. */
  readonly value: string;
};

/** Up to `limit` unannounced milestones, oldest first. */
export async function unannouncedMilestones(q: Queryable, limit: number): Promise<UnannouncedMilestone[]> {
  const rows = await q<
    {
      id: number;
      creator_id: string;
      wallet_address: string;
      stage_name: string;
      milestone: string;
      description: string;
      value: string;
      reached_at: string;
    }[]
  >`
    select m.id::float8 as id, m.creator_id, c.wallet_address, c.stage_name, m.milestone, m.description,
      m.value_at_reach::text as value, m.reached_at::text
    from creator.creator_milestones m join creator.creators c on c.id = m.creator_id
    where m.announced_at is null
    order by m.id
    limit ${limit}`;
  return rows.map((row) => ({
    id: row.id,
    creatorId: row.creator_id,
    walletAddress: row.wallet_address,
    stageName: row.stage_name,
    milestone: row.milestone,
    description: row.description,
    value: row.value,
    reachedAt: new Date(row.reached_at),
  }));
}

export async function markMilestoneAnnounced(q: Queryable, id: number, at: Date): Promise<void> {
  await q`
    update creator.creator_milestones set announced_at = ${at.toISOString()}::timestamptz
    where id = ${id} and announced_at is null`;
}

/**
 * Tree decisions (attention.tree_builds): one row per (epoch, tree name) the builder decided,
 * empty and skipped trees included, which is what makes building an epoch's trees again change
 * nothing.
 */
import type { sealedEpochs, treeBuilds } from '../../../../../../drizzle/schema/attention.ts';
import type { Queryable } from '../../../ports/sql.ts';

/** A decision to record: the row without its defaults (built_at). */
export type TreeBuild = Omit<typeof treeBuilds.$inferInsert, 'builtAt'> & {
  readonly kind: 'channel' | 'category' | 'carry';
  readonly outcome: 'stored' | 'empty' | 'skipped';
};

export type SealedCategory = Pick<typeof sealedEpochs.$inferSelect, 'category' | 'tokenGroup'>;

/** Sealed channels of `epoch` whose tree is not decided yet, by name. */
export async function undecidedChannels(q: Queryable, epoch: number): Promise<string[]> {
  const rows = await q<{ channel: string }[]>`
    select s.channel from attention.sealed_epochs s
    where s.epoch = ${epoch}
      and not exists (select 1 from attention.tree_builds b where b.epoch = s.epoch and b.channel = s.channel)
    order by s.channel`;
  return rows.map((r) => r.channel);
}

/** The (category, token group) pairs sealed in `epoch`. */
export async function sealedCategories(q: Queryable, epoch: number): Promise<SealedCategory[]> {
  const rows = await q<{ category: string; token_group: string }[]>`
    select distinct category, token_group from attention.sealed_epochs where epoch = ${epoch}
    order by category, token_group`;
  return rows.map((r) => ({ category: r.category, tokenGroup: r.token_group }));
}

/** A channel sealed in an epoch, under the category tree it counts toward. */
export type CategoryChannel = Pick<
  typeof sealedEpochs.$inferSelect,
  'category' | 'tokenGroup' | 'channel' | 'participantCount'
>;

/** Every channel sealed in `epoch` with its category, token group and participant count. */
export async function categoryChannels(q: Queryable, epoch: number): Promise<CategoryChannel[]> {
  const rows = await q<
    { category: string; token_group: string; channel: string; participant_count: number }[]
  >`
    select category, token_group, channel, participant_count from attention.sealed_epochs where epoch = ${epoch}`;
  return rows.map((r) => ({
    category: r.category,
    tokenGroup: r.token_group,
    channel: r.channel,
    participantCount: r.participant_count,
  }));
}

/** Epochs in [from, to] with sealed channels, categories or token groups whose trees were not decided. */
export async function epochsWithUndecidedTrees(
  q: Queryable,
  fromEpoch: number,
  toEpoch: number,
): Promise<number[]> {
  const rows = await q<{ epoch: number }[]>`
    select distinct s.epoch::float8 as epoch from attention.sealed_epochs s
    where s.epoch >= ${fromEpoch} and s.epoch <= ${toEpoch}
      and (
        not exists (select 1 from attention.tree_builds b where b.epoch = s.epoch and b.channel = s.channel)
        or not exists (select 1 from attention.tree_builds b where b.epoch = s.epoch
          and b.channel = lower('category:' || s.category || ':' || s.token_group))
        or not exists (select 1 from attention.tree_builds b where b.epoch = s.epoch
          and b.channel = lower('carry:' || s.token_group))
      )
    order by 1`;
  return rows.map((r) => r.epoch);
}

export async function isTreeDecided(q: Queryable, epoch: number, channel: string): Promise<boolean> {
  const rows = await q`select 1 from attention.tree_builds where epoch = ${epoch} and channel = ${channel}`;
  return rows.length > 0;
}

export async function insertTreeBuilds(q: Queryable, builds: readonly TreeBuild[]): Promise<void> {
  if (builds.length === 0) return;
  const rows = builds.map((b) => ({
    epoch: b.epoch,
    channel: b.channel,
    kind: b.kind,
    token_group: b.tokenGroup,
    category: b.category ?? null,
    outcome: b.outcome,
    candidates: b.candidates,
    leaf_count: b.leafCount,
    total_amount: b.totalAmount.toString(),
    carried_count: b.carriedCount,
    carried_amount: b.carriedAmount.toString(),
    overflow_count: b.overflowCount,
    build_ms: b.buildMs ?? 0,
    timed_out: b.timedOut ?? false,
  }));
  await q`insert into attention.tree_builds ${q(rows)}`;
}

/** Sealed participants of the epoch's channel trees, and how many of them overflowed. */
export async function channelOverflow(
  q: Queryable,
  epoch: number,
): Promise<{ readonly participants: number; readonly overflow: number }> {
  const [row] = await q<{ participants: number; overflow: number }[]>`
    select coalesce(sum(candidates), 0)::int as participants, coalesce(sum(overflow_count), 0)::int as overflow
    from attention.tree_builds where epoch = ${epoch} and kind = 'channel'`;
  return { participants: row?.participants ?? 0, overflow: row?.overflow ?? 0 };
}

/**
 * The named queries the claims and epochs routes read: a stored tree's root with its
 * publication, its dump, the trees a viewer has a leaf in, and what an epoch sealed and built.
 * Rows are mapped to the views of core/attention/claim-views.ts here.
 */

import type {
  merkleTrees,
  publications,
  sealedEpochs,
  treeBuilds,
} from '../../../../../../drizzle/schema/attention.ts';
import {
  type ChannelView,
  CLAIMABLE_STATUSES,
  type PublicationView,
  type TreeMeta,
} from '../../../core/attention/claim-views.ts';
import type { ClaimRow, LeafFormat, StoredClaimTreeDump } from '../../../core/merkle/index.ts';
import type { Queryable } from '../../../ports/sql.ts';

type Nullable<T> = { [K in keyof T]: T[K] | null };

/**
 * A tree's publication as joined (null columns when it has none). Bigints are read as float8,
 * timestamps as text: the client's parsers for those differ between connections.
 */
type PublicationColumns = Nullable<
  Pick<typeof publications.$inferSelect, 'status' | 'mode' | 'mint' | 'signature' | 'slot'>
> & {
  readonly publishedAt: string | null;
};

type TreeMetaRow = Pick<
  typeof merkleTrees.$inferSelect,
  'epoch' | 'channel' | 'kind' | 'tokenGroup' | 'root' | 'leafCount'
> &
  PublicationColumns & {
    readonly format: LeafFormat;
    /** u64, as decimal text. */
    readonly totalAmount: string;
  };

/** A sealed channel or a built tree of an epoch; amounts (u64) and timestamps as text. */
type ChannelRow = Pick<typeof treeBuilds.$inferSelect, 'channel' | 'kind' | 'tokenGroup' | 'category'> &
  Nullable<Pick<typeof sealedEpochs.$inferSelect, 'participantCount'>> &
  Nullable<
    Pick<
      typeof treeBuilds.$inferSelect,
      'outcome' | 'leafCount' | 'carriedCount' | 'overflowCount' | 'candidates'
    >
  > &
  Nullable<Pick<typeof merkleTrees.$inferSelect, 'root' | 'format'>> &
  PublicationColumns & {
    readonly totalWeight: string | null;
    readonly sealedAt: string | null;
    readonly totalAmount: string | null;
    readonly carriedAmount: string | null;
    readonly builtAt: string | null;
  };

const publicationColumns = (q: Queryable) =>
  q`p.status, p.mode, p.mint, p.signature, p.slot::float8 as slot, p.published_at::text as "publishedAt"`;

const treeMetaColumns = (q: Queryable) => q`t.epoch::float8 as epoch, t.channel, t.kind,
  t.token_group as "tokenGroup", t.root, t.format, t.leaf_count as "leafCount",
  t.total_amount::text as "totalAmount", ${publicationColumns(q)}`;

const buildColumns = (q: Queryable) => q`b.outcome, b.leaf_count as "leafCount",
  b.total_amount::text as "totalAmount", b.carried_count as "carriedCount",
  b.carried_amount::text as "carriedAmount", b.overflow_count as "overflowCount", b.candidates,
  b.built_at::text as "builtAt", t.root, t.format, ${publicationColumns(q)}`;

/** The stored tree of (epoch, channel) with its publication; undefined when none is stored. */
export async function findTreeMeta(
  q: Queryable,
  epoch: number,
  channel: string,
): Promise<TreeMeta | undefined> {
  const [row] = await q<TreeMetaRow[]>`
    select ${treeMetaColumns(q)}
    from attention.merkle_trees t
    left join attention.publications p on p.epoch = t.epoch and p.channel = t.channel
    where t.epoch = ${epoch} and t.channel = ${channel}`;
  return row === undefined ? undefined : treeMetaOf(row);
}

/**
 * The stored trees of roots still claimable (not overwritten in their ring of `ringSeconds`)
 * in which the viewer may have a leaf: channel trees of channels they were sealed in, category
 * trees of such channels, carry trees that paid them; by epoch and channel.
 */
export async function listClaimableTreesOf(
  q: Queryable,
  userHash: string,
  ringSeconds: number,
): Promise<TreeMeta[]> {
  const rows = await q<TreeMetaRow[]>`
    select ${treeMetaColumns(q)}
    from attention.publications p
    join attention.merkle_trees t on t.epoch = p.epoch and t.channel = p.channel
    where p.status = any(${[...CLAIMABLE_STATUSES]}::text[])
      and not exists (
        select 1 from attention.publications newer
        where newer.channel = p.channel and newer.status = 'published' and newer.epoch >= p.epoch + ${ringSeconds}
      )
      and (
        (t.kind = 'channel' and exists (
          select 1 from attention.sealed_participants sp
          where sp.epoch = t.epoch and sp.channel = split_part(t.channel, '~', 1) and sp.user_hash = ${userHash}))
        or (t.kind = 'category' and exists (
          select 1 from attention.tree_builds b
          join attention.sealed_epochs se
            on se.epoch = b.epoch and se.category = b.category and se.token_group = b.token_group
          join attention.sealed_participants sp
            on sp.epoch = se.epoch and sp.channel = se.channel and sp.user_hash = ${userHash}
          where b.epoch = t.epoch and b.channel = t.channel))
        or (t.kind = 'carry' and exists (
          select 1 from attention.carry_ledger l
          where l.user_hash = ${userHash} and l.source_key = 'carry:' || t.epoch || ':' || t.token_group))
      )
    order by t.epoch, t.channel`;
  return rows.map(treeMetaOf);
}

/** The dump of the tree with this root; undefined once the tree was replaced by another. */
export async function findTreeDump(q: Queryable, tree: TreeMeta): Promise<StoredClaimTreeDump | undefined> {
  const [row] = await q<{ dump: unknown }[]>`
    select dump from attention.merkle_trees
    where epoch = ${tree.epoch} and channel = ${tree.channel} and root = ${tree.root}`;
  if (row === undefined) return undefined;
  // A client without a json parser hands back the text.
  return (typeof row.dump === 'string' ? JSON.parse(row.dump) : row.dump) as StoredClaimTreeDump;
}

/** The channels sealed in the epoch (or the one named), each with its first tree's build. */
export async function listSealedChannels(
  q: Queryable,
  epoch: number,
  channel?: string,
): Promise<ChannelView[]> {
  const rows = await q<ChannelRow[]>`
    select se.channel, 'channel' as kind, se.token_group as "tokenGroup", se.category,
      se.participant_count as "participantCount", se.total_weight::text as "totalWeight",
      se.sealed_at::text as "sealedAt", ${buildColumns(q)}
    from attention.sealed_epochs se
    left join attention.tree_builds b on b.epoch = se.epoch and b.channel = se.channel
    left join attention.merkle_trees t on t.epoch = se.epoch and t.channel = se.channel
    left join attention.publications p on p.epoch = se.epoch and p.channel = se.channel
    where se.epoch = ${epoch} ${channel === undefined ? q`` : q`and se.channel = ${channel}`}
    order by se.channel`;
  return rows.map(channelViewOf);
}

/**
 * The trees built in the epoch that have no seal of their own (category and carry trees, and
 * channel shards past the first), or the one named whatever it is.
 */
export async function listPooledTrees(q: Queryable, epoch: number, channel?: string): Promise<ChannelView[]> {
  const rows = await q<ChannelRow[]>`
    select b.channel, b.kind, b.token_group as "tokenGroup", b.category, null::int as "participantCount",
      null::text as "totalWeight", null::text as "sealedAt", ${buildColumns(q)}
    from attention.tree_builds b
    left join attention.merkle_trees t on t.epoch = b.epoch and t.channel = b.channel
    left join attention.publications p on p.epoch = b.epoch and p.channel = b.channel
    where b.epoch = ${epoch}
      ${channel === undefined ? q`and (b.kind <> 'channel' or position('~' in b.channel) > 0)` : q`and b.channel = ${channel}`}
    order by b.kind, b.channel`;
  return rows.map(channelViewOf);
}

/** The builder's decision for (epoch, channel), when it made one. */
export async function findTreeBuildOutcome(
  q: Queryable,
  epoch: number,
  channel: string,
): Promise<Pick<typeof treeBuilds.$inferSelect, 'outcome' | 'carriedCount'> | undefined> {
  const [build] = await q<Pick<typeof treeBuilds.$inferSelect, 'outcome' | 'carriedCount'>[]>`
    select outcome, carried_count as "carriedCount" from attention.tree_builds
    where epoch = ${epoch} and channel = ${channel}`;
  return build;
}

/** How many shard trees the channel `base` has built in the epoch. */
export async function countShardBuilds(q: Queryable, epoch: number, base: string): Promise<number> {
  const [row] = await q<{ shards: number }[]>`
    select count(*)::int as shards from attention.tree_builds
    where epoch = ${epoch} and split_part(channel, '~', 1) = ${base}`;
  return row?.shards ?? 0;
}

export async function isChannelSealed(q: Queryable, epoch: number, channel: string): Promise<boolean> {
  const [sealed] = await q`
    select 1 from attention.sealed_epochs where epoch = ${epoch} and channel = ${channel}`;
  return sealed !== undefined;
}

export async function hasParticipation(q: Queryable, epoch: number, channel: string): Promise<boolean> {
  const [participation] = await q`
    select 1 from attention.channel_participation where epoch = ${epoch} and channel = ${channel} limit 1`;
  return participation !== undefined;
}

/** Where a sealed participant stands in the channel's trees of the epoch. */
export interface SealedPlace {
  /** 0-based position in sealing order. */
  readonly position: number;
  /** The first position past the trees' capacity (the first shard's build counts the channel), null before a build. */
  readonly capacityEnd: number | null;
  /** Whether their amount went into a leaf rather than to carried balances. */
  readonly bound: boolean;
}

export async function findSealedPlace(
  q: Queryable,
  epoch: number,
  channel: string,
  userHash: string,
): Promise<SealedPlace | undefined> {
  const [row] = await q<SealedPlace[]>`
    select sp.position, (select b.candidates - b.overflow_count from attention.tree_builds b
      where b.epoch = sp.epoch and b.channel = sp.channel) as "capacityEnd",
      (sp.amount > 0 and not exists (select 1 from attention.carry_ledger l
        where l.user_hash = sp.user_hash and l.source_key = ${`seal:${epoch}:${channel}`})) as bound
    from attention.sealed_participants sp
    where sp.epoch = ${epoch} and sp.channel = ${channel} and sp.user_hash = ${userHash}`;
  return row;
}

function publicationOf(row: PublicationColumns): PublicationView | null {
  if (row.status === null) return null;
  return {
    status: row.status,
    mode: row.mode ?? 'memo',
    mint: row.mint,
    signature: row.signature,
    slot: row.slot,
    publishedAt: row.publishedAt === null ? null : new Date(row.publishedAt).toISOString(),
  };
}

function treeMetaOf(row: TreeMetaRow): TreeMeta {
  const { status, mode, mint, signature, slot, publishedAt, ...tree } = row;
  return { ...tree, publication: publicationOf({ status, mode, mint, signature, slot, publishedAt }) };
}

function channelViewOf(row: ChannelRow): ChannelView {
  return {
    channel: row.channel,
    kind: row.kind,
    tokenGroup: row.tokenGroup,
    category: row.category,
    sealed:
      row.sealedAt === null
        ? null
        : {
            participants: row.participantCount ?? 0,
            totalWeight: row.totalWeight ?? '0',
            sealedAt: new Date(row.sealedAt).toISOString(),
          },
    tree:
      row.outcome === null
        ? null
        : {
            outcome: row.outcome,
            candidates: row.candidates ?? 0,
            leaves: row.leafCount ?? 0,
            totalAmount: row.totalAmount ?? '0',
            carried: row.carriedCount ?? 0,
            carriedAmount: row.carriedAmount ?? '0',
            overflow: row.overflowCount ?? 0,
            builtAt: new Date(row.builtAt ?? 0).toISOString(),
            root: row.root,
            format: row.format,
          },
    publication: publicationOf(row),
  };
}

/** The token group and the leaves (claim rows of the dump) of the stored tree of (epoch, channel). */
export async function findTreeLeaves(
  q: Queryable,
  epoch: number,
  channel: string,
): Promise<{ readonly tokenGroup: string; readonly claims: readonly ClaimRow[] } | undefined> {
  const [stored] = await q<{ tokenGroup: string; dump: { claims: ClaimRow[] } }[]>`
    select token_group as "tokenGroup", dump from attention.merkle_trees where epoch = ${epoch} and channel = ${channel}`;
  return stored === undefined ? undefined : { tokenGroup: stored.tokenGroup, claims: stored.dump.claims };
}

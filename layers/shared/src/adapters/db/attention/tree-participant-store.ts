/**
 * What the tree builder reads of a sealed epoch (attention.sealed_epochs, sealed_participants)
 * and of the wallets bound at the build (attention.wallet_bindings).
 */

import type { sealedEpochs, sealedParticipants } from '../../../../../../drizzle/schema/attention.ts';
import type { walletBindings } from '../../../../../../drizzle/schema/attention-wallets.ts';
import type { Queryable } from '../../../ports/sql.ts';

export type BoundWalletRow = Pick<typeof walletBindings.$inferSelect, 'userHash' | 'wallet'>;

export type SealedChannel = Pick<
  typeof sealedEpochs.$inferSelect,
  'channel' | 'tokenGroup' | 'category' | 'participantCount'
>;

/**
 * A channel's participants in sealing order as comma-separated lists (computed columns: user
 * hashes; amounts and weights as decimal text; first_seen as microseconds since 1970), null when
 * it has none within the places read.
 */
export interface ParticipantLists {
  readonly channel: string;
  readonly users: string | null;
  readonly amounts: string | null;
  readonly firstSeen: string | null;
  readonly weights: string | null;
}

/**
 * A category viewer with computed columns: `weight`, their weights summed over the category's
 * channels (hundredths, past what a sealed row's bigint holds); the wallet bound at the build,
 * if any; and `total`, how many viewers the category has in all.
 */
export type CategoryViewer = Pick<typeof sealedParticipants.$inferSelect, 'userHash'> & {
  readonly weight: bigint;
  readonly wallet: string | null;
  readonly total: number;
};

/**
 * Wallets bound at `now` of the viewers within the first `places` positions of `channels`
 * (each viewer once, however many of the channels they watched).
 */
export async function boundWalletsOfViewers(
  q: Queryable,
  epoch: number,
  channels: readonly string[],
  places: number,
  now: Date,
): Promise<BoundWalletRow[]> {
  const rows = await q<{ user_hash: string; wallet: string }[]>`
    select wb.user_hash, wb.wallet from attention.wallet_bindings wb
    where wb.bound_at <= ${now.toISOString()}::timestamptz
      and wb.user_hash in (select sp.user_hash from attention.sealed_participants sp
        where sp.epoch = ${epoch} and sp.channel = any(${channels as string[]}::text[]) and sp.position < ${places})`;
  return rows.map((r) => ({ userHash: r.user_hash, wallet: r.wallet }));
}

/** Those of `channels` sealed in `epoch` whose tree is not decided yet, by name. */
export async function undecidedSealedChannels(
  q: Queryable,
  epoch: number,
  channels: readonly string[],
): Promise<SealedChannel[]> {
  const rows = await q<
    { channel: string; token_group: string; category: string; participant_count: number }[]
  >`
    select s.channel, s.token_group, s.category, s.participant_count from attention.sealed_epochs s
    where s.epoch = ${epoch} and s.channel = any(${channels as string[]}::text[])
      and not exists (select 1 from attention.tree_builds b where b.epoch = s.epoch and b.channel = s.channel)
    order by s.channel`;
  return rows.map((r) => ({
    channel: r.channel,
    tokenGroup: r.token_group,
    category: r.category,
    participantCount: r.participant_count,
  }));
}

/**
 * The first `places` participants of each of `channels` in sealing order. One row per channel
 * as lists: one index scan per channel, in position order, and 1/1,024 of the rows a row per
 * viewer would cost. Their first_seen and weights are what the category trees sum.
 */
export function participantLists(
  q: Queryable,
  epoch: number,
  channels: readonly string[],
  places: number,
): Promise<ParticipantLists[]> {
  return q<ParticipantLists[]>`
    select c.channel, p.users, p.amounts, p.first_seen as "firstSeen", p.weights
    from unnest(${channels as string[]}::text[]) as c(channel)
    cross join lateral (
      select string_agg(s.user_hash, ',' order by s.position) as users,
        string_agg(s.amount::text, ',' order by s.position) as amounts,
        string_agg((extract(epoch from s.first_seen) * 1000000)::bigint::text, ',' order by s.position) as first_seen,
        string_agg(s.weight::text, ',' order by s.position) as weights
      from (
        select sp.position, sp.user_hash, sp.amount, sp.first_seen, sp.weight
        from attention.sealed_participants sp
        where sp.epoch = ${epoch} and sp.channel = c.channel and sp.position < ${places}
        order by sp.position
      ) s
    ) p`;
}

/**
 * The viewers of a category's channels in `epoch`, by earliest first_seen then user_hash, each
 * with their summed weight and the wallet bound at `now`; the first `limit` of them.
 */
export async function categoryViewers(
  q: Queryable,
  epoch: number,
  category: string,
  tokenGroup: string,
  now: Date,
  limit: number,
): Promise<CategoryViewer[]> {
  // The channels first, then one index scan over them: the statistics never know the newest
  // epoch yet, and a join here would be planned as a loop over every participant.
  const channels = await q<{ channel: string }[]>`
    select channel from attention.sealed_epochs
    where epoch = ${epoch} and category = ${category} and token_group = ${tokenGroup}`;
  await q`set local work_mem = '64MB'`;
  const rows = await q<{ user_hash: string; weight: string; wallet: string | null; total: number }[]>`
    select v.user_hash, v.weight::text as weight, wb.wallet, (count(*) over ())::int as total
    from (
      select sp.user_hash, min(sp.first_seen) as first_seen, sum(sp.weight) as weight
      from attention.sealed_participants sp
      where sp.epoch = ${epoch} and sp.channel = any(${channels.map((c) => c.channel)}::text[])
      group by sp.user_hash
    ) v
    left join attention.wallet_bindings wb on wb.user_hash = v.user_hash and wb.bound_at <= ${now.toISOString()}::timestamptz
    order by v.first_seen, v.user_hash collate "C"
    limit ${limit}`;
  return rows.map((r) => ({
    userHash: r.user_hash,
    weight: BigInt(r.weight),
    wallet: r.wallet,
    total: r.total,
  }));
}

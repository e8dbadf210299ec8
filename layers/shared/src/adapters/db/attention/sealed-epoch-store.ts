/**
 * The named queries of sealing: which (epoch, channel) pairs wait for a seal, the snapshot that
 * freezes them into sealed_participants and sealed_epochs, and the sealed epochs as announced
 * and listed. services/attention/sealing.ts owns the transactions and the locks.
 */

import type postgres from 'postgres';
import type { sealedEpochs } from '../../../../../../drizzle/schema/attention.ts';
import type { Queryable } from '../../../ports/sql.ts';

export interface EpochChannel {
  readonly epoch: number;
  readonly channel: string;
}

/**
 * What the snapshot answers per channel: sealed, with its standing, or refused (an amount or a
 * sum past the maximum), with the numbers that refused it. Computed columns: the sums are
 * numeric read as decimal text, so a refused one is shown exactly.
 */
export type SealSnapshotRow = Pick<typeof sealedEpochs.$inferSelect, 'channel' | 'participantCount'> & {
  readonly outcome: 'sealed' | 'refused';
  /** Null when refused. */
  readonly tokenGroup: string | null;
  /** Null when refused. */
  readonly category: string | null;
  readonly totalWeight: string;
  readonly largest: string;
  readonly totalAmount: string;
};

/** An epoch whose sealed channels no EpochSealed announced yet; counts computed over its channels. */
export interface UnannouncedSealedEpoch {
  readonly epoch: number;
  readonly channels: string[];
  readonly participants: number;
  readonly trees: number;
}

export interface SealedEpochSummary {
  readonly epoch: number;
  readonly channels: number;
  readonly participants: number;
  readonly sealedAt: string;
  readonly trees: number;
}

/**
 * (epoch, channel) pairs with participation and no seal, not blocklisted, found with a loose
 * index scan over channel_participation's primary key: one probe per pair instead of a read of
 * every row.
 */
export async function listUnsealedChannels(
  q: Queryable,
  fromEpoch: number,
  toEpoch: number,
): Promise<EpochChannel[]> {
  return q<EpochChannel[]>`
    with recursive pairs(epoch, channel) as (
      (select epoch, channel from attention.channel_participation
        where epoch >= ${fromEpoch} and epoch <= ${toEpoch} order by epoch, channel limit 1)
      union all
      select next.epoch, next.channel from pairs p
      cross join lateral (
        select cp.epoch, cp.channel from attention.channel_participation cp
        where (cp.epoch, cp.channel) > (p.epoch, p.channel) and cp.epoch <= ${toEpoch}
        order by cp.epoch, cp.channel limit 1
      ) next
    )
    select p.epoch::float8 as epoch, p.channel from pairs p
    where not exists (select 1 from attention.sealed_epochs s where s.epoch = p.epoch and s.channel = p.channel)
      and not exists (select 1 from attention.channel_config cc where cc.channel = p.channel and cc.blocked)
    order by p.epoch, p.channel`;
}

/** Of the (epochs[i], channels[i]) pairs, those sealed, as `epoch:channel`. */
export async function findSealedPairs(
  q: Queryable,
  pairs: { readonly epochs: readonly number[]; readonly channels: readonly string[] },
): Promise<Set<string>> {
  const rows = await q<EpochChannel[]>`
    select s.epoch::float8 as epoch, s.channel from attention.sealed_epochs s
    join unnest(${[...pairs.epochs]}::bigint[], ${[...pairs.channels]}::text[]) as p(epoch, channel)
      on s.epoch = p.epoch and s.channel = p.channel`;
  return new Set(rows.map((r) => `${r.epoch}:${r.channel}`));
}

/** Of `channels`, those not sealed in the epoch and not blocklisted (read under the pairs' locks). */
export async function listOpenChannels(
  q: Queryable,
  epoch: number,
  channels: readonly string[],
): Promise<string[]> {
  const rows = await q<{ channel: string }[]>`
    select c.channel from unnest(${channels as string[]}::text[]) as c(channel)
    where not exists (select 1 from attention.sealed_epochs s where s.epoch = ${epoch} and s.channel = c.channel)
      -- A blocklisted channel is never sealed (CLS_BLOCKLIST), whatever reached it before the block.
      and not exists (select 1 from attention.channel_config cc where cc.channel = c.channel and cc.blocked)`;
  return rows.map((row) => row.channel);
}

/**
 * One statement: the channels' participants, suppressed viewers left out, in sealing order
 * (first_seen, then user_hash in the C collation), amounts floored from weights; each channel
 * whose largest amount, amount total and weight total are within `maxAmount` is frozen with its
 * token group and category as they stand, the others are answered as refused.
 *
 * The channels are checked in a pass of their own before any row is written, and the rows of
 * those that fit are read again to be frozen: two reads of the participation rows cost less than
 * holding every row, in sealing order, for both the check and the insert.
 */
export async function sealSnapshot(
  q: Queryable,
  epoch: number,
  channels: readonly string[],
  rules: { readonly baseUnitsPerWeight: bigint; readonly maxAmount: bigint; readonly sealedAt: Date },
): Promise<SealSnapshotRow[]> {
  const names = [...channels];
  const units = rules.baseUnitsPerWeight.toString();
  const max = rules.maxAmount.toString();
  const a = flooredAmountTerms(rules.baseUnitsPerWeight, rules.maxAmount);
  // The sort into sealing order holds the batch's rows (about 230 bytes each: 23 MB for 5
  // channels of 20,000); at the server's default 4 MB it spills them to temporary files and
  // merges them back. For this transaction only, as the category tree's read does.
  await q`set local work_mem = '64MB'`;
  // A weight's amount in bigint arithmetic (flooredAmountTerms), exact for every weight within
  // `fitsBigint`, so for every weight of a channel that fits; any other weight's amount is
  // numeric, so an amount past the maximum is reported exactly instead of failing the batch on a
  // cast, or being clamped and hidden until a sum of clamped amounts overflowed further on.
  const fitsBigint = q`cp.weight between ${a.lowest}::bigint and ${a.heaviest}::bigint`;
  const bigintAmount = q`cp.weight * ${a.whole}::bigint + (cp.weight / 100) * ${a.hundredths}::bigint
    + ((cp.weight % 100) * ${a.hundredths}::bigint) / 100`;
  const numericAmount = (weight: postgres.Fragment) => q`div((${weight})::numeric * ${units}::numeric, 100)`;
  // user_hash is compared in the C collation: the order must not depend on the server's locale.
  return q<SealSnapshotRow[]>`
    with checked as (
      select o.channel, count(cp.user_hash)::int as participants,
        coalesce(${numericAmount(q`max(cp.weight)`)}, 0) as largest,
        coalesce(sum(case when ${fitsBigint} then ${bigintAmount} end), 0)
          + coalesce(sum(case when not (${fitsBigint}) then ${numericAmount(q`cp.weight`)} end), 0) as total_amount,
        coalesce(sum(cp.weight), 0) as total_weight
      from unnest(${names}::text[]) as o(channel)
      left join attention.channel_participation cp on cp.epoch = ${epoch} and cp.channel = o.channel
        and not exists (select 1 from attention.suppression_list s where s.user_hash = cp.user_hash)
      group by o.channel
    ),
    fits as (
      select * from checked
      where largest <= ${max}::numeric and total_amount <= ${max}::numeric and total_weight <= ${max}::numeric
    ),
    frozen as (
      -- The rows reach the insert in the window's order, which is (channel, position).
      insert into attention.sealed_participants (epoch, channel, position, user_hash, first_seen, weight, amount)
      select cp.epoch, cp.channel,
        (row_number() over (partition by cp.channel order by cp.first_seen, cp.user_hash collate "C") - 1)::int,
        cp.user_hash, cp.first_seen, cp.weight, ${bigintAmount}
      from attention.channel_participation cp
      where cp.epoch = ${epoch} and cp.channel in (select channel from fits)
        and not exists (select 1 from attention.suppression_list s where s.user_hash = cp.user_hash)
    ),
    standing as (
      -- channel_config is the operator's word; channels is what discovery last copied from it.
      select f.channel, f.participants, f.total_weight,
        coalesce(cc.token_group, c.token_group, 'OTHER') as token_group,
        coalesce(cc.category_override, c.category, 'default') as category
      from fits f
      left join attention.channel_config cc on cc.channel = f.channel
      left join attention.channels c on c.channel = f.channel
    ),
    sealed as (
      insert into attention.sealed_epochs (epoch, channel, token_group, category, participant_count, total_weight, sealed_at)
      select ${epoch}, channel, token_group, category, participants, total_weight::bigint, ${rules.sealedAt.toISOString()}::timestamptz
      from standing
      returning channel, token_group, category, participant_count, total_weight
    )
    select 'sealed' as outcome, s.channel, s.token_group as "tokenGroup", s.category,
      s.participant_count as "participantCount", s.total_weight::text as "totalWeight",
      c.largest::text as largest, c.total_amount::text as "totalAmount"
    from sealed s join checked c on c.channel = s.channel
    union all
    select 'refused', c.channel, null, null, c.participants, c.total_weight::text, c.largest::text, c.total_amount::text
    from checked c where not exists (select 1 from fits f where f.channel = c.channel)`;
}

/**
 * The terms of `floor(weight × units / 100)` in bigint arithmetic, which never leaves the bigint
 * range for a weight whose amount is within `maxAmount`. With units = 100 × whole + hundredths
 * and weight = 100 × w + r:
 *
 *   weight × units / 100 = weight × whole + w × hundredths + r × hundredths / 100,
 *
 * where the first two terms are whole numbers, each at most the amount, and r × hundredths is
 * below 10,000; so truncating the last term alone truncates the sum, as numeric `div` does.
 * Weights in [lowest, heaviest] are the ones this holds for; a channel with a weight outside
 * has an amount past the maximum and is refused before any row is frozen.
 */
export function flooredAmountTerms(
  units: bigint,
  maxAmount: bigint,
): { whole: string; hundredths: string; lowest: string; heaviest: string } {
  const whole = units / 100n;
  // amount ≤ max ⇔ weight × units ≤ 100 × max + 99; no bigint weight is past max itself.
  const bound = units === 0n ? maxAmount : (100n * maxAmount + 99n) / units;
  const heaviest = bound > maxAmount ? maxAmount : bound;
  return {
    // A factor past the maximum leaves only a weight of 0 fitting, whose amount is 0 whatever it is.
    whole: (whole > maxAmount ? maxAmount : whole).toString(),
    hundredths: (units % 100n).toString(),
    lowest: (-heaviest).toString(),
    heaviest: heaviest.toString(),
  };
}

export async function countSealedChannels(q: Queryable, epoch: number): Promise<number> {
  const [total] = await q<{ n: number }[]>`
    select count(*)::int as n from attention.sealed_epochs where epoch = ${epoch}`;
  return total?.n ?? 0;
}

/** Epochs with sealed channels whose trees are decided and not announced yet, oldest first. */
export async function listUnannouncedSealedEpochs(
  q: Queryable,
  limit: number,
): Promise<UnannouncedSealedEpoch[]> {
  return q<UnannouncedSealedEpoch[]>`
    select s.epoch::float8 as epoch, array_agg(s.channel order by s.channel) as channels,
      sum(s.participant_count)::int as participants,
      (select count(*)::int from attention.merkle_trees t where t.epoch = s.epoch) as trees
    from attention.sealed_epochs s
    where s.announced_at is null
      and exists (select 1 from attention.tree_builds b where b.epoch = s.epoch and b.channel = s.channel)
    group by s.epoch
    order by s.epoch
    limit ${limit}`;
}

export async function markSealedEpochAnnounced(
  q: Queryable,
  epoch: number,
  channels: readonly string[],
  at: Date,
): Promise<void> {
  await q`
    update attention.sealed_epochs set announced_at = ${at.toISOString()}::timestamptz
    where epoch = ${epoch} and channel = any(${[...channels]}::text[]) and announced_at is null`;
}

/** Sealed epochs before `before`, newest first (`oracle epoch list`, `GET /epochs`). */
export async function listSealedEpochs(
  q: Queryable,
  options: { limit?: number; before?: number } = {},
): Promise<SealedEpochSummary[]> {
  const limit = options.limit ?? 48;
  const before = options.before ?? Number.MAX_SAFE_INTEGER;
  const rows = await q<(Omit<SealedEpochSummary, 'sealedAt'> & { sealedAt: string })[]>`
    select s.epoch::float8 as epoch, count(*)::int as channels, sum(s.participant_count)::int as participants,
      min(s.sealed_at)::text as "sealedAt",
      (select count(*)::int from attention.merkle_trees t where t.epoch = s.epoch) as trees
    from attention.sealed_epochs s
    where s.epoch < ${before}
    group by s.epoch order by s.epoch desc limit ${limit}`;
  return rows.map((r) => ({ ...r, sealedAt: new Date(r.sealedAt).toISOString() }));
}

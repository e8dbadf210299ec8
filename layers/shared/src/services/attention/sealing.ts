/**
 * Epoch sealing (DESIGN.md section 5, "Sealing"): for each (epoch, channel), once, in one
 * transaction, the participants are frozen into sealed_participants in the order
 * `first_seen ASC, user_hash ASC` (position 0..), suppressed viewers left out, amounts
 * floored from weights, with the channel's token group and category as they stand at sealing.
 *
 * The transaction holds the (epoch, channel) advisory lock exclusively; the ingest writer holds
 * it shared and re-reads sealed_epochs after taking it, so every event is either in the
 * snapshot or credited to the current epoch. The snapshot is one INSERT … SELECT … ORDER BY
 * (the source inserted batches of 1,000 rows; one statement is the same snapshot without the
 * round trips). Sealing an (epoch, channel) that is already sealed changes nothing.
 *
 * Amounts are checked, never clamped (issue 17, H4): an (epoch, channel) with a viewer's amount,
 * or a sum of its amounts or weights, past MAX_AMOUNT is refused whole and left unsealed with an
 * alarm (AmountOverflow), so nothing built from what was sealed can overflow later; voiding the
 * ingest key that sent it lets it seal. A pair that fails, for that or any reason, stops only
 * itself: every other channel and every later epoch is sealed (./sealing-failures.ts).
 */

import { attentionLockKey } from '../../core/attention/locks.ts';
import { EPOCH_SECONDS, isEpochDue, latestDueEpoch, MAX_AMOUNT } from '../../core/attention/trees.ts';
import { chunks } from '../../core/chunks.ts';
import { AmountOverflowError, ValidationError } from '../../errors.ts';
import { METRIC } from '../../metric-names.ts';
import { logger, MetricUnit, metrics } from '../../observability.ts';
import type { EventBus } from '../../ports/event-bus.ts';
import type { Sql } from '../../ports/sql.ts';
import { lockKeys } from '../platform/advisory-locks.ts';
import { forEachLimited, withSerializationRetry } from '../platform/transaction-retry.ts';
import { buildEpochTrees, type EpochTreesResult, epochTreesPending } from '../tree-builder.ts';
import type { TreeHasher } from '../tree-hashing.ts';
import type { AttentionSettings } from './attention-settings.ts';
import { mappingCoverage } from './ingest-writer.ts';
import { inIsolatedBatches, reportSealingFailure, type SealingFailure } from './sealing-failures.ts';

export interface SealingDeps {
  readonly sql: Sql;
  readonly settings: AttentionSettings;
  /**
   * Transactions run side by side: sealing one (epoch, channel) each, tree building a batch of
   * channel trees or the category trees each. @default 2
   */
  readonly concurrency?: number;
  /** Where trees are hashed and their dumps written. @default this thread */
  readonly treeHasher?: TreeHasher;
  /** How far back `sealDueEpochs` looks for unsealed participation. @default 7 days */
  readonly lookbackSeconds?: number;
}

export interface SealedChannel {
  readonly channel: string;
  readonly tokenGroup: string;
  readonly category: string;
  readonly participants: number;
  readonly totalWeight: number;
}

export interface SealEpochResult {
  readonly epoch: number;
  /** Channels sealed by this call. */
  readonly sealed: SealedChannel[];
  /** Channels of the epoch that were already sealed (by an earlier run or a concurrent one). */
  readonly alreadySealed: number;
  readonly mappingCoverage: number;
  /** Channels left unsealed by this call, and why; the next run tries them again. */
  readonly failed: SealingFailure[];
}

export async function sealEpoch(deps: SealingDeps, epoch: number, now: Date): Promise<SealEpochResult> {
  checkEpoch(epoch);
  if (!isEpochDue(epoch, now.getTime())) {
    throw new ValidationError(
      `epoch ${epoch} (${new Date(epoch * 1000).toISOString()}) is not over yet: it can be sealed from ${new Date((epoch + EPOCH_SECONDS + 300) * 1000).toISOString()}`,
    );
  }
  const channels = (await unsealedChannels(deps.sql, epoch, epoch)).map((c) => c.channel);
  const sealed: SealedChannel[] = [];
  const failed: SealingFailure[] = [];
  const fail = (channel: string, error: unknown) =>
    failed.push(reportSealingFailure({ epoch, channel, stage: 'seal' }, error));
  await forEachLimited(
    chunks(channels, SEAL_CHANNELS_PER_TRANSACTION),
    deps.concurrency ?? 2,
    async (batch) => {
      const outcomes = await inIsolatedBatches(batch, (items) => sealChannels(deps, epoch, items, now), fail);
      for (const outcome of outcomes) {
        if ('refused' in outcome) fail(outcome.channel, outcome.refused);
        else sealed.push(outcome);
      }
    },
  );
  sealed.sort((a, b) => (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0));
  const [total] = await deps.sql<{ n: number }[]>`
    select count(*)::int as n from attention.sealed_epochs where epoch = ${epoch}`;
  const alreadySealed = (total?.n ?? 0) - sealed.length;
  const coverage = await mappingCoverage(deps.sql, epoch);
  metrics.addMetric(METRIC.epochsSealed, MetricUnit.Count, sealed.length);
  metrics.addMetric(METRIC.mappingCoverage, MetricUnit.Percent, coverage.coverage * 100);
  if (sealed.length > 0) {
    logger.info('epoch sealed', {
      epoch,
      channels: sealed.length,
      participants: sealed.reduce((n, s) => n + s.participants, 0),
    });
  }
  failed.sort((a, b) => (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0));
  return { epoch, sealed, alreadySealed, mappingCoverage: coverage.coverage, failed };
}

export interface FinalizeResult {
  readonly epoch: number;
  readonly seal: SealEpochResult;
  readonly trees: EpochTreesResult;
}

/** Seals an epoch and builds its trees: what the hourly schedule does for each due epoch. */
export async function finalizeEpoch(deps: SealingDeps, epoch: number, now: Date): Promise<FinalizeResult> {
  const seal = await sealEpoch(deps, epoch, now);
  const trees = await buildEpochTrees(deps, epoch, now);
  return { epoch, seal, trees };
}

export interface SealDueResult {
  readonly epochs: FinalizeResult[];
  /** Epochs whose finalizing failed outright (channel `*`); the next run tries them again. */
  readonly failed: SealingFailure[];
}

/**
 * Every past epoch (its hour and 5 minutes over) with unsealed participation, or sealed
 * channels whose trees were not built yet (a run that stopped half way), oldest first.
 */
export async function sealDueEpochs(deps: SealingDeps, now: Date): Promise<SealDueResult> {
  const latest = latestDueEpoch(now.getTime());
  const earliest = latest - Math.floor((deps.lookbackSeconds ?? 7 * 86_400) / EPOCH_SECONDS) * EPOCH_SECONDS;
  const unsealed = await unsealedChannels(deps.sql, earliest, latest);
  const due = new Set(unsealed.map((c) => c.epoch));
  for (const epoch of await epochTreesPending(deps.sql, earliest, latest)) due.add(epoch);
  const epochs: FinalizeResult[] = [];
  const failed: SealingFailure[] = [];
  for (const epoch of [...due].sort((a, b) => a - b)) {
    try {
      epochs.push(await finalizeEpoch(deps, epoch, now));
    } catch (error) {
      // Failures of single channels and trees are reported inside; this is an epoch that could
      // not even be read. Later epochs are still sealed.
      failed.push(reportSealingFailure({ epoch, channel: '*', stage: 'seal' }, error));
    }
  }
  if (epochs.length === 0) metrics.addMetric(METRIC.epochsSealed, MetricUnit.Count, 0);
  return { epochs, failed };
}

/**
 * (epoch, channel) pairs with participation and no seal, found with a loose index scan over
 * channel_participation's primary key: one probe per pair instead of a read of every row.
 */
async function unsealedChannels(
  sql: Sql,
  fromEpoch: number,
  toEpoch: number,
): Promise<{ epoch: number; channel: string }[]> {
  return sql<{ epoch: number; channel: string }[]>`
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

/** Channels sealed per transaction: one lock statement, one snapshot and one commit for all of them. */
export const SEAL_CHANNELS_PER_TRANSACTION = 10;

/** A channel the sealer would not seal: an amount or a sum past MAX_AMOUNT. */
interface RefusedChannel {
  readonly channel: string;
  readonly refused: AmountOverflowError;
}

/**
 * Freezes the still unsealed (epoch, channel) pairs among `channels` in one transaction: every
 * pair's lock first (in the writer's order, so the two never wait on each other in a cycle),
 * then which of them are sealed, read under the locks, then one snapshot of the rest. Each
 * pair is still sealed once and whole: its rows and its sealed_epochs row commit together. A pair
 * whose largest amount, amount total or weight total is past MAX_AMOUNT is not written at all.
 */
async function sealChannels(
  deps: SealingDeps,
  epoch: number,
  channels: readonly string[],
  now: Date,
): Promise<(SealedChannel | RefusedChannel)[]> {
  const units = deps.settings.baseUnitsPerWeight.toString();
  const max = MAX_AMOUNT.toString();
  const keys = channels.map((channel) => attentionLockKey(epoch, channel));
  return withSerializationRetry(`seal ${channels[0]}..${channels[channels.length - 1]} ${epoch}`, () =>
    deps.sql.begin(async (tx) => {
      // One round trip: the statements run in order, so sealed_epochs is read under the locks.
      const [, open] = await Promise.all([
        lockKeys(tx as unknown as Sql, keys, 'exclusive'),
        tx<{ channel: string }[]>`
          select c.channel from unnest(${channels as string[]}::text[]) as c(channel)
          where not exists (select 1 from attention.sealed_epochs s where s.epoch = ${epoch} and s.channel = c.channel)
            -- A blocklisted channel is never sealed (CLS_BLOCKLIST), whatever reached it before the block.
            and not exists (select 1 from attention.channel_config cc where cc.channel = c.channel and cc.blocked)`,
      ]);
      if (open.length === 0) return [];
      const names = open.map((o) => o.channel);
      // user_hash is compared in the C collation: the order must not depend on the server's locale.
      // Amounts are numeric until checked: a bigint cast would fail the whole batch, a clamp would
      // hide the overflow until a sum of clamped amounts overflowed further on.
      const rows = await tx<
        {
          outcome: 'sealed' | 'refused';
          channel: string;
          token_group: string | null;
          category: string | null;
          participant_count: number;
          total_weight: string;
          largest: string;
          total_amount: string;
        }[]
      >`
        with source as materialized (
          select cp.epoch, cp.channel,
            (row_number() over (partition by cp.channel order by cp.first_seen, cp.user_hash collate "C") - 1)::int as position,
            cp.user_hash, cp.first_seen, cp.weight,
            div(cp.weight::numeric * ${units}::numeric, 100) as amount
          from attention.channel_participation cp
          where cp.epoch = ${epoch} and cp.channel = any(${names}::text[])
            and not exists (select 1 from attention.suppression_list s where s.user_hash = cp.user_hash)
        ),
        checked as (
          select o.channel, count(s.user_hash)::int as participants, coalesce(max(s.amount), 0) as largest,
            coalesce(sum(s.amount), 0) as total_amount, coalesce(sum(s.weight::numeric), 0) as total_weight
          from unnest(${names}::text[]) as o(channel) left join source s on s.channel = o.channel
          group by o.channel
        ),
        fits as (
          select * from checked
          where largest <= ${max}::numeric and total_amount <= ${max}::numeric and total_weight <= ${max}::numeric
        ),
        frozen as (
          insert into attention.sealed_participants (epoch, channel, position, user_hash, first_seen, weight, amount)
          select s.epoch, s.channel, s.position, s.user_hash, s.first_seen, s.weight, s.amount::bigint
          from source s join fits f on f.channel = s.channel
          order by s.channel, s.position
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
          select ${epoch}, channel, token_group, category, participants, total_weight::bigint, ${now.toISOString()}::timestamptz
          from standing
          returning channel, token_group, category, participant_count, total_weight
        )
        select 'sealed' as outcome, s.channel, s.token_group, s.category, s.participant_count,
          s.total_weight::text as total_weight, c.largest::text as largest, c.total_amount::text as total_amount
        from sealed s join checked c on c.channel = s.channel
        union all
        select 'refused', c.channel, null, null, c.participants, c.total_weight::text, c.largest::text, c.total_amount::text
        from checked c where not exists (select 1 from fits f where f.channel = c.channel)`;
      if (rows.length !== names.length) {
        throw new Error(`sealing ${names.length} channels of ${epoch} answered for ${rows.length}`);
      }
      return rows.map((row) =>
        row.outcome === 'refused'
          ? {
              channel: row.channel,
              refused: new AmountOverflowError(
                `${row.channel} in epoch ${epoch}: amounts past ${MAX_AMOUNT} (largest ${row.largest}, total ${row.total_amount}, weights ${row.total_weight} hundredths over ${row.participant_count} viewers); void the ingest key that sent them`,
              ),
            }
          : {
              channel: row.channel,
              tokenGroup: row.token_group as string,
              category: row.category as string,
              participants: row.participant_count,
              totalWeight: Number(row.total_weight),
            },
      );
    }),
  );
}

/** Epochs announced per call; the rest wait for the next run. */
const ANNOUNCE_EPOCHS = 48;

/**
 * Puts EpochSealed on the bus for sealed channels whose trees are decided and that no event has
 * announced yet, one event per epoch, and marks them once the bus took it: `announced_at` is
 * the outbox, so a bus that is down loses nothing (the next run announces them). A crash
 * between the two announces them again.
 */
export async function announceSealedEpochs(
  deps: { readonly sql: Sql; readonly events: EventBus },
  now: Date,
): Promise<number> {
  const rows = await deps.sql<{ epoch: number; channels: string[]; participants: number; trees: number }[]>`
    select s.epoch::float8 as epoch, array_agg(s.channel order by s.channel) as channels,
      sum(s.participant_count)::int as participants,
      (select count(*)::int from attention.merkle_trees t where t.epoch = s.epoch) as trees
    from attention.sealed_epochs s
    where s.announced_at is null
      and exists (select 1 from attention.tree_builds b where b.epoch = s.epoch and b.channel = s.channel)
    group by s.epoch
    order by s.epoch
    limit ${ANNOUNCE_EPOCHS}`;
  for (const row of rows) {
    await deps.events.publish({
      type: 'EpochSealed',
      epoch: row.epoch,
      channels: row.channels.length,
      participants: row.participants,
      trees: row.trees,
      timestamp: Math.floor(now.getTime() / 1000),
    });
    await deps.sql`
      update attention.sealed_epochs set announced_at = ${now.toISOString()}::timestamptz
      where epoch = ${row.epoch} and channel = any(${row.channels}::text[]) and announced_at is null`;
  }
  return rows.length;
}

export interface SealedEpochSummary {
  readonly epoch: number;
  readonly channels: number;
  readonly participants: number;
  readonly sealedAt: string;
  readonly trees: number;
}

/** Sealed epochs, newest first (`oracle epoch list`, `GET /epochs`). */
export async function listSealedEpochs(
  sql: Sql,
  options: { limit?: number; before?: number } = {},
): Promise<SealedEpochSummary[]> {
  const limit = options.limit ?? 48;
  const before = options.before ?? Number.MAX_SAFE_INTEGER;
  const rows = await sql<
    { epoch: number; channels: number; participants: number; sealed_at: string; trees: number }[]
  >`
    select s.epoch::float8 as epoch, count(*)::int as channels, sum(s.participant_count)::int as participants,
      min(s.sealed_at)::text as sealed_at,
      (select count(*)::int from attention.merkle_trees t where t.epoch = s.epoch) as trees
    from attention.sealed_epochs s
    where s.epoch < ${before}
    group by s.epoch order by s.epoch desc limit ${limit}`;
  return rows.map((r) => ({
    epoch: r.epoch,
    channels: r.channels,
    participants: r.participants,
    sealedAt: new Date(r.sealed_at).toISOString(),
    trees: r.trees,
  }));
}

function checkEpoch(epoch: number): void {
  if (!Number.isSafeInteger(epoch) || epoch < 0 || epoch % EPOCH_SECONDS !== 0) {
    throw new ValidationError(
      `epoch must be the unix time in seconds of an hour's start (a multiple of 3600), got ${epoch}`,
    );
  }
}

/**
 * Trees after sealing (DESIGN.md section 5, "Trees" and "No stranded amount"), for one epoch:
 *
 * 1. per sealed channel, shard trees: of the first `shards × capacity` participants in sealing
 *    order (shards: the token group's cap), bound viewers (a wallet bound at or before the build)
 *    fill trees of `capacity` leaves, `<channel>`, `<channel>~2`, …, each indexed 0.. in that
 *    order; unbound viewers' amounts become carried balances (ledger source
 *    `seal:<epoch>:<channel>`); the rest overflow (no reward this epoch, sealed record kept,
 *    OverflowShare and the ShardOverflow alarm: the cap is too low);
 * 2. per (category, token group) over its channels, `category:<category>:<group>` and its
 *    shards the same way: viewers by earliest first_seen then user_hash, amount = summed weight
 *    × the category units;
 * 3. one `carry:<group>` per token group that can publish: bound viewers with a carried balance,
 *    by bind time then user_hash, up to capacity; each balance is debited as it enters the tree
 *    (ledger source `carry:<epoch>:<group>`).
 *
 * Leaf: claimer = bound wallet, index = position among leaves, amount, id = user_hash. A tree
 * with leaves is stored as root + one dump (merkle_trees) and, when it has something to publish,
 * a `pending` publications row; every decision, empty trees included, is a tree_builds row, so
 * building again changes nothing. A sharded tree's first shard row (the base name) holds the
 * counts of the whole channel (candidates, carried, overflow); the other shards' rows hold only
 * their leaves, so sums over tree_builds count every participant once. A tree is stored in the
 * same transaction as the movement of balances it causes, so a tree and its carried amounts
 * never disagree. Channel trees are built
 * `CHANNEL_TREES_PER_TRANSACTION` at a time: one lock statement, one read of their participants
 * and one batch of writes per transaction instead of a round of each per tree; the bound
 * wallets of the epoch's viewers are read once for all of them.
 *
 * A tree that fails stops only itself (./sealing-failures.ts): it is reported, left undecided
 * for the next run, and every other tree of the epoch is built. No amount past MAX_AMOUNT is
 * stored or hashed: channel trees hold what the sealer checked, a category tree whose amounts or
 * total would pass it is refused (its units are configuration), and a carry tree pays each
 * balance only what fits, the rest staying carried to the next epoch.
 */

import {
  amountForWeight,
  type Candidate,
  carryTreeName,
  categoryTreeName,
  compareTreeNames,
  DEFAULT_MAX_SHARDS,
  type LeafAssignment,
  MAX_AMOUNT,
  shardName,
  splitByCapacity,
  splitIntoShards,
  type TreeKind,
  withinAmountBudget,
} from '../core/attention/trees.ts';
import { chunks } from '../core/chunks.ts';
import { fromBase58, type LeafOptions, MAX_U64, validateClaim } from '../core/merkle/index.ts';
import { AmountOverflowError } from '../errors.ts';
import { METRIC } from '../metric-names.ts';
import { logger, MetricUnit, metrics } from '../observability.ts';
import type { Sql } from '../ports/sql.ts';
import {
  type AttentionSettings,
  groupPublishes,
  isPublishable,
  maxShardsOf,
} from './attention/attention-settings.ts';
import { type CarryCredit, creditCarriedFrom } from './attention/carry.ts';
import type { SealingDeps } from './attention/sealing.ts';
import {
  inIsolatedBatches,
  reportSealingFailure,
  type SealingFailure,
} from './attention/sealing-failures.ts';
import { lockKeys } from './platform/advisory-locks.ts';
import { forEachLimited, withSerializationRetry } from './platform/transaction-retry.ts';
import { inThreadTreeHasher, type TreeHasher, type TreeHashJob } from './tree-hashing.ts';

export interface TreeOutcome {
  readonly channel: string;
  readonly kind: TreeKind;
  readonly tokenGroup: string;
  readonly outcome: 'stored' | 'empty' | 'skipped';
  readonly root: string | null;
  readonly leaves: number;
  readonly totalAmount: string;
  readonly carried: number;
  readonly carriedAmount: string;
  readonly overflow: number;
  readonly published: boolean;
  readonly buildMs: number;
}

export interface EpochTreesResult {
  readonly epoch: number;
  /** Trees decided by this call (trees decided earlier are not repeated). */
  readonly trees: TreeOutcome[];
  /** Percent of the epoch's sealed participants beyond capacity in their channel. */
  readonly overflowShare: number;
  /** Trees not built by this call, and why; the next run tries them again. */
  readonly failed: SealingFailure[];
}

export async function buildEpochTrees(
  deps: SealingDeps,
  epoch: number,
  now: Date,
): Promise<EpochTreesResult> {
  const trees: TreeOutcome[] = [];
  const channels = await deps.sql<{ channel: string }[]>`
    select s.channel from attention.sealed_epochs s
    where s.epoch = ${epoch}
      and not exists (select 1 from attention.tree_builds b where b.epoch = s.epoch and b.channel = s.channel)
    order by s.channel`;
  const names = channels.map((c) => c.channel);
  const categories = await deps.sql<{ category: string; token_group: string }[]>`
    select distinct category, token_group from attention.sealed_epochs where epoch = ${epoch}
    order by category, token_group`;
  // About `concurrency` connections at once (more did not make trees faster, and left sealing
  // slower afterwards: its transactions spread over more server processes). The category trees
  // need nothing from the channel trees: they are one more task beside the channel batches,
  // first, so the database aggregates them while the wallets are read and then while channel
  // trees are being hashed. The wallets are asked for before any transaction begins, so they
  // never wait for a connection a batch holds (a pool of one included); a batch reads its
  // participants meanwhile and waits for the wallets only to build its trees.
  const wallets =
    names.length === 0
      ? Promise.resolve(new Map<string, BoundWallet>())
      : boundWallets(deps.sql, epoch, names, placesWithinCap(deps.settings), now);
  wallets.catch(() => {});
  const failed: SealingFailure[] = [];
  const fail = (channel: string, error: unknown) =>
    failed.push(reportSealingFailure({ epoch, channel, stage: 'tree' }, error));
  /** One tree built, or its failure reported: never a throw that stops the others. */
  const alone = async <T>(channel: string, build: () => Promise<T | undefined>) => {
    try {
      return await build();
    } catch (error) {
      fail(channel, error);
      return undefined;
    }
  };
  const tasks: (() => Promise<TreeOutcome[]>)[] = [];
  if (categories.length > 0) {
    tasks.push(async () => {
      const outcomes: TreeOutcome[] = [];
      for (const { category, token_group } of categories) {
        const outcome = await alone(categoryTreeName(category, token_group), () =>
          buildCategoryTree(deps, epoch, category, token_group, now),
        );
        if (outcome !== undefined) outcomes.push(...outcome);
      }
      return outcomes;
    });
  }
  for (const batch of chunks(names, CHANNEL_TREES_PER_TRANSACTION)) {
    tasks.push(() =>
      inIsolatedBatches(batch, (items) => buildChannelTrees(deps, epoch, items, wallets), fail),
    );
  }
  // Two transactions in flight: one batch's trees are hashed while another's are written.
  await forEachLimited(tasks, deps.concurrency ?? 2, async (task) => {
    trees.push(...(await task()));
  });

  // Last: the carry trees pay what the channel and category trees carried.
  for (const group of await carryGroups(deps.sql, epoch)) {
    const outcome = await alone(carryTreeName(group), () => buildCarryTree(deps, epoch, group, now));
    if (outcome !== undefined) trees.push(outcome);
  }

  const [share] = await deps.sql<{ participants: number; overflow: number }[]>`
    select coalesce(sum(candidates), 0)::int as participants, coalesce(sum(overflow_count), 0)::int as overflow
    from attention.tree_builds where epoch = ${epoch} and kind = 'channel'`;
  const overflowShare = share && share.participants > 0 ? (share.overflow / share.participants) * 100 : 0;
  metrics.addMetric(METRIC.overflowShare, MetricUnit.Percent, overflowShare);
  const [carried] = await deps.sql<{ total: string }[]>`
    select coalesce(sum(amount), 0)::text as total from attention.carried_balances`;
  metrics.addMetric(METRIC.carriedBalance, MetricUnit.Count, Number(carried?.total ?? 0));
  trees.sort((a, b) => kindOrder(a.kind) - kindOrder(b.kind) || compareTreeNames(a.channel, b.channel));
  failed.sort((a, b) => (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0));
  return { epoch, trees, overflowShare, failed };
}

/** Epochs in [from, to] with sealed channels, categories or token groups whose trees were not decided. */
export async function epochTreesPending(sql: Sql, fromEpoch: number, toEpoch: number): Promise<number[]> {
  const rows = await sql<{ epoch: number }[]>`
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

// ---------------------------------------------------------------------------------------------

interface StoredTree {
  readonly epoch: number;
  readonly channel: string;
  readonly kind: TreeKind;
  readonly tokenGroup: string;
  readonly category: string | null;
  readonly candidates: number;
  readonly leaves: readonly LeafAssignment[];
  readonly carried: readonly Candidate[];
  readonly overflow: number;
  readonly budgetMs: number;
  /** Ledger source key of the carried credits (unbound viewers). */
  readonly carrySource: string;
}

/**
 * Sealing positions any channel's trees may reach: capacity times the largest shard cap of any
 * token group (reads stop there; each channel is then cut at its own group's cap).
 */
function placesWithinCap(settings: AttentionSettings): number {
  return settings.capacity * Math.max(DEFAULT_MAX_SHARDS, ...Object.values(settings.maxShards));
}

/**
 * A channel's or category's trees, one per shard: the first (the base name) with the counts of
 * the whole tree (candidates, carried, overflow) and at least one even when empty, the others
 * with their leaves only. Overflow past the cap is counted and logged here, once per tree.
 */
function shardTrees(
  settings: AttentionSettings,
  tree: Omit<StoredTree, 'leaves' | 'carried' | 'overflow'>,
  candidates: readonly Candidate[],
): StoredTree[] {
  const maxShards = maxShardsOf(settings, tree.tokenGroup);
  const { shards, carried, overflow } = splitIntoShards(
    candidates,
    settings.capacity,
    maxShards,
    tree.candidates,
  );
  if (overflow > 0) {
    metrics.addMetric(METRIC.shardOverflow, MetricUnit.Count, overflow);
    logger.warn('participants beyond the shard cap get no reward this epoch; raise TOKEN_GROUP_MAX_SHARDS', {
      epoch: tree.epoch,
      channel: tree.channel,
      tokenGroup: tree.tokenGroup,
      overflow,
      maxShards,
      capacity: settings.capacity,
    });
  }
  const first: StoredTree = { ...tree, leaves: shards[0] ?? [], carried, overflow };
  return [
    first,
    ...shards.slice(1).map((leaves, i) => ({
      ...tree,
      channel: shardName(tree.channel, i + 2),
      candidates: 0,
      leaves,
      carried: [],
      overflow: 0,
    })),
  ];
}

/** Channel trees stored per transaction (and per batch of writes). */
export const CHANNEL_TREES_PER_TRANSACTION = 10;

/** A bound wallet as read for a run: base58, and its bytes once a leaf needed them. */
interface BoundWallet {
  readonly wallet: string;
  claimer: Uint8Array | undefined;
}

/**
 * Wallets bound at `now` of the viewers within the cap in `channels`, read once for all their
 * trees (each viewer once, however many of the channels they watched).
 */
async function boundWallets(
  sql: Sql,
  epoch: number,
  channels: readonly string[],
  places: number,
  now: Date,
): Promise<Map<string, BoundWallet>> {
  const rows = await sql<{ user_hash: string; wallet: string }[]>`
    select wb.user_hash, wb.wallet from attention.wallet_bindings wb
    where wb.bound_at <= ${now.toISOString()}::timestamptz
      and wb.user_hash in (select sp.user_hash from attention.sealed_participants sp
        where sp.epoch = ${epoch} and sp.channel = any(${channels as string[]}::text[]) and sp.position < ${places})`;
  return new Map(rows.map((r) => [r.user_hash, { wallet: r.wallet, claimer: undefined }]));
}

/**
 * Builds the still undecided trees among `channels` (sealed channels of `epoch`) in one
 * transaction: every tree's lock first, then one read of their participants, the trees built
 * in memory, and one batch of writes. A run that stops half way leaves the batches it did not
 * commit to the next run; a concurrent run waits on the locks and then skips what was decided.
 */
async function buildChannelTrees(
  deps: SealingDeps,
  epoch: number,
  channels: readonly string[],
  wallets: Promise<ReadonlyMap<string, BoundWallet>>,
): Promise<TreeOutcome[]> {
  const places = placesWithinCap(deps.settings);
  return withSerializationRetry(`trees ${channels[0]}..${channels[channels.length - 1]} ${epoch}`, () =>
    deps.sql.begin(async (tx) => {
      const sql = tx as unknown as Sql;
      // One round trip: the statements run in order, each reading after the one before, so
      // tree_builds is read only once every lock is held.
      const [, sealed, lists] = await Promise.all([
        lockTreeBuilds(sql, epoch, channels),
        sql<{ channel: string; token_group: string; category: string; participant_count: number }[]>`
          select s.channel, s.token_group, s.category, s.participant_count from attention.sealed_epochs s
          where s.epoch = ${epoch} and s.channel = any(${channels as string[]}::text[])
            and not exists (select 1 from attention.tree_builds b where b.epoch = s.epoch and b.channel = s.channel)
          order by s.channel`,
        // One row per channel, its participants in sealing order as two lists: one index scan
        // per channel, in position order, and 1/1,024 of the rows a row per viewer would cost.
        sql<{ channel: string; users: string | null; amounts: string | null }[]>`
          select c.channel, p.users, p.amounts
          from unnest(${channels as string[]}::text[]) as c(channel)
          cross join lateral (
            select string_agg(s.user_hash, ',' order by s.position) as users,
              string_agg(s.amount::text, ',' order by s.position) as amounts
            from (
              select sp.position, sp.user_hash, sp.amount from attention.sealed_participants sp
              where sp.epoch = ${epoch} and sp.channel = c.channel and sp.position < ${places}
              order by sp.position
            ) s
          ) p`,
      ]);
      if (sealed.length === 0) return [];
      const bound = await wallets;
      const byChannel = new Map(lists.map((l) => [l.channel, participants(l, bound)]));
      // On a worker-thread hasher the batch's trees hash side by side with this thread's work.
      const hasher = deps.treeHasher ?? inThreadTreeHasher;
      const trees = sealed.flatMap((s) =>
        shardTrees(
          deps.settings,
          {
            epoch,
            channel: s.channel,
            kind: 'channel',
            tokenGroup: s.token_group,
            category: s.category,
            candidates: s.participant_count,
            budgetMs: deps.settings.channelBudgetMs,
            carrySource: `seal:${epoch}:${s.channel}`,
          },
          byChannel.get(s.channel) ?? [],
        ),
      );
      return (await hashAndStoreTrees(sql, deps.settings, trees, hasher)).map(outcomeOfTree);
    }),
  );
}

/**
 * A channel's candidates from its two comma-separated lists (user hashes are hex), each bound
 * viewer with the bytes of their wallet: decoded once per viewer, not once per leaf.
 */
function participants(
  list: { channel: string; users: string | null; amounts: string | null },
  wallets: ReadonlyMap<string, BoundWallet>,
): Candidate[] {
  if (list.users === null || list.amounts === null) return [];
  const users = list.users.split(',');
  const amounts = list.amounts.split(',');
  if (users.length !== amounts.length) {
    throw new Error(`channel ${list.channel}: ${users.length} participants but ${amounts.length} amounts`);
  }
  const candidates = new Array<Candidate>(users.length);
  for (let i = 0; i < users.length; i++) {
    const userHash = users[i] as string;
    const amount = BigInt(amounts[i] as string);
    const bound = wallets.get(userHash);
    if (bound === undefined) {
      candidates[i] = { userHash, amount, wallet: undefined };
    } else {
      bound.claimer ??= walletBytes(bound.wallet);
      candidates[i] = { userHash, amount, wallet: bound.wallet, claimer: bound.claimer };
    }
  }
  return candidates;
}

async function buildCategoryTree(
  deps: SealingDeps,
  epoch: number,
  category: string,
  tokenGroup: string,
  now: Date,
): Promise<TreeOutcome[] | undefined> {
  const channel = categoryTreeName(category, tokenGroup);
  const { categoryBaseUnitsPerWeight } = deps.settings;
  const places = deps.settings.capacity * maxShardsOf(deps.settings, tokenGroup);
  return withSerializationRetry(`tree ${channel} ${epoch}`, () =>
    deps.sql.begin(async (tx) => {
      if (!(await claimTreeBuild(tx as unknown as Sql, epoch, channel))) return undefined;
      // The channels first, then one index scan over them: the statistics never know the
      // newest epoch yet, and a join here would be planned as a loop over every participant.
      const channels = await tx<{ channel: string }[]>`
        select channel from attention.sealed_epochs
        where epoch = ${epoch} and category = ${category} and token_group = ${tokenGroup}`;
      await tx`set local work_mem = '64MB'`;
      const rows = await tx<{ user_hash: string; weight: string; wallet: string | null; total: number }[]>`
        select v.user_hash, v.weight::text as weight, wb.wallet, (count(*) over ())::int as total
        from (
          select sp.user_hash, min(sp.first_seen) as first_seen, sum(sp.weight) as weight
          from attention.sealed_participants sp
          where sp.epoch = ${epoch} and sp.channel = any(${channels.map((c) => c.channel)}::text[])
          group by sp.user_hash
        ) v
        left join attention.wallet_bindings wb on wb.user_hash = v.user_hash and wb.bound_at <= ${now.toISOString()}::timestamptz
        order by v.first_seen, v.user_hash collate "C"
        limit ${places}`;
      const candidates = rows.map((r) => ({
        userHash: r.user_hash,
        amount: amountForWeight(BigInt(r.weight), categoryBaseUnitsPerWeight),
        wallet: r.wallet ?? undefined,
      }));
      refuseOverflow(channel, epoch, candidates);
      const total = rows[0]?.total ?? 0;
      const shards = shardTrees(
        deps.settings,
        {
          epoch,
          channel,
          kind: 'category',
          tokenGroup,
          category,
          candidates: total,
          budgetMs: deps.settings.pooledBudgetMs,
          carrySource: `seal:${epoch}:${channel}`,
        },
        candidates,
      );
      const hasher = deps.treeHasher ?? inThreadTreeHasher;
      const prepared = await hashAndStoreTrees(tx as unknown as Sql, deps.settings, shards, hasher);
      return prepared.map(outcomeOfTree);
    }),
  );
}

/** Token groups sealed in this epoch, and any other with carried balances. */
async function carryGroups(sql: Sql, epoch: number): Promise<string[]> {
  const rows = await sql<{ token_group: string }[]>`
    select token_group from attention.sealed_epochs where epoch = ${epoch}
    union
    select token_group from attention.carried_balances where amount > 0
    order by 1`;
  return rows.map((r) => r.token_group);
}

async function buildCarryTree(
  deps: SealingDeps,
  epoch: number,
  tokenGroup: string,
  now: Date,
): Promise<TreeOutcome | undefined> {
  const channel = carryTreeName(tokenGroup);
  const { capacity } = deps.settings;
  return withSerializationRetry(`tree ${channel} ${epoch}`, () =>
    deps.sql.begin(async (tx) => {
      // Per group, not per epoch: two carry trees of one group never read the same balances.
      await tx`select pg_advisory_xact_lock(hashtextextended(${`carry:${tokenGroup}`}, 0))`;
      if (!(await claimTreeBuild(tx as unknown as Sql, epoch, channel))) return undefined;
      if (!groupPublishes(deps.settings, tokenGroup)) {
        // No root of this group can be published: its balances keep waiting rather than move
        // into a tree nobody can claim from.
        await recordBuild(tx as unknown as Sql, {
          epoch,
          channel,
          kind: 'carry',
          tokenGroup,
          category: null,
          outcome: 'skipped',
          candidates: 0,
          leafCount: 0,
          totalAmount: 0n,
          carriedCount: 0,
          carriedAmount: 0n,
          overflow: 0,
          buildMs: 0,
          timedOut: false,
        });
        return outcomeOf(channel, 'carry', tokenGroup, 'skipped', null, 0, 0n, 0, 0n, 0, false, 0);
      }
      const rows = await tx<{ user_hash: string; amount: string; wallet: string; total: number }[]>`
        select cb.user_hash, cb.amount::text as amount, wb.wallet, (count(*) over ())::int as total
        from attention.carried_balances cb
        join attention.wallet_bindings wb on wb.user_hash = cb.user_hash and wb.bound_at <= ${now.toISOString()}::timestamptz
        where cb.token_group = ${tokenGroup} and cb.amount > 0
        order by wb.bound_at, cb.user_hash collate "C"
        limit ${capacity}`;
      const total = rows[0]?.total ?? 0;
      // A balance, or the sum of the balances within capacity, may be past what one tree pays:
      // each is paid what fits and keeps the rest, carried to the next epoch's tree.
      const { paid, reduced } = withinAmountBudget(rows.map(candidate));
      if (reduced > 0) {
        metrics.addMetric(METRIC.amountOverflow, MetricUnit.Count, 1);
        logger.warn('carried balances past what one tree pays; the rest waits for the next epoch', {
          epoch,
          channel,
          reduced,
        });
      }
      const split = splitByCapacity(paid, capacity, total);
      const outcome = await storeTree(tx as unknown as Sql, deps, {
        epoch,
        channel,
        kind: 'carry',
        tokenGroup,
        category: null,
        candidates: total,
        ...split,
        budgetMs: deps.settings.pooledBudgetMs,
        carrySource: `carry:${epoch}:${tokenGroup}`,
      });
      await debitCarried(
        tx as unknown as Sql,
        split.leaves.map((l) => ({ userHash: l.userHash, tokenGroup, amount: l.amount })),
        `carry:${epoch}:${tokenGroup}`,
        `paid in ${channel} epoch ${epoch}`,
      );
      return outcome;
    }),
  );
}

/** Takes the per-tree lock and says whether the tree is still undecided. */
async function claimTreeBuild(t: Sql, epoch: number, channel: string): Promise<boolean> {
  await lockTreeBuilds(t, epoch, [channel]);
  const done = await t`select 1 from attention.tree_builds where epoch = ${epoch} and channel = ${channel}`;
  return done.length === 0;
}

/**
 * Takes the per-tree locks of `channels` until the transaction ends, always in one order
 * (lockKeys), so two runs locking overlapping sets never wait on each other in a cycle.
 * Whoever holds a tree's lock decides it; tree_builds, read after the lock, says whether an
 * earlier holder already did.
 */
function lockTreeBuilds(t: Sql, epoch: number, channels: readonly string[]): Promise<void> {
  return lockKeys(
    t,
    channels.map((channel) => `tree:${epoch}:${channel}`),
    'exclusive',
  );
}

/**
 * Refuses a tree whose candidates' amounts, or their sum, are past MAX_AMOUNT: a leaf would not
 * fit, or the tree's total or carried amount would not be storable.
 */
function refuseOverflow(channel: string, epoch: number, candidates: readonly Candidate[]): void {
  let total = 0n;
  for (const c of candidates) {
    total += c.amount;
    if (c.amount > MAX_AMOUNT || total > MAX_AMOUNT) {
      throw new AmountOverflowError(
        `${channel} in epoch ${epoch}: amounts past ${MAX_AMOUNT} (one of ${c.amount}, ${total} so far); lower its base units per weight`,
      );
    }
  }
}

function candidate(row: { user_hash: string; amount: string; wallet: string | null }): Candidate {
  return { userHash: row.user_hash, amount: BigInt(row.amount), wallet: row.wallet ?? undefined };
}

export function leafOptions(settings: AttentionSettings, epoch: number): LeafOptions {
  return settings.format === 'claim-v2'
    ? {
        format: 'claim-v2',
        programId: fromBase58(settings.programId, 'ATTENTION_PROGRAM_ID'),
        epoch: BigInt(epoch),
      }
    : { format: 'claim-v1' };
}

/** A tree decided in memory: what hashAndStoreTrees writes and what the run reports. */
interface PreparedTree {
  readonly tree: StoredTree;
  readonly carriedCredits: readonly CarryCredit[];
  readonly carriedAmount: bigint;
  readonly totalAmount: bigint;
  /** Root (0x hex) and dump of a tree with leaves. */
  readonly built: { readonly root: string; readonly dump: string; readonly format: string } | undefined;
  readonly published: boolean;
  readonly buildMs: number;
  readonly timedOut: boolean;
}

/**
 * Hashes the tree and writes its dump (on `hasher`: this thread or a worker); raises the
 * time-budget alert when the build ran late.
 */
async function prepareTree(
  settings: AttentionSettings,
  tree: StoredTree,
  hasher: TreeHasher,
): Promise<PreparedTree> {
  const { epoch, channel, kind, tokenGroup, leaves } = tree;
  const carriedCredits = aggregate(
    tree.carried.map((c) => ({ userHash: c.userHash, tokenGroup, amount: c.amount })),
  );
  const carriedAmount = carriedCredits.reduce((sum, c) => sum + c.amount, 0n);
  const totalAmount = leaves.reduce((sum, l) => sum + l.amount, 0n);
  if (leaves.length === 0) {
    return {
      tree,
      carriedCredits,
      carriedAmount,
      totalAmount,
      built: undefined,
      published: false,
      buildMs: 0,
      timedOut: false,
    };
  }
  const options = leafOptions(settings, epoch);
  const { root, dump, ms: elapsed } = await hasher.hash(treeHashJob(leaves, options));
  const buildMs = Math.round(elapsed);
  let timedOut = false;
  if (elapsed > tree.budgetMs) {
    // The tree is still right, only late: it is stored, and the alarm says the budget was blown.
    timedOut = true;
    metrics.addMetric(METRIC.merkleBuildTimeout, MetricUnit.Count, 1);
    logger.error('merkle build exceeded its time budget', {
      epoch,
      channel,
      buildMs,
      budgetMs: tree.budgetMs,
    });
  }
  return {
    tree,
    carriedCredits,
    carriedAmount,
    totalAmount,
    built: { root, dump, format: options.format },
    published: isPublishable(settings, { kind, tokenGroup, leafCount: leaves.length, totalAmount }),
    buildMs,
    timedOut,
  };
}

/**
 * Hashes trees on `hasher` and writes them. Each tree's dump is sent the moment it is hashed, so
 * the database stores one while the next is hashed (in a transaction the statements queue on
 * its connection and run in order); then their carried credits, the roots to publish and a
 * tree_builds row each, together. A dump is most of a tree's bytes: writing them all after the
 * last hash, as one batch, made storing a stage of its own, as long as hashing.
 */
async function hashAndStoreTrees(
  sql: Sql,
  settings: AttentionSettings,
  trees: readonly StoredTree[],
  hasher: TreeHasher,
): Promise<PreparedTree[]> {
  const dumps: Promise<unknown>[] = [];
  const hashed = await Promise.allSettled(
    trees.map(async (tree) => {
      const prepared = await prepareTree(settings, tree, hasher);
      if (prepared.built !== undefined) {
        const write = storeDump(sql, prepared);
        // Handled now, awaited below: a write that fails while others are still hashing must
        // not surface as an unhandled rejection before then.
        write.catch(() => {});
        dumps.push(write);
      }
      return prepared;
    }),
  );
  const failure = hashed.find((h) => h.status === 'rejected');
  if (failure !== undefined) {
    await Promise.allSettled(dumps);
    throw failure.reason;
  }
  const prepared = hashed.map((h) => (h as PromiseFulfilledResult<PreparedTree>).value);
  await Promise.all([...dumps, storeDecisions(sql, settings, prepared)]);
  return prepared;
}

function storeDump(sql: Sql, { tree, built, totalAmount, buildMs }: PreparedTree): Promise<unknown> {
  if (built === undefined) return Promise.resolve();
  return sql`
    insert into attention.merkle_trees
      (epoch, channel, kind, token_group, format, root, leaf_count, total_amount, dump, build_ms)
    values (${tree.epoch}, ${tree.channel}, ${tree.kind}, ${tree.tokenGroup}, ${built.format}, ${built.root},
      ${tree.leaves.length}, ${totalAmount.toString()}, ${built.dump}::text::json, ${buildMs})`;
}

/** Writes what prepared trees decided besides their dumps: credits, roots to publish, tree_builds rows. */
function storeDecisions(
  sql: Sql,
  settings: AttentionSettings,
  trees: readonly PreparedTree[],
): Promise<unknown> {
  if (trees.length === 0) return Promise.resolve();
  const credits = trees.flatMap(({ tree, carriedCredits }) =>
    carriedCredits.map((c) => ({
      ...c,
      sourceKey: tree.carrySource,
      reason: `unbound at the ${tree.kind} tree of epoch ${tree.epoch}`,
    })),
  );
  const writes: Promise<unknown>[] = [];
  if (credits.length > 0) writes.push(creditCarriedFrom(sql, credits));
  const publications = trees.flatMap(({ tree, built, published }) =>
    built !== undefined && published
      ? [
          {
            epoch: tree.epoch,
            channel: tree.channel,
            token_group: tree.tokenGroup,
            mint: settings.mints[tree.tokenGroup]?.mint ?? null,
            mode: settings.publishMode,
            root: built.root,
            status: 'pending',
          },
        ]
      : [],
  );
  if (publications.length > 0) {
    writes.push(
      sql`insert into attention.publications ${sql(publications)} on conflict (epoch, channel) do nothing`,
    );
  }
  writes.push(
    recordBuilds(
      sql,
      trees.map((p) => ({
        epoch: p.tree.epoch,
        channel: p.tree.channel,
        kind: p.tree.kind,
        tokenGroup: p.tree.tokenGroup,
        category: p.tree.category,
        outcome: p.built === undefined ? 'empty' : 'stored',
        candidates: p.tree.candidates,
        leafCount: p.tree.leaves.length,
        totalAmount: p.totalAmount,
        carriedCount: p.tree.carried.length,
        carriedAmount: p.carriedAmount,
        overflow: p.tree.overflow,
        buildMs: p.buildMs,
        timedOut: p.timedOut,
      })),
    ),
  );
  return Promise.all(writes);
}

async function storeTree(sql: Sql, deps: SealingDeps, tree: StoredTree): Promise<TreeOutcome> {
  const [prepared] = await hashAndStoreTrees(
    sql,
    deps.settings,
    [tree],
    deps.treeHasher ?? inThreadTreeHasher,
  );
  return outcomeOfTree(prepared as PreparedTree);
}

function outcomeOfTree(p: PreparedTree): TreeOutcome {
  return outcomeOf(
    p.tree.channel,
    p.tree.kind,
    p.tree.tokenGroup,
    p.built === undefined ? 'empty' : 'stored',
    p.built?.root ?? null,
    p.tree.leaves.length,
    p.totalAmount,
    p.tree.carried.length,
    p.carriedAmount,
    p.tree.overflow,
    p.published,
    p.buildMs,
  );
}

interface BuildRecord {
  readonly epoch: number;
  readonly channel: string;
  readonly kind: TreeKind;
  readonly tokenGroup: string;
  readonly category: string | null;
  readonly outcome: 'stored' | 'empty' | 'skipped';
  readonly candidates: number;
  readonly leafCount: number;
  readonly totalAmount: bigint;
  readonly carriedCount: number;
  readonly carriedAmount: bigint;
  readonly overflow: number;
  readonly buildMs: number;
  readonly timedOut: boolean;
}

async function recordBuild(sql: Sql, r: BuildRecord): Promise<void> {
  await recordBuilds(sql, [r]);
}

function recordBuilds(sql: Sql, records: readonly BuildRecord[]): Promise<unknown> {
  const rows = records.map((r) => ({
    epoch: r.epoch,
    channel: r.channel,
    kind: r.kind,
    token_group: r.tokenGroup,
    category: r.category,
    outcome: r.outcome,
    candidates: r.candidates,
    leaf_count: r.leafCount,
    total_amount: r.totalAmount.toString(),
    carried_count: r.carriedCount,
    carried_amount: r.carriedAmount.toString(),
    overflow_count: r.overflow,
    build_ms: r.buildMs,
    timed_out: r.timedOut,
  }));
  return sql`insert into attention.tree_builds ${sql(rows)}`;
}

function outcomeOf(
  channel: string,
  kind: TreeKind,
  tokenGroup: string,
  outcome: TreeOutcome['outcome'],
  root: string | null,
  leaves: number,
  totalAmount: bigint,
  carried: number,
  carriedAmount: bigint,
  overflow: number,
  published: boolean,
  buildMs: number,
): TreeOutcome {
  return {
    channel,
    kind,
    tokenGroup,
    outcome,
    root,
    leaves,
    totalAmount: totalAmount.toString(),
    carried,
    carriedAmount: carriedAmount.toString(),
    overflow,
    published,
    buildMs,
  };
}

function aggregate(credits: readonly CarryCredit[]): CarryCredit[] {
  const byKey = new Map<string, CarryCredit>();
  for (const c of credits) {
    if (c.amount <= 0n) continue;
    const key = `${c.userHash}:${c.tokenGroup}`;
    const known = byKey.get(key);
    byKey.set(key, known === undefined ? c : { ...known, amount: known.amount + c.amount });
  }
  return [...byKey.values()];
}

/**
 * Takes what a carry tree pays out of each viewer's carried balance, once per `sourceKey`
 * (a ledger row with a negative delta); returns how much was newly debited.
 */
export async function debitCarried(
  sql: Sql,
  debits: readonly CarryCredit[],
  sourceKey: string,
  reason: string,
): Promise<bigint> {
  const positive = aggregate(debits);
  if (positive.length === 0) return 0n;
  const [row] = await sql<{ debited: string | null }[]>`
    with moved as (
      insert into attention.carry_ledger (user_hash, token_group, delta, reason, source_key)
      select u, g, -(d::bigint), ${reason}::text, ${sourceKey}::text
      from unnest(${positive.map((c) => c.userHash)}::text[], ${positive.map((c) => c.tokenGroup)}::text[],
        ${positive.map((c) => c.amount.toString())}::text[]) as t(u, g, d)
      on conflict (source_key, user_hash, token_group) do nothing
      returning user_hash, token_group, delta
    ),
    applied as (
      update attention.carried_balances cb set amount = cb.amount + m.delta, updated_at = now()
      from moved m where cb.user_hash = m.user_hash and cb.token_group = m.token_group
      returning 1
    )
    select (select (-sum(delta))::text from moved) as debited, (select count(*) from applied) as balances`;
  return BigInt(row?.debited ?? '0');
}

/** A tree's leaves as a hash job: leaf i has index i (splitByCapacity numbers them so). */
function treeHashJob(leaves: StoredTree['leaves'], options: LeafOptions): TreeHashJob {
  const count = leaves.length;
  const claimers = new Uint8Array(count * 32);
  const amounts = new BigUint64Array(count);
  const ids = new Array<string>(count);
  const wallets = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const leaf = leaves[i] as StoredTree['leaves'][number];
    if (leaf.index !== i) throw new Error(`leaf ${i} of a tree has index ${leaf.index}`);
    const claimer = leaf.claimer ?? walletBytes(leaf.wallet);
    claimers.set(claimer, i * 32);
    // A BigUint64Array wraps an amount that is not a u64; validateClaim says what is wrong.
    // (Compared, not read back: reading a BigUint64Array allocates a BigInt a leaf.)
    if (leaf.amount < 0n || leaf.amount > MAX_U64) {
      validateClaim({ claimer, index: i, amount: leaf.amount, id: leaf.userHash }, `claims[${i}]`);
    }
    amounts[i] = leaf.amount;
    ids[i] = leaf.userHash;
    wallets[i] = leaf.wallet;
  }
  return { options, claimers, amounts, ids: ids.join(','), wallets: wallets.join(',') };
}

/**
 * Wallets decoded from base58 by string: the same viewers recur across channels and epochs,
 * and base58 decoding costs more than hashing their leaf. Bounded; cleared when full.
 */
const walletCache = new Map<string, Uint8Array>();
const WALLET_CACHE_MAX = 200_000;

function walletBytes(wallet: string): Uint8Array {
  let bytes = walletCache.get(wallet);
  if (bytes === undefined) {
    bytes = fromBase58(wallet, 'wallet_bindings.wallet');
    if (walletCache.size >= WALLET_CACHE_MAX) walletCache.clear();
    walletCache.set(wallet, bytes);
  }
  return bytes;
}

function kindOrder(kind: TreeKind): number {
  return kind === 'channel' ? 0 : kind === 'category' ? 1 : 2;
}

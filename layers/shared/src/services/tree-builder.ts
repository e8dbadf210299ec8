/**
 * Trees after sealing (DESIGN.md section 5, "Trees" and "No stranded amount"), for one epoch:
 *
 * 1. one tree per sealed channel: of the first `capacity` participants in sealing order, bound
 *    viewers (a wallet bound at or before the build) get leaves indexed 0.. in that order;
 *    unbound viewers' amounts become carried balances (ledger source `seal:<epoch>:<channel>`);
 *    the rest overflow (no reward this epoch, sealed record kept, OverflowShare metric);
 * 2. one per (category, token group) over its channels, `category:<category>:<group>`: viewers
 *    by earliest first_seen then user_hash, amount = summed weight × the category units;
 * 3. one `carry:<group>` per token group that can publish: bound viewers with a carried balance,
 *    by bind time then user_hash, up to capacity; each balance is debited as it enters the tree
 *    (ledger source `carry:<epoch>:<group>`).
 *
 * Leaf: claimer = bound wallet, index = position among leaves, amount, id = user_hash. A tree
 * with leaves is stored as root + one dump (merkle_trees) and, when it has something to publish,
 * a `pending` publications row; every decision, empty trees included, is a tree_builds row, so
 * building again changes nothing. Each tree is built in its own transaction with the movement
 * of balances it causes, so a tree and its carried amounts never disagree.
 */
import type { Sql } from '../adapters/db/client.ts';
import {
  amountForWeight,
  type Candidate,
  carryTreeName,
  categoryTreeName,
  splitByCapacity,
  type TreeKind,
} from '../core/attention/trees.ts';
import {
  type Claim,
  ClaimTree,
  type ClaimTreeDump,
  DUMP_FORMAT,
  fromBase58,
  type LeafOptions,
  toBase58,
  toHex,
} from '../core/merkle/index.ts';
import { METRIC } from '../metric-names.ts';
import { logger, MetricUnit, metrics } from '../observability.ts';
import { type AttentionSettings, groupPublishes, isPublishable } from './attention-settings.ts';
import { type CarryCredit, creditCarried } from './carry.ts';
import type { SealingDeps } from './sealing.ts';
import { forEachLimited, withSerializationRetry } from './transaction-retry.ts';

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
  await forEachLimited(
    channels.map((c) => c.channel),
    deps.concurrency ?? 2,
    async (channel) => {
      const outcome = await buildChannelTree(deps, epoch, channel, now);
      if (outcome !== undefined) trees.push(outcome);
    },
  );

  const categories = await deps.sql<{ category: string; token_group: string }[]>`
    select distinct category, token_group from attention.sealed_epochs where epoch = ${epoch}
    order by category, token_group`;
  for (const { category, token_group } of categories) {
    const outcome = await buildCategoryTree(deps, epoch, category, token_group, now);
    if (outcome !== undefined) trees.push(outcome);
  }

  for (const group of await carryGroups(deps.sql, epoch)) {
    const outcome = await buildCarryTree(deps, epoch, group, now);
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
  trees.sort((a, b) => kindOrder(a.kind) - kindOrder(b.kind) || (a.channel < b.channel ? -1 : 1));
  return { epoch, trees, overflowShare };
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
  readonly leaves: ReturnType<typeof splitByCapacity>['leaves'];
  readonly carried: readonly Candidate[];
  readonly overflow: number;
  readonly budgetMs: number;
  /** Ledger source key of the carried credits (unbound viewers). */
  readonly carrySource: string;
}

async function buildChannelTree(
  deps: SealingDeps,
  epoch: number,
  channel: string,
  now: Date,
): Promise<TreeOutcome | undefined> {
  const { capacity } = deps.settings;
  return withSerializationRetry(`tree ${channel} ${epoch}`, () =>
    deps.sql.begin(async (tx) => {
      if (!(await claimTreeBuild(tx as unknown as Sql, epoch, channel))) return undefined;
      const [sealed] = await tx<{ token_group: string; category: string; participant_count: number }[]>`
        select token_group, category, participant_count from attention.sealed_epochs
        where epoch = ${epoch} and channel = ${channel}`;
      if (sealed === undefined) return undefined;
      const rows = await tx<{ user_hash: string; amount: string; wallet: string | null }[]>`
        select sp.user_hash, sp.amount::text as amount, wb.wallet
        from attention.sealed_participants sp
        left join attention.wallet_bindings wb on wb.user_hash = sp.user_hash and wb.bound_at <= ${now.toISOString()}::timestamptz
        where sp.epoch = ${epoch} and sp.channel = ${channel} and sp.position < ${capacity}
        order by sp.position`;
      const split = splitByCapacity(rows.map(candidate), capacity, sealed.participant_count);
      return storeTree(tx as unknown as Sql, deps.settings, {
        epoch,
        channel,
        kind: 'channel',
        tokenGroup: sealed.token_group,
        category: sealed.category,
        candidates: sealed.participant_count,
        ...split,
        budgetMs: deps.settings.channelBudgetMs,
        carrySource: `seal:${epoch}:${channel}`,
      });
    }),
  );
}

async function buildCategoryTree(
  deps: SealingDeps,
  epoch: number,
  category: string,
  tokenGroup: string,
  now: Date,
): Promise<TreeOutcome | undefined> {
  const channel = categoryTreeName(category, tokenGroup);
  const { capacity, categoryBaseUnitsPerWeight } = deps.settings;
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
        limit ${capacity}`;
      const candidates = rows.map((r) => ({
        userHash: r.user_hash,
        amount: amountForWeight(BigInt(r.weight), categoryBaseUnitsPerWeight),
        wallet: r.wallet ?? undefined,
      }));
      const total = rows[0]?.total ?? 0;
      const split = splitByCapacity(candidates, capacity, total);
      return storeTree(tx as unknown as Sql, deps.settings, {
        epoch,
        channel,
        kind: 'category',
        tokenGroup,
        category,
        candidates: total,
        ...split,
        budgetMs: deps.settings.pooledBudgetMs,
        carrySource: `seal:${epoch}:${channel}`,
      });
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
      const split = splitByCapacity(rows.map(candidate), capacity, total);
      const outcome = await storeTree(tx as unknown as Sql, deps.settings, {
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
  await t`select pg_advisory_xact_lock(hashtextextended(${`tree:${epoch}:${channel}`}, 0))`;
  const done = await t`select 1 from attention.tree_builds where epoch = ${epoch} and channel = ${channel}`;
  return done.length === 0;
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

async function storeTree(sql: Sql, settings: AttentionSettings, tree: StoredTree): Promise<TreeOutcome> {
  const { epoch, channel, kind, tokenGroup, leaves } = tree;
  const carriedCredits = aggregate(
    tree.carried.map((c) => ({ userHash: c.userHash, tokenGroup, amount: c.amount })),
  );
  const carriedAmount = carriedCredits.reduce((sum, c) => sum + c.amount, 0n);
  if (carriedCredits.length > 0) {
    await creditCarried(
      sql,
      carriedCredits,
      tree.carrySource,
      `unbound at the ${kind} tree of epoch ${epoch}`,
    );
  }
  const totalAmount = leaves.reduce((sum, l) => sum + l.amount, 0n);
  let root: string | null = null;
  let buildMs = 0;
  let timedOut = false;
  let published = false;
  if (leaves.length > 0) {
    const started = performance.now();
    const claims: Claim[] = leaves.map((l) => ({
      claimer: walletBytes(l.wallet),
      index: l.index,
      amount: l.amount,
      id: l.userHash,
    }));
    const options = leafOptions(settings, epoch);
    const built = ClaimTree.build(claims, options);
    const dumpText = dumpJson(built, leaves, options);
    const elapsed = performance.now() - started;
    buildMs = Math.round(elapsed);
    root = toHex(built.root);
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
    await sql`
      insert into attention.merkle_trees
        (epoch, channel, kind, token_group, format, root, leaf_count, total_amount, dump, build_ms)
      values (${epoch}, ${channel}, ${kind}, ${tokenGroup}, ${options.format}, ${root}, ${leaves.length},
        ${totalAmount.toString()}, ${dumpText}::text::jsonb, ${buildMs})`;
    published = isPublishable(settings, { kind, tokenGroup, leafCount: leaves.length, totalAmount });
    if (published) {
      await sql`
        insert into attention.publications (epoch, channel, token_group, mint, mode, root, status)
        values (${epoch}, ${channel}, ${tokenGroup}, ${settings.mints[tokenGroup]?.mint ?? null},
          ${settings.publishMode}, ${root}, 'pending')
        on conflict (epoch, channel) do nothing`;
    }
  }
  const outcome = leaves.length > 0 ? 'stored' : 'empty';
  await recordBuild(sql, {
    epoch,
    channel,
    kind,
    tokenGroup,
    category: tree.category,
    outcome,
    candidates: tree.candidates,
    leafCount: leaves.length,
    totalAmount,
    carriedCount: tree.carried.length,
    carriedAmount,
    overflow: tree.overflow,
    buildMs,
    timedOut,
  });
  return outcomeOf(
    channel,
    kind,
    tokenGroup,
    outcome,
    root,
    leaves.length,
    totalAmount,
    tree.carried.length,
    carriedAmount,
    tree.overflow,
    published,
    buildMs,
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
  await sql`
    insert into attention.tree_builds (epoch, channel, kind, token_group, category, outcome, candidates,
      leaf_count, total_amount, carried_count, carried_amount, overflow_count, build_ms, timed_out)
    values (${r.epoch}, ${r.channel}, ${r.kind}, ${r.tokenGroup}, ${r.category}, ${r.outcome}, ${r.candidates},
      ${r.leafCount}, ${r.totalAmount.toString()}, ${r.carriedCount}, ${r.carriedAmount.toString()},
      ${r.overflow}, ${r.buildMs}, ${r.timedOut})`;
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

/**
 * The tree's dump as JSON text, in ClaimTree's versioned format (what `ClaimTree.dump()`
 * returns, serialized), written from the rows the builder already holds: the claimers are the
 * base58 strings stored in wallet_bindings, so nothing is re-encoded, and the leaf hashes are
 * one hex conversion of the contiguous leaf level. A test loads it with `check: 'full'`.
 */
export function dumpJson(
  tree: ClaimTree,
  leaves: readonly {
    readonly index: number;
    readonly userHash: string;
    readonly amount: bigint;
    readonly wallet: string;
  }[],
  options: LeafOptions,
): string {
  const hex = Buffer.from(
    tree.tree.leafBytes.buffer,
    tree.tree.leafBytes.byteOffset,
    leaves.length * 32,
  ).toString('hex');
  const hashes = new Array<string>(leaves.length);
  for (let i = 0; i < leaves.length; i++) hashes[i] = `"0x${hex.slice(i * 64, i * 64 + 64)}"`;
  const rows = new Array<string>(leaves.length);
  for (let i = 0; i < leaves.length; i++) {
    const l = leaves[i] as (typeof leaves)[number];
    // user hashes are 64 hex characters and wallets base58: neither needs JSON escaping.
    rows[i] = `{"claimer":"${l.wallet}","index":${l.index},"amount":"${l.amount}","id":"${l.userHash}"}`;
  }
  const head: Omit<ClaimTreeDump, 'leafHashes' | 'claims'> = {
    format: DUMP_FORMAT,
    leafFormat: options.format,
    ...(options.format === 'claim-v2'
      ? { programId: toBase58(options.programId), epoch: BigInt(options.epoch).toString() }
      : {}),
    root: toHex(tree.root),
  };
  const prefix = JSON.stringify(head).slice(0, -1);
  return `${prefix},"leafHashes":[${hashes.join(',')}],"claims":[${rows.join(',')}]}`;
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

/**
 * What the claims and epochs routes read. Proofs come from the stored dumps: a loaded ClaimTree
 * is kept in a small LRU keyed by (epoch, channel, root), so a proof costs a map lookup and
 * about ten hashes' worth of copying. Which root a tree has, and where its publication stands,
 * is read from the database and kept for a couple of seconds (single-flight), so a burst of
 * claims for one tree costs one query.
 */

import { EPOCH_SECONDS, parseTreeName, type TreeName } from '../../core/attention/trees.ts';
import {
  type ClaimRow,
  ClaimTree,
  type ClaimTreeDump,
  fromHex,
  type LeafFormat,
} from '../../core/merkle/index.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import { logger } from '../../observability.ts';
import type { Sql } from '../../ports/sql.ts';
import type { ClaimStatusSource } from './claim-status.ts';
import { listSealedEpochs, type SealedEpochSummary } from './sealing.ts';
import { type ClaimerWallet, findWalletBinding, userHashOf } from './wallet-binding.ts';

/** Publication statuses whose root can still be claimed (or soon will be). */
export const CLAIMABLE_STATUSES = ['pending', 'queued', 'sent', 'published'] as const;
/** The program's ring: a root is overwritten once a root 10 epochs newer lands for the channel. */
const RING_SECONDS = 10 * EPOCH_SECONDS;

export interface PublicationView {
  readonly status: string;
  readonly mode: string;
  readonly mint: string | null;
  readonly signature: string | null;
  readonly slot: number | null;
  readonly publishedAt: string | null;
}

export interface ClaimView {
  readonly epoch: number;
  readonly channel: string;
  readonly kind: string;
  readonly tokenGroup: string;
  readonly index: number;
  /** Token base units (u64) as a decimal string. */
  readonly amount: string;
  /** The user_hash. */
  readonly id: string;
  /** The bound wallet (base58) at build time. */
  readonly claimer: string;
  /** The leaf hash, for `oracle tree verify --leaf`. */
  readonly leaf: string;
  readonly proof: string[];
  readonly root: string;
  readonly format: LeafFormat;
  readonly publication: PublicationView | null;
}

export interface CarriedView {
  readonly tokenGroup: string;
  readonly amount: string;
  /** True while no wallet is bound: the amount is paid in a carry tree once one is. */
  readonly waitingForBinding: boolean;
}

/** A leaf in the user's list: never one the chain says was claimed. */
export interface UserClaimView extends ClaimView {
  /** `unclaimed` when the root's on-chain bitmap says so; `unknown` when the chain cannot tell (memo mode, not landed yet). */
  readonly claimStatus: 'unclaimed' | 'unknown';
}

export interface ClaimedLeafView {
  readonly epoch: number;
  readonly channel: string;
  readonly index: number;
  readonly amount: string;
}

export interface UserClaimsView {
  readonly user: string;
  readonly userHash: string;
  readonly wallet: ClaimerWallet | null;
  readonly claims: UserClaimView[];
  /** Leaves of claimable roots whose on-chain bitmap says they were claimed already. */
  readonly claimed: ClaimedLeafView[];
  readonly carried: CarriedView[];
}

interface TreeMeta {
  readonly epoch: number;
  readonly channel: string;
  readonly kind: string;
  readonly tokenGroup: string;
  readonly root: string;
  readonly format: LeafFormat;
  readonly leafCount: number;
  readonly totalAmount: string;
  readonly publication: PublicationView | null;
}

interface MetaRow {
  epoch: number;
  channel: string;
  kind: string;
  token_group: string;
  root: string;
  format: LeafFormat;
  leaf_count: number;
  total_amount: string;
  status: string | null;
  mode: string | null;
  mint: string | null;
  signature: string | null;
  slot: number | null;
  published_at: string | null;
}

export interface ClaimsReaderOptions {
  /** Loaded trees kept in memory. @default 256 */
  readonly maxTrees?: number;
  /** How long a tree's root and publication status are reused. @default 2000 ms */
  readonly metaTtlMs?: number;
  readonly now?: () => number;
  /** Where claimed leaves are known (the chain's ChannelState in program mode); unknown without one. */
  readonly claimStatus?: ClaimStatusSource;
}

export class ClaimsReader {
  private readonly trees = new Map<string, { promise: Promise<LoadedTree>; loaded?: LoadedTree }>();
  private readonly metas = new Map<
    string,
    { at: number; value: Promise<TreeMeta | undefined>; settled: boolean; meta?: TreeMeta | undefined }
  >();
  private readonly maxTrees: number;
  private readonly metaTtlMs: number;
  private readonly now: () => number;
  private readonly claimStatus: ClaimStatusSource | undefined;

  constructor(
    private readonly sql: Sql,
    options: ClaimsReaderOptions = {},
  ) {
    this.maxTrees = options.maxTrees ?? 256;
    this.metaTtlMs = options.metaTtlMs ?? 2000;
    this.now = options.now ?? Date.now;
    this.claimStatus = options.claimStatus;
  }

  /**
   * The answer of `claim()` when everything it needs is already in memory (a fresh root and
   * a loaded tree), without a promise; undefined otherwise, and for anything that is not a 200.
   */
  cachedClaim(epochParam: string, channelParam: string, userParam: string): ClaimView | undefined {
    const tree = parseTreeName(channelParam);
    if (tree === undefined || !/^[0-9]{1,12}$/.test(epochParam)) return undefined;
    const entry = this.metas.get(`${epochParam}:${tree.name}`);
    if (
      entry === undefined ||
      !entry.settled ||
      entry.meta === undefined ||
      this.now() - entry.at >= this.metaTtlMs
    ) {
      return undefined;
    }
    const meta = entry.meta;
    const loaded = this.trees.get(`${meta.epoch}:${meta.channel}:${meta.root}`)?.loaded;
    if (loaded === undefined) return undefined;
    let hash: string;
    try {
      hash = userHashOf(userParam);
    } catch {
      return undefined;
    }
    const position = loaded.tree.positionOfId(hash);
    return position === undefined ? undefined : claimView(meta, loaded, position);
  }

  /** `GET /claims/{epoch}/{channel}/{user}`. */
  async claim(epochParam: string, channelParam: string, userParam: string): Promise<ClaimView> {
    const epoch = parseEpoch(epochParam);
    const tree = parseChannel(channelParam);
    const hash = userHashOf(userParam);
    const meta = await this.meta(epoch, tree.name);
    if (meta === undefined) throw new NotFoundError(await this.whyNoTree(epoch, tree));
    const loaded = await this.tree(meta);
    const position = loaded.tree.positionOfId(hash);
    if (position === undefined) throw new NotFoundError(await this.whyNoLeaf(epoch, tree, hash, userParam));
    return claimView(meta, loaded, position);
  }

  /**
   * `GET /claims/{user}`: every leaf of a root still claimable that the chain does not know as
   * claimed, the ones it does, and carried balances.
   */
  async userClaims(
    userParam: string,
    options: { readonly claimStatusMaxAgeMs?: number } = {},
  ): Promise<UserClaimsView> {
    const hash = userHashOf(userParam);
    const rows = await this.sql<MetaRow[]>`
      select t.epoch::float8 as epoch, t.channel, t.kind, t.token_group, t.root, t.format, t.leaf_count,
        t.total_amount::text as total_amount, p.status, p.mode, p.mint, p.signature, p.slot::float8 as slot,
        p.published_at::text as published_at
      from attention.publications p
      join attention.merkle_trees t on t.epoch = p.epoch and t.channel = p.channel
      where p.status = any(${[...CLAIMABLE_STATUSES]}::text[])
        and not exists (
          select 1 from attention.publications newer
          where newer.channel = p.channel and newer.status = 'published' and newer.epoch >= p.epoch + ${RING_SECONDS}
        )
        and (
          (t.kind = 'channel' and exists (
            select 1 from attention.sealed_participants sp
            where sp.epoch = t.epoch and sp.channel = split_part(t.channel, '~', 1) and sp.user_hash = ${hash}))
          or (t.kind = 'category' and exists (
            select 1 from attention.tree_builds b
            join attention.sealed_epochs se
              on se.epoch = b.epoch and se.category = b.category and se.token_group = b.token_group
            join attention.sealed_participants sp
              on sp.epoch = se.epoch and sp.channel = se.channel and sp.user_hash = ${hash}
            where b.epoch = t.epoch and b.channel = t.channel))
          or (t.kind = 'carry' and exists (
            select 1 from attention.carry_ledger l
            where l.user_hash = ${hash} and l.source_key = 'carry:' || t.epoch || ':' || t.token_group))
        )
      order by t.epoch, t.channel`;
    const claims: UserClaimView[] = [];
    const claimed: ClaimedLeafView[] = [];
    for (const row of rows) {
      const meta = metaOf(row);
      const loaded = await this.tree(meta);
      const position = loaded.tree.positionOfId(hash);
      if (position === undefined) continue;
      const view = claimView(meta, loaded, position);
      if (view.amount === '0') continue;
      const maxAge = options.claimStatusMaxAgeMs;
      const test = await this.claimStatus
        ?.claimedTest(meta, maxAge === undefined ? {} : { maxAgeMs: maxAge })
        .catch((error: unknown) => {
          // The list still answers when the chain does not; its leaves are then of unknown status.
          logger.warn('claimed status unavailable', {
            epoch: meta.epoch,
            channel: meta.channel,
            error: error as Error,
          });
          return undefined;
        });
      if (test?.(view.index) === true) {
        claimed.push({ epoch: view.epoch, channel: view.channel, index: view.index, amount: view.amount });
      } else {
        claims.push({ ...view, claimStatus: test === undefined ? 'unknown' : 'unclaimed' });
      }
    }
    const binding = await findWalletBinding(this.sql, hash);
    const balances = await this.sql<{ token_group: string; amount: string }[]>`
      select token_group, amount::text as amount from attention.carried_balances
      where user_hash = ${hash} and amount > 0 order by token_group`;
    return {
      user: userParam,
      userHash: hash,
      wallet: binding ?? null,
      claims,
      claimed,
      carried: balances.map((b) => ({
        tokenGroup: b.token_group,
        amount: b.amount,
        waitingForBinding: binding === undefined,
      })),
    };
  }

  /** `GET /epochs`. */
  epochs(options: { limit?: number; before?: number } = {}): Promise<SealedEpochSummary[]> {
    return listSealedEpochs(this.sql, options);
  }

  /** `GET /epochs/{epoch}`: every sealed channel and every tree of the epoch. */
  async epoch(epochParam: string): Promise<EpochView> {
    const epoch = parseEpoch(epochParam);
    const channels = await this.channelQuery(epoch);
    if (channels.length === 0) {
      throw new NotFoundError(
        `epoch ${epoch} (${new Date(epoch * 1000).toISOString()}) has no sealed channel`,
      );
    }
    const pooled = await this.pooledQuery(epoch);
    return {
      epoch,
      startsAt: new Date(epoch * 1000).toISOString(),
      channels: channels.map(channelView),
      pooledTrees: pooled.map(channelView),
    };
  }

  /** `GET /epochs/{epoch}/channels/{channel}`. */
  async epochChannel(epochParam: string, channelParam: string): Promise<ChannelView> {
    const epoch = parseEpoch(epochParam);
    const tree = parseChannel(channelParam);
    // A shard past the first has no seal of its own: its tree is read like a pooled tree's.
    const rows =
      tree.kind === 'channel' && tree.shard === 1
        ? await this.channelQuery(epoch, tree.name)
        : await this.pooledQuery(epoch, tree.name);
    const [row] = rows;
    if (row === undefined) throw new NotFoundError(await this.whyNoTree(epoch, tree));
    return channelView(row);
  }

  private channelQuery(epoch: number, channel?: string) {
    return this.sql<ChannelRow[]>`
      select se.channel, 'channel' as kind, se.token_group, se.category, se.participant_count,
        se.total_weight::text as total_weight, se.sealed_at::text as sealed_at,
        b.outcome, b.leaf_count, b.total_amount::text as total_amount, b.carried_count,
        b.carried_amount::text as carried_amount, b.overflow_count, b.candidates, b.built_at::text as built_at,
        t.root, t.format, p.status, p.mode, p.mint, p.signature, p.slot::float8 as slot,
        p.published_at::text as published_at
      from attention.sealed_epochs se
      left join attention.tree_builds b on b.epoch = se.epoch and b.channel = se.channel
      left join attention.merkle_trees t on t.epoch = se.epoch and t.channel = se.channel
      left join attention.publications p on p.epoch = se.epoch and p.channel = se.channel
      where se.epoch = ${epoch} ${channel === undefined ? this.sql`` : this.sql`and se.channel = ${channel}`}
      order by se.channel`;
  }

  private pooledQuery(epoch: number, channel?: string) {
    return this.sql<ChannelRow[]>`
      select b.channel, b.kind, b.token_group, b.category, null::int as participant_count,
        null::text as total_weight, null::text as sealed_at,
        b.outcome, b.leaf_count, b.total_amount::text as total_amount, b.carried_count,
        b.carried_amount::text as carried_amount, b.overflow_count, b.candidates, b.built_at::text as built_at,
        t.root, t.format, p.status, p.mode, p.mint, p.signature, p.slot::float8 as slot,
        p.published_at::text as published_at
      from attention.tree_builds b
      left join attention.merkle_trees t on t.epoch = b.epoch and t.channel = b.channel
      left join attention.publications p on p.epoch = b.epoch and p.channel = b.channel
      where b.epoch = ${epoch}
        ${channel === undefined ? this.sql`and (b.kind <> 'channel' or position('~' in b.channel) > 0)` : this.sql`and b.channel = ${channel}`}
      order by b.kind, b.channel`;
  }

  private meta(epoch: number, channel: string): Promise<TreeMeta | undefined> {
    const key = `${epoch}:${channel}`;
    const at = this.now();
    const cached = this.metas.get(key);
    if (cached !== undefined && at - cached.at < this.metaTtlMs) return cached.value;
    const value = this.sql<MetaRow[]>`
      select t.epoch::float8 as epoch, t.channel, t.kind, t.token_group, t.root, t.format, t.leaf_count,
        t.total_amount::text as total_amount, p.status, p.mode, p.mint, p.signature, p.slot::float8 as slot,
        p.published_at::text as published_at
      from attention.merkle_trees t
      left join attention.publications p on p.epoch = t.epoch and p.channel = t.channel
      where t.epoch = ${epoch} and t.channel = ${channel}`.then(([row]) => {
      const meta = row === undefined ? undefined : metaOf(row);
      entry.settled = true;
      entry.meta = meta;
      return meta;
    });
    const entry: {
      at: number;
      value: Promise<TreeMeta | undefined>;
      settled: boolean;
      meta?: TreeMeta | undefined;
    } = { at, value, settled: false };
    value.catch(() => this.metas.delete(key));
    if (this.metas.size >= 4 * this.maxTrees) this.metas.clear();
    this.metas.set(key, entry);
    return value;
  }

  private tree(meta: TreeMeta): Promise<LoadedTree> {
    const key = `${meta.epoch}:${meta.channel}:${meta.root}`;
    const cached = this.trees.get(key);
    if (cached !== undefined) {
      // Map order is recency order: re-inserting marks the entry as just used.
      this.trees.delete(key);
      this.trees.set(key, cached);
      return cached.promise;
    }
    const loading = this.sql<{ dump: unknown }[]>`
      select dump from attention.merkle_trees
      where epoch = ${meta.epoch} and channel = ${meta.channel} and root = ${meta.root}`.then(([row]) => {
      if (row === undefined) throw new NotFoundError(`tree ${meta.channel} epoch ${meta.epoch} was replaced`);
      // A client without a json parser hands back the text.
      const dump = (typeof row.dump === 'string' ? JSON.parse(row.dump) : row.dump) as ClaimTreeDump;
      const tree = ClaimTree.load(dump, { expectedRoot: fromHex(meta.root, 'root', 32) });
      entry.loaded = { tree, rows: dump.claims };
      return entry.loaded;
    });
    const entry: { promise: Promise<LoadedTree>; loaded?: LoadedTree } = { promise: loading };
    loading.catch(() => this.trees.delete(key));
    this.trees.set(key, entry);
    while (this.trees.size > this.maxTrees) {
      const oldest = this.trees.keys().next().value;
      if (oldest === undefined) break;
      this.trees.delete(oldest);
    }
    return loading;
  }

  private async whyNoTree(epoch: number, tree: TreeName): Promise<string> {
    const when = `epoch ${epoch} (${new Date(epoch * 1000).toISOString()})`;
    const [build] = await this.sql<{ outcome: string; carried_count: number }[]>`
      select outcome, carried_count from attention.tree_builds where epoch = ${epoch} and channel = ${tree.name}`;
    if (build?.outcome === 'empty') {
      return `${tree.name} has no tree in ${when}: no participant had a bound wallet when it was built (${build.carried_count} amounts were carried)`;
    }
    if (build?.outcome === 'skipped') {
      return `${tree.name} has no tree in ${when}: its token group has no mint, so its balances keep waiting`;
    }
    if (tree.kind !== 'channel') return `no ${tree.kind} tree ${tree.name} in ${when}`;
    if (tree.shard > 1) {
      const [base] = await this.sql<{ shards: number }[]>`
        select count(*)::int as shards from attention.tree_builds
        where epoch = ${epoch} and split_part(channel, '~', 1) = ${tree.base}`;
      if (base !== undefined && base.shards > 0) {
        return `channel ${tree.base} has ${base.shards} shard tree${base.shards === 1 ? '' : 's'} in ${when}, not ${tree.shard}`;
      }
    }
    const [sealed] = await this.sql`
      select 1 from attention.sealed_epochs where epoch = ${epoch} and channel = ${tree.base}`;
    if (sealed !== undefined)
      return `channel ${tree.base} is sealed in ${when} but its trees are not built yet`;
    const [participation] = await this.sql`
      select 1 from attention.channel_participation where epoch = ${epoch} and channel = ${tree.base} limit 1`;
    return participation === undefined
      ? `channel ${tree.base} has no participation in ${when}`
      : `channel ${tree.base} is not sealed yet in ${when}`;
  }

  private async whyNoLeaf(epoch: number, tree: TreeName, hash: string, user: string): Promise<string> {
    const where = `the ${tree.name} tree of epoch ${epoch}`;
    if (tree.kind !== 'channel') return `${user} has no leaf in ${where}`;
    // The first shard's build row counts the whole channel; overflow is the tail of sealing order.
    const [row] = await this.sql<{ position: number; capacity_end: number | null; bound: boolean }[]>`
      select sp.position, (select b.candidates - b.overflow_count from attention.tree_builds b
        where b.epoch = sp.epoch and b.channel = sp.channel) as capacity_end,
        (sp.amount > 0 and not exists (select 1 from attention.carry_ledger l
          where l.user_hash = sp.user_hash and l.source_key = ${`seal:${epoch}:${tree.base}`})) as bound
      from attention.sealed_participants sp
      where sp.epoch = ${epoch} and sp.channel = ${tree.base} and sp.user_hash = ${hash}`;
    if (row === undefined) return `${user} did not participate in ${tree.base} in epoch ${epoch}`;
    if (row.capacity_end !== null && row.position >= row.capacity_end) {
      return `${user} was participant ${row.position + 1} of ${tree.base} in epoch ${epoch}, beyond the tree's capacity: no reward that epoch`;
    }
    if (row.bound) {
      return `${user} has no leaf in ${where}: their leaf is in another shard of ${tree.base} (see GET /claims/${user})`;
    }
    return `${user} has no leaf in ${where}: no wallet was bound when it was built, so the amount was carried (see GET /claims/${user})`;
  }
}

export interface ChannelView {
  readonly channel: string;
  readonly kind: string;
  readonly tokenGroup: string;
  readonly category: string | null;
  readonly sealed: {
    readonly participants: number;
    readonly totalWeight: string;
    readonly sealedAt: string;
  } | null;
  readonly tree: {
    readonly outcome: string;
    readonly candidates: number;
    readonly leaves: number;
    readonly totalAmount: string;
    readonly carried: number;
    readonly carriedAmount: string;
    readonly overflow: number;
    readonly builtAt: string;
    readonly root: string | null;
    readonly format: string | null;
  } | null;
  readonly publication: PublicationView | null;
}

export interface EpochView {
  readonly epoch: number;
  readonly startsAt: string;
  readonly channels: ChannelView[];
  readonly pooledTrees: ChannelView[];
}

interface ChannelRow {
  channel: string;
  kind: string;
  token_group: string;
  category: string | null;
  participant_count: number | null;
  total_weight: string | null;
  sealed_at: string | null;
  outcome: string | null;
  leaf_count: number | null;
  total_amount: string | null;
  carried_count: number | null;
  carried_amount: string | null;
  overflow_count: number | null;
  candidates: number | null;
  built_at: string | null;
  root: string | null;
  format: string | null;
  status: string | null;
  mode: string | null;
  mint: string | null;
  signature: string | null;
  slot: number | null;
  published_at: string | null;
}

function channelView(row: ChannelRow): ChannelView {
  return {
    channel: row.channel,
    kind: row.kind,
    tokenGroup: row.token_group,
    category: row.category,
    sealed:
      row.sealed_at === null
        ? null
        : {
            participants: row.participant_count ?? 0,
            totalWeight: row.total_weight ?? '0',
            sealedAt: new Date(row.sealed_at).toISOString(),
          },
    tree:
      row.outcome === null
        ? null
        : {
            outcome: row.outcome,
            candidates: row.candidates ?? 0,
            leaves: row.leaf_count ?? 0,
            totalAmount: row.total_amount ?? '0',
            carried: row.carried_count ?? 0,
            carriedAmount: row.carried_amount ?? '0',
            overflow: row.overflow_count ?? 0,
            builtAt: new Date(row.built_at ?? 0).toISOString(),
            root: row.root,
            format: row.format,
          },
    publication: publicationOf(row),
  };
}

function publicationOf(row: {
  status: string | null;
  mode: string | null;
  mint: string | null;
  signature: string | null;
  slot: number | null;
  published_at: string | null;
}): PublicationView | null {
  if (row.status === null) return null;
  return {
    status: row.status,
    mode: row.mode ?? 'memo',
    mint: row.mint,
    signature: row.signature,
    slot: row.slot,
    publishedAt: row.published_at === null ? null : new Date(row.published_at).toISOString(),
  };
}

function metaOf(row: MetaRow): TreeMeta {
  return {
    epoch: row.epoch,
    channel: row.channel,
    kind: row.kind,
    tokenGroup: row.token_group,
    root: row.root,
    format: row.format,
    leafCount: row.leaf_count,
    totalAmount: row.total_amount,
    publication: publicationOf(row),
  };
}

/**
 * A leaf's answer. The claim fields are the dump's own row (the claimer already base58, the
 * amount already decimal), and the leaf and proof hashes are hex-encoded in one pass: this is
 * the claims API's hot path.
 */
function claimView(meta: TreeMeta, loaded: LoadedTree, position: number): ClaimView {
  const row = loaded.rows[position] as ClaimRow;
  const hashes = [loaded.tree.leafHash(position), ...loaded.tree.proof(position)];
  const hex = Buffer.concat(hashes).toString('hex');
  const proof = new Array<string>(hashes.length - 1);
  for (let i = 1; i < hashes.length; i++) proof[i - 1] = `0x${hex.slice(i * 64, i * 64 + 64)}`;
  return {
    epoch: meta.epoch,
    channel: meta.channel,
    kind: meta.kind,
    tokenGroup: meta.tokenGroup,
    index: row.index,
    amount: row.amount,
    id: row.id,
    claimer: row.claimer,
    leaf: `0x${hex.slice(0, 64)}`,
    proof,
    root: meta.root,
    format: loaded.tree.format,
    publication: meta.publication,
  };
}

interface LoadedTree {
  readonly tree: ClaimTree;
  /** The dump's claim rows, by leaf position. */
  readonly rows: readonly ClaimRow[];
}

export function parseEpoch(raw: string): number {
  if (!/^[0-9]{1,12}$/.test(raw)) {
    throw new ValidationError(
      `epoch must be the unix time in seconds of an hour's start, got ${JSON.stringify(raw.slice(0, 40))}`,
    );
  }
  const epoch = Number(raw);
  if (epoch % EPOCH_SECONDS !== 0) {
    throw new ValidationError(
      `epoch must be a multiple of 3600 (the start of a UTC hour), got ${epoch}; did you mean ${epoch - (epoch % EPOCH_SECONDS)}?`,
    );
  }
  return epoch;
}

export function parseChannel(raw: string): TreeName {
  const tree = parseTreeName(raw);
  if (tree === undefined) {
    throw new ValidationError(
      `channel must be a Twitch login (4–25 of a-z, 0-9, _) or a pseudo-channel category:<category>:<group> or carry:<group>, either possibly a shard <name>~2 to <name>~999, got ${JSON.stringify(raw.slice(0, 60))}`,
    );
  }
  return tree;
}

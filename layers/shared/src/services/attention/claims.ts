/**
 * What the claims and epochs routes read. Proofs come from the stored dumps: a loaded ClaimTree
 * is kept in a small LRU keyed by (epoch, channel, root), so a proof costs a map lookup and
 * about ten hashes' worth of copying. Which root a tree has, and where its publication stands,
 * is read from the database and kept for a couple of seconds (single-flight), so a burst of
 * claims for one tree costs one query.
 */

import { listCarriedBalances } from '../../adapters/db/attention/carry-store.ts';
import {
  findTreeDump,
  findTreeMeta,
  listClaimableTreesOf,
  listPooledTrees,
  listSealedChannels,
} from '../../adapters/db/attention/claims-store.ts';
import { listSealedEpochs, type SealedEpochSummary } from '../../adapters/db/attention/sealed-epoch-store.ts';
import { parseChannel, parseEpoch } from '../../core/attention/claim-params.ts';
import {
  type CarriedView,
  type ChannelView,
  type ClaimedLeafView,
  type ClaimView,
  claimView,
  type EpochView,
  type LoadedTree,
  type TreeMeta,
  type UserClaimView,
} from '../../core/attention/claim-views.ts';
import { EPOCH_SECONDS, parseTreeName } from '../../core/attention/trees.ts';
import type { ClaimerWallet } from '../../core/attention/wallet-bindings.ts';
import { ClaimTree, fromHex } from '../../core/merkle/index.ts';
import { NotFoundError } from '../../errors.ts';
import type { Sql } from '../../ports/sql.ts';
import { SILENT_TELEMETRY, type Telemetry } from '../../ports/telemetry.ts';
import { whyNoLeaf, whyNoTree } from './claim-absence.ts';
import type { ClaimStatusSource } from './claim-status.ts';
import { findWalletBinding, userHashOf } from './wallet-binding.ts';

/** The program's ring: a root is overwritten once a root 10 epochs newer lands for the channel. */
const RING_SECONDS = 10 * EPOCH_SECONDS;

export interface UserClaimsView {
  readonly user: string;
  readonly userHash: string;
  readonly wallet: ClaimerWallet | null;
  readonly claims: UserClaimView[];
  /** Leaves of claimable roots whose on-chain bitmap says they were claimed already. */
  readonly claimed: ClaimedLeafView[];
  readonly carried: CarriedView[];
}

export type ClaimsReaderOptions = {
  /** Loaded trees kept in memory. @default 256 */
  readonly maxTrees?: number;
  /** How long a tree's root and publication status are reused. @default 2000 ms */
  readonly metaTtlMs?: number;
  readonly now?: () => number;
} & (
  | { readonly claimStatus?: undefined }
  | {
      /** Where claimed leaves are known (the chain's ChannelState in program mode); unknown without one. */
      readonly claimStatus: ClaimStatusSource;
      /** Told when the claimed status cannot be read (the list still answers). */
      readonly telemetry: Telemetry;
    }
);

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
  private readonly telemetry: Telemetry;

  constructor(
    private readonly sql: Sql,
    options: ClaimsReaderOptions = {},
  ) {
    this.maxTrees = options.maxTrees ?? 256;
    this.metaTtlMs = options.metaTtlMs ?? 2000;
    this.now = options.now ?? Date.now;
    this.claimStatus = options.claimStatus;
    // Only a claimed-status source reports anything.
    this.telemetry = options.claimStatus === undefined ? SILENT_TELEMETRY : options.telemetry;
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
    if (meta === undefined) throw new NotFoundError(await whyNoTree(this.sql, epoch, tree));
    const loaded = await this.tree(meta);
    const position = loaded.tree.positionOfId(hash);
    if (position === undefined)
      throw new NotFoundError(await whyNoLeaf(this.sql, epoch, tree, hash, userParam));
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
    const trees = await listClaimableTreesOf(this.sql, hash, RING_SECONDS);
    const claims: UserClaimView[] = [];
    const claimed: ClaimedLeafView[] = [];
    for (const meta of trees) {
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
          this.telemetry.warn('claimed status unavailable', {
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
    const balances = await listCarriedBalances(this.sql, hash);
    return {
      user: userParam,
      userHash: hash,
      wallet: binding ?? null,
      claims,
      claimed,
      carried: balances.map((b) => ({
        tokenGroup: b.tokenGroup,
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
    const channels = await listSealedChannels(this.sql, epoch);
    if (channels.length === 0) {
      throw new NotFoundError(
        `epoch ${epoch} (${new Date(epoch * 1000).toISOString()}) has no sealed channel`,
      );
    }
    const pooledTrees = await listPooledTrees(this.sql, epoch);
    return { epoch, startsAt: new Date(epoch * 1000).toISOString(), channels, pooledTrees };
  }

  /** `GET /epochs/{epoch}/channels/{channel}`. */
  async epochChannel(epochParam: string, channelParam: string): Promise<ChannelView> {
    const epoch = parseEpoch(epochParam);
    const tree = parseChannel(channelParam);
    // A shard past the first has no seal of its own: its tree is read like a pooled tree's.
    const rows =
      tree.kind === 'channel' && tree.shard === 1
        ? await listSealedChannels(this.sql, epoch, tree.name)
        : await listPooledTrees(this.sql, epoch, tree.name);
    const [view] = rows;
    if (view === undefined) throw new NotFoundError(await whyNoTree(this.sql, epoch, tree));
    return view;
  }

  private meta(epoch: number, channel: string): Promise<TreeMeta | undefined> {
    const key = `${epoch}:${channel}`;
    const at = this.now();
    const cached = this.metas.get(key);
    if (cached !== undefined && at - cached.at < this.metaTtlMs) return cached.value;
    const value = findTreeMeta(this.sql, epoch, channel).then((meta) => {
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
    const loading = findTreeDump(this.sql, meta).then((dump) => {
      if (dump === undefined)
        throw new NotFoundError(`tree ${meta.channel} epoch ${meta.epoch} was replaced`);
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
}

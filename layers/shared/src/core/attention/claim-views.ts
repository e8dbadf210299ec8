/**
 * What the claims and epochs routes answer: a leaf with its proof, the trees of an epoch, and the
 * publication each root has. Built from stored trees and their database records, without I/O.
 */

import type { ClaimRow, ClaimTree, LeafFormat } from '../merkle/index.ts';

export interface PublicationView {
  readonly status: string;
  readonly mode: string;
  readonly mint: string | null;
  readonly signature: string | null;
  readonly slot: number | null;
  readonly publishedAt: string | null;
}

/** A stored tree's root and record: what is read before its dump is. */
export interface TreeMeta {
  readonly epoch: number;
  readonly channel: string;
  readonly kind: string;
  readonly tokenGroup: string;
  readonly root: string;
  readonly format: LeafFormat;
  readonly leafCount: number;
  /** Token base units (u64) as a decimal string. */
  readonly totalAmount: string;
  readonly publication: PublicationView | null;
}

export interface LoadedTree {
  readonly tree: ClaimTree;
  /** The dump's claim rows, by leaf position. */
  readonly rows: readonly ClaimRow[];
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

/** Publication statuses whose root can still be claimed (or soon will be). */
export const CLAIMABLE_STATUSES = ['pending', 'queued', 'sent', 'published'] as const;

/**
 * A leaf's answer. The claim fields are the dump's own row (the claimer already base58, the
 * amount already decimal), and the leaf and proof hashes are hex-encoded in one pass: this is
 * the claims API's hot path.
 */
export function claimView(meta: TreeMeta, loaded: LoadedTree, position: number): ClaimView {
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

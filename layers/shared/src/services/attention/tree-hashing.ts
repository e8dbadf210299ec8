/**
 * Hashing a decided tree and writing its dump, apart from deciding it
 * (core/attention/tree-plan.ts): pure CPU work on a compact job, so that it can run on this
 * thread or on a worker thread (local/tree-hash-pool.ts) while this one reads and writes the
 * next batch. The job holds a
 * tree's leaves in the order and with the indices the builder gave them (leaf i has index i).
 */
import type { LeafAssignment } from '../../core/attention/trees.ts';
import {
  type Claim,
  ClaimTree,
  COMPACT_DUMP_FORMAT,
  type CompactClaimTreeDump,
  fromBase58,
  type LeafOptions,
  MAX_U64,
  toBase58,
  toHex,
  validateClaim,
} from '../../core/merkle/index.ts';

export interface TreeHashJob {
  readonly options: LeafOptions;
  /** Leaf i's claimer public key at bytes 32 i to 32 i + 32. */
  readonly claimers: Uint8Array<ArrayBuffer>;
  readonly amounts: BigUint64Array<ArrayBuffer>;
  /** The leaves' ids (user hashes, hex), joined by ','. */
  readonly ids: string;
  /** The leaves' claimers as base58 (as the dump shows them), joined by ','. */
  readonly wallets: string;
}

export interface TreeHashResult {
  /** 0x hex. */
  readonly root: string;
  /** The dump as JSON text. */
  readonly dump: string;
  /** Time the hashing and the dump took, wherever they ran. */
  readonly ms: number;
}

/** Where trees are hashed: this thread by default; the local runtime gives it worker threads. */
export interface TreeHasher {
  hash(job: TreeHashJob): Promise<TreeHashResult>;
}

/**
 * Hashes on this thread, each tree in a turn of its own: between two trees the builder gets to
 * send the one just hashed to the database, which stores it while the next is hashed.
 */
export const inThreadTreeHasher: TreeHasher = {
  hash: (job) =>
    new Promise((resolve, reject) =>
      setImmediate(() => {
        try {
          resolve(hashTree(job));
        } catch (error) {
          reject(error);
        }
      }),
    ),
};

/** A tree's leaves as a hash job: leaf i has index i (the tree plan numbers them so). */
export function treeHashJob(leaves: readonly LeafAssignment[], options: LeafOptions): TreeHashJob {
  const count = leaves.length;
  const claimers = new Uint8Array(count * 32);
  const amounts = new BigUint64Array(count);
  const ids = new Array<string>(count);
  const wallets = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const leaf = leaves[i] as LeafAssignment;
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

export function walletBytes(wallet: string): Uint8Array {
  let bytes = walletCache.get(wallet);
  if (bytes === undefined) {
    bytes = fromBase58(wallet, 'wallet_bindings.wallet');
    if (walletCache.size >= WALLET_CACHE_MAX) walletCache.clear();
    walletCache.set(wallet, bytes);
  }
  return bytes;
}

export function hashTree(job: TreeHashJob): TreeHashResult {
  const started = performance.now();
  const count = job.amounts.length;
  const ids = job.ids.split(',');
  const wallets = job.wallets.split(',');
  if (ids.length !== count || wallets.length !== count || job.claimers.length !== count * 32) {
    throw new Error(
      `tree hash job: ${count} amounts, ${ids.length} ids, ${wallets.length} wallets, ${job.claimers.length / 32} claimers`,
    );
  }
  const claims = new Array<Claim>(count);
  for (let i = 0; i < count; i++) {
    claims[i] = {
      claimer: job.claimers.subarray(i * 32, i * 32 + 32),
      index: i,
      amount: job.amounts[i] as bigint,
      id: ids[i] as string,
    };
  }
  const tree = ClaimTree.build(claims, job.options);
  const dump = dumpJson(tree, { ids, wallets, amounts: job.amounts }, job.options);
  return { root: toHex(tree.root), dump, ms: performance.now() - started };
}

/**
 * The tree's dump as JSON text, in ClaimTree's compact format (what `ClaimTree.compactDump()`
 * returns, serialized: no leaf hashes, which were a third of the bytes hashed, sent, validated
 * and stored, and which loading recomputes from the claims), written from the rows the builder
 * already holds: the claimers are the base58 strings stored in wallet_bindings, so nothing is
 * re-encoded. Leaf i has index i.
 */
export function dumpJson(
  tree: ClaimTree,
  leaves: {
    readonly ids: readonly string[];
    readonly wallets: readonly string[];
    readonly amounts: ArrayLike<bigint>;
  },
  options: LeafOptions,
): string {
  const count = leaves.ids.length;
  const rows = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    // user hashes are 64 hex characters and wallets base58: neither needs JSON escaping.
    rows[i] =
      `{"claimer":"${leaves.wallets[i]}","index":${i},"amount":"${leaves.amounts[i]}","id":"${leaves.ids[i]}"}`;
  }
  const head: Omit<CompactClaimTreeDump, 'claims'> = {
    format: COMPACT_DUMP_FORMAT,
    leafFormat: options.format,
    ...(options.format === 'claim-v2'
      ? { programId: toBase58(options.programId), epoch: BigInt(options.epoch).toString() }
      : {}),
    root: toHex(tree.root),
  };
  const prefix = JSON.stringify(head).slice(0, -1);
  return `${prefix},"claims":[${rows.join(',')}]}`;
}

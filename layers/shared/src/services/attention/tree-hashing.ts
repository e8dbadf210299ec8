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
  /**
   * The dump as JSON text, in parts of at most DUMP_PART_CHARS characters (joined, they are the
   * text): a string as long as a whole dump is made in V8's large-object space, which cost this
   * thread thirty times what its parts do; the database joins them.
   */
  readonly dump: readonly string[];
  /** Time the hashing and the dump took, wherever they ran. */
  readonly ms: number;
}

/**
 * hashTree's answer with the dump as UTF-8 bytes in a buffer of its own: what a worker thread
 * sends back, the buffer transferred rather than the text copied (a copy of a tree's dump cost
 * the worker more than hashing it).
 */
export interface TreeHashBytes {
  readonly root: string;
  readonly dump: Uint8Array<ArrayBuffer>;
  readonly ms: number;
}

/** Characters in a part of a dump's text: a part fits below V8's large-object size even in UTF-16. */
export const DUMP_PART_CHARS = 60_000;

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
  const { tree, leaves } = claimTree(job);
  const dump = dumpParts(tree, leaves, job.options);
  return { root: toHex(tree.root), dump, ms: performance.now() - started };
}

/** hashTree with the dump written as bytes (the same text, UTF-8): what a worker answers. */
export function hashTreeBytes(job: TreeHashJob): TreeHashBytes {
  const started = performance.now();
  const { tree, leaves } = claimTree(job);
  const dump = dumpBytes(tree, leaves, job.options);
  return { root: toHex(tree.root), dump, ms: performance.now() - started };
}

interface DumpLeaves {
  readonly ids: readonly string[];
  readonly wallets: readonly string[];
  readonly amounts: ArrayLike<bigint>;
}

function claimTree(job: TreeHashJob): { tree: ClaimTree; leaves: DumpLeaves } {
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
  return { tree: ClaimTree.build(claims, job.options), leaves: { ids, wallets, amounts: job.amounts } };
}

/**
 * The tree's dump as JSON text, in ClaimTree's compact format (what `ClaimTree.compactDump()`
 * returns, serialized: no leaf hashes, which were a third of the bytes hashed, sent, validated
 * and stored, and which loading recomputes from the claims), written from the rows the builder
 * already holds: the claimers are the base58 strings stored in wallet_bindings, so nothing is
 * re-encoded. Leaf i has index i.
 */
export function dumpJson(tree: ClaimTree, leaves: DumpLeaves, options: LeafOptions): string {
  return dumpParts(tree, leaves, options).join('');
}

/** dumpJson's text in parts of at most DUMP_PART_CHARS characters, each ending at a row. */
export function dumpParts(tree: ClaimTree, leaves: DumpLeaves, options: LeafOptions): string[] {
  const parts: string[] = [];
  let part: string[] = [dumpHead(tree, options)];
  let length = (part[0] as string).length;
  const rows = dumpRows(leaves);
  for (let i = 0; i < rows.length; i++) {
    const row = i === 0 ? (rows[i] as string) : `,${rows[i]}`;
    if (length + row.length > DUMP_PART_CHARS && length > 0) {
      parts.push(part.join(''));
      part = [];
      length = 0;
    }
    part.push(row);
    length += row.length;
  }
  part.push(']}');
  parts.push(part.join(''));
  return parts;
}

/**
 * A dump written as UTF-8 bytes (dumpBytes) as text parts of at most DUMP_PART_CHARS
 * characters, each cut where a character begins.
 */
export function dumpTextParts(bytes: Uint8Array): string[] {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: string[] = [];
  let start = 0;
  while (start < buffer.length) {
    let end = Math.min(start + DUMP_PART_CHARS, buffer.length);
    // Back to the first byte of a character (never a UTF-8 continuation byte, 10xxxxxx).
    while (end < buffer.length && end > start + 1 && ((buffer[end] as number) & 0xc0) === 0x80) end--;
    parts.push(buffer.toString('utf8', start, end));
    start = end;
  }
  return parts;
}

/** dumpJson's text as UTF-8 bytes, written row by row into one buffer: no text of the whole dump is made. */
export function dumpBytes(
  tree: ClaimTree,
  leaves: DumpLeaves,
  options: LeafOptions,
): Uint8Array<ArrayBuffer> {
  const head = dumpHead(tree, options);
  const rows = dumpRows(leaves);
  let size = Buffer.byteLength(head) + Math.max(0, rows.length - 1) + 2;
  for (const row of rows) size += Buffer.byteLength(row);
  // Not from Node's shared pool: the buffer is transferred whole.
  const bytes = Buffer.allocUnsafeSlow(size);
  let at = bytes.write(head, 0);
  for (let i = 0; i < rows.length; i++) {
    if (i > 0) bytes[at++] = 0x2c; // ,
    at += bytes.write(rows[i] as string, at);
  }
  bytes[at++] = 0x5d; // ]
  bytes[at++] = 0x7d; // }
  if (at !== size) throw new Error(`tree dump: wrote ${at} bytes of ${size}`);
  return new Uint8Array(bytes.buffer, 0, size);
}

/** The dump up to its first claim: `{…,"root":"0x…","claims":[`. */
function dumpHead(tree: ClaimTree, options: LeafOptions): string {
  const head: Omit<CompactClaimTreeDump, 'claims'> = {
    format: COMPACT_DUMP_FORMAT,
    leafFormat: options.format,
    ...(options.format === 'claim-v2'
      ? { programId: toBase58(options.programId), epoch: BigInt(options.epoch).toString() }
      : {}),
    root: toHex(tree.root),
  };
  return `${JSON.stringify(head).slice(0, -1)},"claims":[`;
}

function dumpRows(leaves: DumpLeaves): string[] {
  const count = leaves.ids.length;
  const rows = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    // user hashes are 64 hex characters and wallets base58: neither needs JSON escaping.
    rows[i] =
      `{"claimer":"${leaves.wallets[i]}","index":${i},"amount":"${leaves.amounts[i]}","id":"${leaves.ids[i]}"}`;
  }
  return rows;
}

/**
 * A merkle tree of claims, and its stored form. A tree is stored as its root plus one dump
 * (DESIGN.md section 5), in the spirit of @openzeppelin/merkle-tree's `dump()`:
 *
 *   {
 *     "format": "eo-merkle-v1",
 *     "leafFormat": "claim-v1" | "claim-v2",
 *     "programId": "<base58>", "epoch": "<decimal>",      (claim-v2 only)
 *     "root": "0x…",
 *     "leafHashes": ["0x…", …],                           (in leaf order)
 *     "claims": [{ "claimer": "<base58>", "index": 0, "amount": "<decimal>", "id": "…" }, …]
 *   }
 *
 * Loading rebuilds the inner nodes from the stored leaf hashes (n - 1 hashes, about 1 ms for
 * 1,024 leaves) and checks the root, without decoding the claims; a claim row is decoded when
 * it is asked for. `check: 'full'` also re-encodes every claim against its leaf hash.
 *
 * The compact dump (`"format": "eo-merkle-v2"`, what the tree builder stores) is the same
 * without `leafHashes`: they are a third of the bytes and follow from the claims, so loading it
 * decodes and encodes every claim (the `check: 'full'` work) and rebuilds the tree from them.
 * Both formats load.
 */
import { ValidationError } from '../../errors.ts';
import {
  type Claim,
  isLeafFormat,
  LeafEncoder,
  type LeafFormat,
  type LeafOptions,
  validateClaim,
} from './claim-leaf.ts';
import { fromBase58, fromHex, toBase58, toHex } from './encoding.ts';
import { keccak256Many } from './keccak.ts';
import { MerkleTree, type MultiProof, verifyProof } from './merkle-tree.ts';

export const DUMP_FORMAT = 'eo-merkle-v1';
/** The dump without its leaf hashes, which loading recomputes from the claims. */
export const COMPACT_DUMP_FORMAT = 'eo-merkle-v2';

export interface ClaimRow {
  readonly claimer: string;
  readonly index: number;
  readonly amount: string;
  readonly id: string;
}

export interface ClaimTreeDump {
  readonly format: typeof DUMP_FORMAT;
  readonly leafFormat: LeafFormat;
  readonly programId?: string;
  readonly epoch?: string;
  readonly root: string;
  readonly leafHashes: readonly string[];
  readonly claims: readonly ClaimRow[];
}

export interface CompactClaimTreeDump extends Omit<ClaimTreeDump, 'format' | 'leafHashes'> {
  readonly format: typeof COMPACT_DUMP_FORMAT;
}

/** A dump as stored: trees built before the compact format have their leaf hashes. */
export type StoredClaimTreeDump = ClaimTreeDump | CompactClaimTreeDump;

export interface LoadOptions {
  /** The root stored beside the dump (or published); a dump for another root is refused. */
  readonly expectedRoot?: Uint8Array;
  /** 'root' (default) checks the leaf hashes against the root; 'full' also re-encodes every claim. */
  readonly check?: 'root' | 'full';
}

export class ClaimTree {
  private byIndex: Map<number, number> | undefined;
  private byId: Map<string, number> | undefined;

  private constructor(
    readonly options: LeafOptions,
    readonly tree: MerkleTree,
    /** Claims by position; a loaded tree decodes its rows on first use. */
    private readonly claims: Array<Claim | undefined>,
    private readonly rows: readonly ClaimRow[] | undefined,
  ) {}

  /** Leaves in the order given; claim indices must be distinct (each is a bit in the program's bitmap). */
  static build(claims: readonly Claim[], options: LeafOptions): ClaimTree {
    const encoder = new LeafEncoder(options);
    if (!Array.isArray(claims) || claims.length === 0) {
      throw new ValidationError('claims must be a non-empty array (a tree needs at least one leaf)');
    }
    const leaves = keccak256Many(claims.length, encoder.maxLength, (position, into, at) => {
      const claim = claims[position]!;
      try {
        return encoder.encodeInto(claim, into, at);
      } catch (error) {
        // Name the claim by its position; built only on failure, not once per leaf.
        validateClaim(claim, `claims[${position}]`);
        throw error;
      }
    });
    checkDistinctIndices(claims, 'claims');
    return new ClaimTree(
      options,
      MerkleTree.fromLeafHashes(leaves, options.format),
      claims.slice(),
      undefined,
    );
  }

  static load(dump: unknown, loadOptions: LoadOptions = {}): ClaimTree {
    const { options, root, leafHashes, rows } = parseDump(dump);
    if (leafHashes === undefined) return ClaimTree.loadCompact(options, root, rows, loadOptions);
    const leaves = Buffer.alloc(leafHashes.length << 5);
    leafHashes.forEach((hex, i) => {
      const digits = hex.startsWith('0x') ? hex.slice(2) : hex;
      if (digits.length !== 64 || leaves.write(digits, i << 5, 'hex') !== 32) {
        throw new ValidationError(`dump.leafHashes[${i}] must be a 32-byte hex hash`);
      }
    });
    const tree = MerkleTree.fromLeafHashes(leaves, options.format);
    if (!sameBytes(tree.root, root)) throw new ValidationError('dump.root does not match its leafHashes');
    if (loadOptions.expectedRoot !== undefined && !sameBytes(root, loadOptions.expectedRoot)) {
      throw new ValidationError(`dump is for root ${toHex(root)}, not ${toHex(loadOptions.expectedRoot)}`);
    }
    const loaded = new ClaimTree(options, tree, new Array<undefined>(rows.length), rows);
    if (loadOptions.check === 'full') {
      const encoder = new LeafEncoder(options);
      const claims: Claim[] = [];
      for (let position = 0; position < rows.length; position++) {
        const claim = loaded.claim(position);
        if (!sameBytes(encoder.leafHash(claim), tree.leafHash(position))) {
          throw new ValidationError(`dump.claims[${position}] does not match dump.leafHashes[${position}]`);
        }
        claims.push(claim);
      }
      checkDistinctIndices(claims, 'dump.claims');
    }
    return loaded;
  }

  /** A compact dump: every claim decoded and encoded, the tree built from them, its root checked. */
  private static loadCompact(
    options: LeafOptions,
    root: Uint8Array,
    rows: readonly ClaimRow[],
    loadOptions: LoadOptions,
  ): ClaimTree {
    if (loadOptions.expectedRoot !== undefined && !sameBytes(root, loadOptions.expectedRoot)) {
      throw new ValidationError(`dump is for root ${toHex(root)}, not ${toHex(loadOptions.expectedRoot)}`);
    }
    const claims = rows.map((row, position) => claimFromRow(row, `dump.claims[${position}]`));
    const tree = ClaimTree.build(claims, options);
    if (!sameBytes(tree.root, root)) throw new ValidationError('dump.root does not match its claims');
    return new ClaimTree(options, tree.tree, claims, rows);
  }

  get format(): LeafFormat {
    return this.options.format;
  }

  get root(): Uint8Array {
    return this.tree.root;
  }

  get size(): number {
    return this.tree.leafCount;
  }

  claim(position: number): Claim {
    if (!Number.isInteger(position) || position < 0 || position >= this.size) {
      throw new ValidationError(`position must be an integer from 0 to ${this.size - 1}, got ${position}`);
    }
    const known = this.claims[position];
    if (known !== undefined) return known;
    const claim = claimFromRow(this.rows?.[position], `dump.claims[${position}]`);
    this.claims[position] = claim;
    return claim;
  }

  /**
   * The leaf position of the claim with bitmap index `index`, if the tree has one. For a tree
   * loaded without `check: 'full'` this trusts the dump's index fields.
   */
  positionOfIndex(index: number): number | undefined {
    this.byIndex ??= this.lookup((row) => row.index);
    return this.byIndex.get(index);
  }

  /** The first leaf position whose claim id is `id` (a user_hash), if any. */
  positionOfId(id: string): number | undefined {
    this.byId ??= this.lookup((row) => row.id);
    return this.byId.get(id);
  }

  private lookup<K>(key: (row: { readonly index: number; readonly id: string }) => K): Map<K, number> {
    const map = new Map<K, number>();
    for (let position = this.size - 1; position >= 0; position--) {
      map.set(key(this.rows?.[position] ?? this.claims[position]!), position);
    }
    return map;
  }

  leafHash(position: number): Uint8Array {
    return this.tree.leafHash(position);
  }

  proof(position: number): Uint8Array[] {
    return this.tree.proof(position);
  }

  multiProof(positions: readonly number[]): MultiProof {
    return this.tree.multiProof(positions);
  }

  /** The dump without its leaf hashes (COMPACT_DUMP_FORMAT). */
  compactDump(): CompactClaimTreeDump {
    const { leafHashes: _, ...rest } = this.dump();
    return { ...rest, format: COMPACT_DUMP_FORMAT };
  }

  dump(): ClaimTreeDump {
    const leafBytes = this.tree.leafBytes;
    const leafHashes: string[] = [];
    for (let i = 0; i < this.size; i++) leafHashes.push(toHex(leafBytes.subarray(i << 5, (i + 1) << 5)));
    const claims =
      this.rows ??
      this.claims.map((claim) => ({
        claimer: toBase58(claim!.claimer),
        index: claim!.index,
        amount: claim!.amount.toString(),
        id: claim!.id,
      }));
    const domain =
      this.options.format === 'claim-v2'
        ? { programId: toBase58(this.options.programId), epoch: BigInt(this.options.epoch).toString() }
        : {};
    return {
      format: DUMP_FORMAT,
      leafFormat: this.options.format,
      ...domain,
      root: toHex(this.root),
      leafHashes,
      claims,
    };
  }
}

/** Whether `proof` connects `claim`, encoded under `options`, to `root`. */
export function verifyClaim(
  root: Uint8Array,
  claim: Claim,
  proof: readonly Uint8Array[],
  options: LeafOptions,
): boolean {
  return verifyProof(root, new LeafEncoder(options).leafHash(claim), proof, options.format);
}

/** Parses a JSON claim row (claimer base58, amount a decimal string) into a Claim. */
export function claimFromRow(row: unknown, path = 'claim'): Claim {
  if (typeof row !== 'object' || row === null) throw new ValidationError(`${path} must be an object`);
  const { claimer, index, amount, id } = row as Record<string, unknown>;
  if (typeof amount !== 'string' || !/^(0|[1-9][0-9]*)$/.test(amount)) {
    throw new ValidationError(`${path}.amount must be a decimal string of a non-negative integer`);
  }
  if (typeof index !== 'number') throw new ValidationError(`${path}.index must be a number`);
  if (typeof id !== 'string') throw new ValidationError(`${path}.id must be a string`);
  const claim = {
    claimer: fromBase58(claimer as string, `${path}.claimer`),
    index,
    amount: BigInt(amount),
    id,
  };
  validateClaim(claim, path);
  return claim;
}

function parseDump(dump: unknown): {
  options: LeafOptions;
  root: Uint8Array;
  /** Undefined in a compact dump. */
  leafHashes: readonly string[] | undefined;
  rows: readonly ClaimRow[];
} {
  if (typeof dump !== 'object' || dump === null) throw new ValidationError('dump must be an object');
  const d = dump as Record<string, unknown>;
  if (d.format !== DUMP_FORMAT && d.format !== COMPACT_DUMP_FORMAT) {
    throw new ValidationError(
      `dump.format must be '${DUMP_FORMAT}' or '${COMPACT_DUMP_FORMAT}', got '${String(d.format)}'`,
    );
  }
  if (!isLeafFormat(d.leafFormat)) throw new ValidationError('dump.leafFormat must be claim-v1 or claim-v2');
  const options: LeafOptions =
    d.leafFormat === 'claim-v2'
      ? {
          format: 'claim-v2',
          programId: fromBase58(d.programId as string, 'dump.programId'),
          epoch: parseU64(d.epoch, 'dump.epoch'),
        }
      : { format: 'claim-v1' };
  const root = fromHex(d.root as string, 'dump.root', 32);
  const { leafHashes, claims } = d;
  if (d.format === COMPACT_DUMP_FORMAT) {
    if (!Array.isArray(claims) || claims.length === 0) {
      throw new ValidationError('dump.claims must be a non-empty array');
    }
    return { options, root, leafHashes: undefined, rows: claims as ClaimRow[] };
  }
  if (
    !Array.isArray(leafHashes) ||
    leafHashes.length === 0 ||
    !leafHashes.every((h) => typeof h === 'string')
  ) {
    throw new ValidationError('dump.leafHashes must be a non-empty array of hex strings');
  }
  if (!Array.isArray(claims) || claims.length !== leafHashes.length) {
    throw new ValidationError('dump.claims must be an array with one row per leaf hash');
  }
  return { options, root, leafHashes, rows: claims as ClaimRow[] };
}

function parseU64(value: unknown, field: string): bigint {
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]*)$/.test(value)) {
    throw new ValidationError(`${field} must be a decimal string`);
  }
  return BigInt(value);
}

/** Each index is one bit of the program's claimed bitmap, so two leaves may not share one. */
function checkDistinctIndices(claims: readonly Claim[], path: string): void {
  // Sealing numbers leaves in order, so an ascending run needs no set.
  let ascending = true;
  for (let i = 1; i < claims.length && ascending; i++) ascending = claims[i]!.index > claims[i - 1]!.index;
  if (ascending) return;
  const seen = new Map<number, number>();
  claims.forEach((claim, position) => {
    const first = seen.get(claim.index);
    if (first !== undefined) {
      throw new ValidationError(
        `${path}[${position}].index ${claim.index} is already used by ${path}[${first}]`,
      );
    }
    seen.set(claim.index, position);
  });
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

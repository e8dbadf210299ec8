/**
 * A merkle tree over 32-byte leaf hashes, shaped as merkletreejs shapes it with
 * `{ sortPairs: true }`: pairs (2i, 2i + 1) hashed in byte-wise sorted order, a level's odd
 * last node carried up unhashed, a single leaf being its own root (with an empty proof). No
 * leaves is refused: merkletreejs answers an empty root, which no program can hold. Each level
 * is one contiguous Uint8Array of 32-byte slots, so building allocates one array per level.
 */
import { InvalidProofError, ValidationError } from '../../errors.ts';
import type { LeafFormat } from './claim-leaf.ts';
import { keccakLevels } from './keccak.ts';
import { compare32, hashPair } from './node-hash.ts';

/**
 * Proof for several leaves at once. Unlike OpenZeppelin's flag-driven multiproof (a FIFO of
 * hashes, which has no step for a node carried up unhashed), it carries the leaf positions
 * and count, from which the verifier knows each level's shape; `proof` holds the missing
 * siblings level by level, left to right.
 */
export interface MultiProof {
  readonly leafCount: number;
  /** Leaf positions, strictly ascending. */
  readonly positions: readonly number[];
  /** The leaf hashes at `positions`, in the same order. */
  readonly leaves: readonly Uint8Array[];
  readonly proof: readonly Uint8Array[];
}

export class MerkleTree {
  private constructor(
    readonly format: LeafFormat,
    /** levels[0] holds the leaves, the last level the root. */
    private readonly levels: readonly Uint8Array[],
    readonly leafCount: number,
  ) {}

  /**
   * Builds from `leafCount` hashes laid end to end in `leaves` (taken over, not copied), or
   * from an array of 32-byte hashes.
   */
  static fromLeafHashes(leaves: Uint8Array | readonly Uint8Array[], format: LeafFormat): MerkleTree {
    const base = leaves instanceof Uint8Array ? leaves : concatLeaves(leaves);
    if (base.length === 0 || base.length % 32 !== 0) {
      throw new ValidationError('leaves must be one or more 32-byte hashes');
    }
    const leafCount = base.length >>> 5;
    const levels = [base, ...keccakLevels(base, leafCount, format === 'claim-v2')];
    return new MerkleTree(format, levels, leafCount);
  }

  get root(): Uint8Array {
    return this.levels[this.levels.length - 1]!.slice(0, 32);
  }

  /** Number of hashing levels above the leaves (the length of the longest proof). */
  get depth(): number {
    return this.levels.length - 1;
  }

  /** The leaf hashes laid end to end (a view; do not modify). */
  get leafBytes(): Uint8Array {
    return this.levels[0]!;
  }

  leafHash(position: number): Uint8Array {
    this.checkPosition(position);
    return this.node(0, position);
  }

  /**
   * Sibling hashes from the leaf up; a level where the node is carried up adds none. Each is
   * a copy: the tree is cached and shared, so callers get nothing that aliases its levels.
   */
  proof(position: number): Uint8Array[] {
    this.checkPosition(position);
    const proof: Uint8Array[] = [];
    let index = position;
    for (let level = 0; level < this.levels.length - 1; level++) {
      const sibling = index ^ 1;
      if (sibling < this.levels[level]!.length >>> 5) proof.push(this.node(level, sibling));
      index >>>= 1;
    }
    return proof;
  }

  multiProof(positions: readonly number[]): MultiProof {
    if (positions.length === 0) throw new ValidationError('positions must name at least one leaf');
    for (const position of positions) this.checkPosition(position);
    let known = [...new Set(positions)].sort((a, b) => a - b);
    const sorted = known;
    const proof: Uint8Array[] = [];
    for (let level = 0; level < this.levels.length - 1; level++) {
      const size = this.levels[level]!.length >>> 5;
      const parents: number[] = [];
      for (let k = 0; k < known.length; k++) {
        const index = known[k]!;
        if ((index & 1) === 1) proof.push(this.node(level, index - 1));
        else if (index + 1 < size) {
          if (known[k + 1] === index + 1) k++;
          else proof.push(this.node(level, index + 1));
        }
        parents.push(index >>> 1);
      }
      known = parents;
    }
    return {
      leafCount: this.leafCount,
      positions: sorted,
      leaves: sorted.map((position) => this.node(0, position)),
      proof,
    };
  }

  private node(level: number, index: number): Uint8Array {
    return this.levels[level]!.slice(index << 5, (index + 1) << 5);
  }

  private checkPosition(position: number): void {
    if (!Number.isInteger(position) || position < 0 || position >= this.leafCount) {
      throw new ValidationError(
        `position must be an integer from 0 to ${this.leafCount - 1} (the tree has ${this.leafCount} leaves), got ${position}`,
      );
    }
  }
}

/** Whether `proof` connects `leaf` (a leaf hash) to `root` under `format`'s node hash. */
export function verifyProof(
  root: Uint8Array,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  format: LeafFormat,
): boolean {
  check32(root, 'root');
  check32(leaf, 'leaf');
  checkAll(proof, 'proof');
  let hash = leaf;
  for (const sibling of proof) hash = hashPair(hash, sibling, format);
  return compare32(hash, 0, root, 0) === 0;
}

/** verifyProof that throws InvalidProofError instead of answering false. */
export function assertProof(
  root: Uint8Array,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  format: LeafFormat,
): void {
  if (!verifyProof(root, leaf, proof, format)) {
    throw new InvalidProofError('the proof does not connect the leaf to the root');
  }
}

export function verifyMultiProof(root: Uint8Array, multiProof: MultiProof, format: LeafFormat): boolean {
  const { leafCount, positions, leaves, proof } = multiProof;
  check32(root, 'root');
  checkAll(leaves, 'leaves');
  checkAll(proof, 'proof');
  if (!Number.isInteger(leafCount) || leafCount < 1) return false;
  if (positions.length === 0 || positions.length !== leaves.length) return false;
  for (let k = 0; k < positions.length; k++) {
    const position = positions[k]!;
    if (!Number.isInteger(position) || position < 0 || position >= leafCount) return false;
    if (k > 0 && position <= positions[k - 1]!) return false;
  }
  let indices = positions;
  let hashes = leaves;
  let size = leafCount;
  let used = 0;
  while (size > 1) {
    const parentIndices: number[] = [];
    const parentHashes: Uint8Array[] = [];
    for (let k = 0; k < indices.length; k++) {
      const index = indices[k]!;
      let hash = hashes[k]!;
      if ((index & 1) === 1 || index + 1 < size) {
        const sibling = (index & 1) === 0 && indices[k + 1] === index + 1 ? hashes[++k] : proof[used++];
        if (sibling === undefined) return false;
        hash = hashPair(hash, sibling, format);
      }
      parentIndices.push(index >>> 1);
      parentHashes.push(hash);
    }
    indices = parentIndices;
    hashes = parentHashes;
    size = (size + 1) >>> 1;
  }
  return used === proof.length && compare32(hashes[0]!, 0, root, 0) === 0;
}

function check32(bytes: Uint8Array, field: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) {
    throw new ValidationError(`${field} must be a 32-byte hash`);
  }
}

function checkAll(hashes: readonly Uint8Array[], field: string): void {
  for (let i = 0; i < hashes.length; i++) check32(hashes[i]!, `${field}[${i}]`);
}

function concatLeaves(leaves: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(leaves.length << 5);
  leaves.forEach((leaf, i) => {
    check32(leaf, `leaves[${i}]`);
    out.set(leaf, i << 5);
  });
  return out;
}

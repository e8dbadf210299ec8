import { createHash } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3';
import fc from 'fast-check';
import { MerkleTree as MerkleTreeJs } from 'merkletreejs';
import { describe, expect, it } from 'vitest';
import {
  assertProof,
  type Claim,
  ClaimTree,
  type LeafOptions,
  MAX_U64,
  MerkleTree,
  toHex,
  verifyClaim,
  verifyMultiProof,
  verifyProof,
} from '../../layers/shared/src/core/merkle/index.ts';
import { InvalidProofError, ValidationError } from '../../layers/shared/src/errors.ts';

const V1: LeafOptions = { format: 'claim-v1' };
const v2 = (programId: Uint8Array, epoch: bigint): LeafOptions => ({ format: 'claim-v2', programId, epoch });
const keccak = (data: Buffer): Buffer => Buffer.from(keccak_256(data));

/** Deterministic pseudo-random bytes from a seed, so large leaf sets cost little to generate. */
function seededBytes(seed: number, label: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let block = 0; block * 32 < length; block++) {
    createHash('sha256')
      .update(`${seed}:${label}:${block}`)
      .digest()
      .copy(out, block * 32);
  }
  return out;
}

function makeClaims(count: number, seed: number): Claim[] {
  const keys = seededBytes(seed, 'claimer', count * 32);
  const ids = seededBytes(seed, 'id', count * 32);
  const amounts = seededBytes(seed, 'amount', count * 8);
  return Array.from({ length: count }, (_, i) => ({
    claimer: keys.subarray(i * 32, i * 32 + 32),
    index: i,
    amount: amounts.readBigUInt64LE(i * 8),
    id: ids.toString('hex', i * 32, i * 32 + 32),
  }));
}

/** The v1 leaf as merkletreejs users write it: Buffer.concat and a separate keccak. */
function independentV1Leaf(claim: Claim): Buffer {
  const head = Buffer.alloc(44);
  Buffer.from(claim.claimer).copy(head, 0);
  head.writeUInt32LE(claim.index, 32);
  head.writeBigUInt64LE(claim.amount, 36);
  return keccak(Buffer.concat([head, Buffer.from(claim.id, 'utf8')]));
}

const treeSize = (max: number) => fc.oneof(fc.integer({ min: 1, max: 17 }), fc.integer({ min: 1, max }));
const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const anyOptions = fc.oneof(
  fc.constant(V1),
  fc
    .tuple(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.bigInt({ min: 0n, max: MAX_U64 }))
    .map(([p, e]) => v2(p, e)),
);

describe('claim-v1 against merkletreejs', () => {
  it('has the root of merkletreejs with sortPairs for leaf sets of 1 to 2,000 leaves', () => {
    fc.assert(
      fc.property(treeSize(2000), seed, (count, s) => {
        const claims = makeClaims(count, s);
        const ours = ClaimTree.build(claims, V1);
        const theirs = new MerkleTreeJs(claims.map(independentV1Leaf), keccak, { sortPairs: true });
        expect(toHex(ours.root)).toBe(theirs.getHexRoot());
      }),
      { numRuns: 40 },
    );
  });

  it('gives proofs that merkletreejs verifies', () => {
    fc.assert(
      fc.property(treeSize(2000), seed, fc.array(fc.nat(), { maxLength: 20 }), (count, s, picks) => {
        const claims = makeClaims(count, s);
        const ours = ClaimTree.build(claims, V1);
        const theirs = new MerkleTreeJs([], keccak, { sortPairs: true });
        const positions = new Set([0, count - 1, ...picks.map((p) => p % count)]);
        for (const position of positions) {
          const proof = ours.proof(position).map((node) => Buffer.from(node));
          const leaf = independentV1Leaf(claims[position]!);
          expect(theirs.verify(proof, leaf, Buffer.from(ours.root))).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('treats a single leaf as its own root with an empty proof, as merkletreejs does', () => {
    const [claim] = makeClaims(1, 1);
    const ours = ClaimTree.build([claim!], V1);
    expect(toHex(ours.root)).toBe(toHex(independentV1Leaf(claim!)));
    expect(ours.proof(0)).toEqual([]);
    expect(new MerkleTreeJs([independentV1Leaf(claim!)], keccak, { sortPairs: true }).getHexRoot()).toBe(
      toHex(ours.root),
    );
  });
});

describe('proofs', () => {
  it('verify against the root for every leaf, in both formats', () => {
    fc.assert(
      fc.property(treeSize(300), seed, anyOptions, (count, s, options) => {
        const claims = makeClaims(count, s);
        const tree = ClaimTree.build(claims, options);
        claims.forEach((claim, position) => {
          const proof = tree.proof(position);
          expect(verifyClaim(tree.root, claim, proof, options)).toBe(true);
          expect(verifyProof(tree.root, tree.leafHash(position), proof, options.format)).toBe(true);
        });
      }),
      { numRuns: 60 },
    );
  });

  it('do not verify a claim whose amount was changed', () => {
    fc.assert(
      fc.property(treeSize(300), seed, fc.nat(), anyOptions, (count, s, pick, options) => {
        const claims = makeClaims(count, s);
        const tree = ClaimTree.build(claims, options);
        const position = pick % count;
        const claim = claims[position]!;
        const forged = { ...claim, amount: claim.amount === MAX_U64 ? 0n : claim.amount + 1n };
        expect(verifyClaim(tree.root, forged, tree.proof(position), options)).toBe(false);
      }),
    );
  });

  it('throw InvalidProofError from assertProof when they do not connect', () => {
    const tree = ClaimTree.build(makeClaims(5, 3), V1);
    expect(() => assertProof(tree.root, tree.leafHash(0), tree.proof(1), 'claim-v1')).toThrow(
      InvalidProofError,
    );
    expect(() => assertProof(tree.root, tree.leafHash(1), tree.proof(1), 'claim-v1')).not.toThrow();
  });
});

describe('roots', () => {
  type Field = 'claimer' | 'index' | 'amount' | 'id';
  const mutate = (claim: Claim, field: Field, count: number): Claim => {
    switch (field) {
      case 'claimer':
        return { ...claim, claimer: Uint8Array.from(claim.claimer, (b, i) => (i === 31 ? b ^ 0x80 : b)) };
      case 'index':
        return { ...claim, index: count + claim.index };
      case 'amount':
        return { ...claim, amount: claim.amount === 0n ? 1n : claim.amount - 1n };
      case 'id':
        return { ...claim, id: claim.id.slice(0, -1) };
    }
  };

  it('change when any field of any leaf changes', () => {
    fc.assert(
      fc.property(
        treeSize(300),
        seed,
        fc.nat(),
        fc.constantFrom<Field>('claimer', 'index', 'amount', 'id'),
        anyOptions,
        (count, s, pick, field, options) => {
          const claims = makeClaims(count, s);
          const before = ClaimTree.build(claims, options).root;
          const position = pick % count;
          const changed = claims.map((claim, i) => (i === position ? mutate(claim, field, count) : claim));
          expect(toHex(ClaimTree.build(changed, options).root)).not.toBe(toHex(before));
        },
      ),
    );
  });

  it('of claim-v2 change with the epoch and the program id', () => {
    fc.assert(
      fc.property(treeSize(100), seed, (count, s) => {
        const claims = makeClaims(count, s);
        const programId = seededBytes(s, 'program', 32);
        const base = toHex(ClaimTree.build(claims, v2(programId, 10n)).root);
        expect(toHex(ClaimTree.build(claims, v2(programId, 11n)).root)).not.toBe(base);
        expect(toHex(ClaimTree.build(claims, v2(seededBytes(s + 1, 'program', 32), 10n)).root)).not.toBe(
          base,
        );
      }),
      { numRuns: 30 },
    );
  });
});

describe('claim-v2 domain separation', () => {
  it('never lets an inner node verify as a leaf', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 200 }), seed, fc.nat(), (count, s, pick) => {
        const options = v2(seededBytes(s, 'program', 32), 42n);
        const tree = ClaimTree.build(makeClaims(count, s), options);
        const position = pick % count;
        const proof = tree.proof(position);
        let node = tree.leafHash(position);
        let pair = new Uint8Array(64);
        for (let level = 1; level <= proof.length; level++) {
          const sibling = proof[level - 1]!;
          const [lo, hi] = Buffer.compare(node, sibling) <= 0 ? [node, sibling] : [sibling, node];
          pair = Uint8Array.from([...lo, ...hi]);
          node = MerkleTree.fromLeafHashes([node, sibling], 'claim-v2').root;
          const rest = proof.slice(level);
          // The node and its remaining path are genuine: as a bare hash it reaches the root...
          expect(verifyProof(tree.root, node, rest, 'claim-v2')).toBe(true);
          // ...but no reading of its preimage as claim fields hashes to it.
          const view = Buffer.from(pair);
          const asClaim: Claim = {
            claimer: view.subarray(0, 32),
            index: view.readUInt32LE(32),
            amount: view.readBigUInt64LE(36),
            id: view
              .subarray(44)
              .toString('latin1')
              .replace(/[^\x20-\x7e]/g, 'x'),
          };
          expect(verifyClaim(tree.root, asClaim, rest, options)).toBe(false);
          const leafHashes = new Set(Array.from({ length: count }, (_, i) => toHex(tree.leafHash(i))));
          expect(leafHashes.has(toHex(node))).toBe(false);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('multiproofs', () => {
  const subset = (count: number) =>
    fc.uniqueArray(fc.integer({ min: 0, max: count - 1 }), { minLength: 1, maxLength: Math.min(count, 40) });

  it('verify for any set of leaves, in both formats', () => {
    fc.assert(
      fc.property(
        treeSize(500).chain((count) => fc.tuple(fc.constant(count), subset(count))),
        seed,
        anyOptions,
        ([count, positions], s, options) => {
          const tree = ClaimTree.build(makeClaims(count, s), options);
          const multi = tree.multiProof(positions);
          expect(multi.positions).toEqual([...positions].sort((a, b) => a - b));
          expect(verifyMultiProof(tree.root, multi, options.format)).toBe(true);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('fail when a leaf or a proof node is wrong, missing or extra', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 300 }).chain((count) => fc.tuple(fc.constant(count), subset(count))),
        seed,
        ([count, positions], s) => {
          const tree = ClaimTree.build(makeClaims(count, s), V1);
          const multi = tree.multiProof(positions);
          const flip = (hash: Uint8Array) => Uint8Array.from(hash, (b, i) => (i === 0 ? b ^ 1 : b));
          const badLeaf = { ...multi, leaves: multi.leaves.map((leaf, i) => (i === 0 ? flip(leaf) : leaf)) };
          expect(verifyMultiProof(tree.root, badLeaf, 'claim-v1')).toBe(false);
          if (multi.proof.length > 0) {
            const badProof = { ...multi, proof: multi.proof.map((node, i) => (i === 0 ? flip(node) : node)) };
            expect(verifyMultiProof(tree.root, badProof, 'claim-v1')).toBe(false);
            expect(verifyMultiProof(tree.root, { ...multi, proof: multi.proof.slice(1) }, 'claim-v1')).toBe(
              false,
            );
          }
          expect(
            verifyMultiProof(tree.root, { ...multi, proof: [...multi.proof, tree.root] }, 'claim-v1'),
          ).toBe(false);
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe('dump and load', () => {
  it('give back the same root, proofs and claims', () => {
    fc.assert(
      fc.property(treeSize(300), seed, anyOptions, (count, s, options) => {
        const claims = makeClaims(count, s);
        const built = ClaimTree.build(claims, options);
        const dump = JSON.parse(JSON.stringify(built.dump())) as unknown;
        for (const check of ['root', 'full'] as const) {
          const loaded = ClaimTree.load(dump, { check, expectedRoot: built.root });
          expect(toHex(loaded.root)).toBe(toHex(built.root));
          expect(loaded.format).toBe(options.format);
          for (let position = 0; position < count; position++) {
            expect(loaded.proof(position).map(toHex)).toEqual(built.proof(position).map(toHex));
          }
          const position = s % count;
          expect(loaded.claim(position)).toEqual({
            ...claims[position]!,
            claimer: Uint8Array.from(claims[position]!.claimer),
          });
          expect(loaded.positionOfIndex(claims[position]!.index)).toBe(position);
          expect(loaded.positionOfId(claims[position]!.id)).toBe(position);
          expect(built.positionOfId(claims[position]!.id)).toBe(position);
          expect(
            verifyClaim(loaded.root, loaded.claim(position), loaded.proof(position), loaded.options),
          ).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('refuse a dump whose root, leaf hashes or claims were altered', () => {
    const built = ClaimTree.build(makeClaims(9, 5), V1);
    const dump = built.dump();
    const otherRoot = ClaimTree.build(makeClaims(9, 6), V1).dump().root;
    expect(() => ClaimTree.load({ ...dump, root: otherRoot })).toThrow(/root/);
    const hashes = [...dump.leafHashes];
    hashes[3] = otherRoot;
    expect(() => ClaimTree.load({ ...dump, leafHashes: hashes })).toThrow(ValidationError);
    const claims = dump.claims.map((row, i) => (i === 4 ? { ...row, amount: '1' } : row));
    expect(() => ClaimTree.load({ ...dump, claims })).not.toThrow();
    expect(() => ClaimTree.load({ ...dump, claims }, { check: 'full' })).toThrow(/claims\[4\]/);
    expect(() => ClaimTree.load(dump, { expectedRoot: new Uint8Array(32) })).toThrow(/not 0x00/);
    expect(() => ClaimTree.load({ ...dump, format: 'eo-merkle-v0' })).toThrow(/dump\.format/);
  });

  it('load a compact dump (no leaf hashes) to the same tree, and refuse one whose claims or root were altered', () => {
    const built = ClaimTree.build(makeClaims(9, 5), V1);
    const compact = built.compactDump();
    expect(compact.format).toBe('eo-merkle-v2');
    expect('leafHashes' in compact).toBe(false);
    expect(compact.claims).toEqual(built.dump().claims);
    const loaded = ClaimTree.load(JSON.parse(JSON.stringify(compact)), { expectedRoot: built.root });
    expect(toHex(loaded.root)).toBe(toHex(built.root));
    for (let position = 0; position < 9; position++) {
      expect(loaded.proof(position).map(toHex)).toEqual(built.proof(position).map(toHex));
      expect(toHex(loaded.claim(position).claimer)).toBe(toHex(built.claim(position).claimer));
      expect(loaded.claim(position).amount).toBe(built.claim(position).amount);
    }
    const claims = compact.claims.map((row, i) => (i === 4 ? { ...row, amount: '1' } : row));
    expect(() => ClaimTree.load({ ...compact, claims })).toThrow(/root does not match its claims/);
    const reused = compact.claims.map((row, i) => (i === 3 ? { ...row, index: 1 } : row));
    expect(() => ClaimTree.load({ ...compact, claims: reused })).toThrow(/index 1 is already used/);
    expect(() => ClaimTree.load(compact, { expectedRoot: new Uint8Array(32) })).toThrow(/not 0x00/);
    expect(() => ClaimTree.load({ ...compact, claims: [] })).toThrow(/dump\.claims/);
  });
});

describe('building', () => {
  it('refuses two claims with the same index and names both', () => {
    const claims = makeClaims(4, 9).map((claim, i) => (i === 3 ? { ...claim, index: 1 } : claim));
    expect(() => ClaimTree.build(claims, V1)).toThrow(/claims\[3\]\.index 1 is already used by claims\[1\]/);
  });

  it('refuses an empty set of claims', () => {
    expect(() => ClaimTree.build([], V1)).toThrow(ValidationError);
  });

  it('names the claim that fails validation', () => {
    const claims = makeClaims(4, 9).map((claim, i) => (i === 2 ? { ...claim, amount: -5n } : claim));
    expect(() => ClaimTree.build(claims, V1)).toThrow(/claims\[2\]\.amount/);
  });

  it('refuses a proof position outside the tree', () => {
    const tree = ClaimTree.build(makeClaims(4, 9), V1);
    expect(() => tree.proof(4)).toThrow(/position/);
    expect(() => tree.multiProof([0, 7])).toThrow(/position/);
  });
});

/**
 * Node hashing: keccak256 of the byte-wise sorted pair, behind the 0x01 node prefix for
 * `claim-v2` (see claim-leaf.ts for the exact bytes). Whole levels are hashed in WebAssembly
 * (keccakLevels in keccak.ts); this is the one-pair form that proof verification walks with.
 */
import { CLAIM_V2_NODE_PREFIX, type LeafFormat } from './claim-leaf.ts';
import { keccak256 } from './keccak.ts';

const pairScratch = new Uint8Array(65);
pairScratch[0] = CLAIM_V2_NODE_PREFIX;
const prefixedPair = pairScratch;
const barePair = pairScratch.subarray(1);

/** -1, 0 or 1 as a[aOff..+32) sorts before, with or after b[bOff..+32) (unsigned bytes). */
export function compare32(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number): number {
  for (let j = 0; j < 32; j++) {
    const x = a[aOff + j]!;
    const y = b[bOff + j]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** The parent of two 32-byte nodes. */
export function hashPair(a: Uint8Array, b: Uint8Array, format: LeafFormat): Uint8Array {
  const [lo, hi] = compare32(a, 0, b, 0) > 0 ? [b, a] : [a, b];
  barePair.set(lo, 0);
  barePair.set(hi, 32);
  return keccak256(format === 'claim-v2' ? prefixedPair : barePair);
}

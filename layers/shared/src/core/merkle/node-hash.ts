/**
 * Node hashing: keccak256 of the byte-wise sorted pair, behind the 0x01 node prefix for
 * `claim-v2` (see claim-leaf.ts for the exact bytes). The level loop works on contiguous
 * 32-byte slots and a fixed scratch pair; per node, only hash-wasm itself allocates (its
 * input views and the 32-byte digest).
 */
import { CLAIM_V2_NODE_PREFIX, type LeafFormat } from './claim-leaf.ts';
import { sharedKeccak } from './keccak.ts';

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

/**
 * Hashes level `src` (`count` nodes) into `dst`: node p of dst is the hash of src's pair
 * (2p, 2p + 1); an odd last node is copied up unhashed.
 */
export function hashLevel(src: Uint8Array, count: number, dst: Uint8Array, format: LeafFormat): void {
  const prefixed = format === 'claim-v2';
  const pairs = count >>> 1;
  const input = prefixed ? prefixedPair : barePair;
  for (let p = 0; p < pairs; p++) {
    const left = p << 6;
    const right = left + 32;
    // Copying the pair into a fixed scratch view costs less than handing hash-wasm a
    // subarray of the level (it wraps every input in new views).
    if (compare32(src, left, src, right) > 0) {
      for (let j = 0; j < 32; j++) {
        barePair[j] = src[right + j]!;
        barePair[32 + j] = src[left + j]!;
      }
    } else {
      for (let j = 0; j < 64; j++) barePair[j] = src[left + j]!;
    }
    sharedKeccak.init();
    sharedKeccak.update(input);
    dst.set(sharedKeccak.digest('binary'), p << 5);
  }
  if (count & 1) {
    const last = (count - 1) << 5;
    dst.set(src.subarray(last, last + 32), pairs << 5);
  }
}

/** The parent of two 32-byte nodes. */
export function hashPair(a: Uint8Array, b: Uint8Array, format: LeafFormat): Uint8Array {
  const [lo, hi] = compare32(a, 0, b, 0) > 0 ? [b, a] : [a, b];
  barePair.set(lo, 0);
  barePair.set(hi, 32);
  sharedKeccak.init();
  sharedKeccak.update(format === 'claim-v2' ? prefixedPair : barePair);
  return sharedKeccak.digest('binary');
}

/**
 * keccak256 (the original Keccak padding that Solana's `keccak::hashv` and Ethereum use, not
 * NIST SHA3-256) on hash-wasm's WebAssembly build. Measured on 64-byte inputs (a node's
 * preimage) it ran about 0.7 µs a hash (0.45 µs of it the permutation), against about 3.3 µs
 * for the native `keccak` package (a hasher object and an N-API call per hash) and about
 * 10 µs for @noble/hashes' keccak_256; `npm run bench merkle` repeats the comparison.
 *
 * hash-wasm compiles its module asynchronously, so it is loaded once here with a top-level
 * await; everything exported stays synchronous. One hasher is shared: every user runs
 * init → update → digest without yielding, so uses cannot interleave.
 */
import { createKeccak } from 'hash-wasm';

const hasher = await createKeccak(256);

/** The shared hasher, for the node-hashing loop in node-hash.ts; use it only synchronously. */
export const sharedKeccak = hasher;

export function keccak256(data: Uint8Array): Uint8Array {
  hasher.init();
  hasher.update(data);
  return hasher.digest('binary');
}

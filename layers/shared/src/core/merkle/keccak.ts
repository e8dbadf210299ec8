/**
 * keccak256 (the original Keccak padding that Solana's `keccak::hashv` and Ethereum use, not
 * NIST SHA3-256) on our own WebAssembly build (layers/shared/assembly/keccak.as.ts). Besides
 * single hashes it hashes a batch of preimages and whole merkle levels in one call each, two
 * one-block preimages at a time in SIMD lanes: measured here about 0.25 µs a 64-byte hash
 * inside a level (0.5 µs one call a hash), against 0.7–0.9 µs through hash-wasm's hasher
 * (init → update → digest from JavaScript per hash) and 3.5 µs for the native `keccak`
 * package; `npm run bench merkle` repeats the comparison. WebAssembly SIMD is in every Node.js
 * from 16.4 on, so in Lambda's runtimes too.
 *
 * The module is small and compiled synchronously at import. Its memory is one scratch area
 * shared by every function here: each copies its input in, runs, and copies its output out
 * without yielding, so uses cannot interleave. WebAssembly memory grows and never shrinks:
 * building levels holds 48 bytes a leaf at once (48 MiB for a 1,048,576-leaf tree), and the
 * process keeps that much for the rest of its life; a 1,024-leaf tree needs 48 KiB.
 */
import { KECCAK_WASM_BASE64 } from './keccak-wasm.ts';

/** The part of the WebAssembly API used here (the project's TypeScript libs do not declare it). */
interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object) => { readonly exports: unknown };
}

interface KeccakExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  keccak256(input: number, length: number, out: number): void;
  keccak256Batch(input: number, offsets: number, count: number, out: number): void;
  hashLevel(src: number, count: number, dst: number, prefixed: number): void;
}

const { Module, Instance } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
const wasm = new Instance(new Module(Buffer.from(KECCAK_WASM_BASE64, 'base64'))).exports as KeccakExports;
/** First byte of the scratch area, 8-aligned. */
const BASE = (wasm.heapBase() + 7) & ~7;
/** Preimages hashed per batch call: bounds the scratch memory a large tree needs for its leaves. */
const BATCH_BYTES = 1 << 20;
const utf8 = new TextEncoder();
let memoryBytes = new Uint8Array(wasm.memory.buffer);

/** The memory as bytes, grown to hold `size` bytes of scratch (growing detaches older views). */
function scratch(size: number): Uint8Array {
  const needed = BASE + size;
  const have = wasm.memory.buffer.byteLength;
  if (needed > have) wasm.memory.grow(Math.ceil((needed - have) / 65_536));
  if (memoryBytes.buffer !== wasm.memory.buffer) memoryBytes = new Uint8Array(wasm.memory.buffer);
  return memoryBytes;
}

export function keccak256(data: Uint8Array): Uint8Array {
  const memory = scratch(32 + data.length);
  memory.set(data, BASE + 32);
  wasm.keccak256(BASE + 32, data.length, BASE);
  return memory.slice(BASE, BASE + 32);
}

/** keccak256 of `text` as UTF-8, as 64 lowercase hex characters. */
export function keccak256Utf8Hex(text: string): string {
  const room = text.length * 3;
  const memory = scratch(32 + room);
  const { written } = utf8.encodeInto(text, memory.subarray(BASE + 32, BASE + 32 + room));
  wasm.keccak256(BASE + 32, written, BASE);
  return Buffer.from(memory.buffer, BASE, 32).toString('hex');
}

/**
 * keccak256 of `count` preimages, laid end to end in the answer (32 bytes each). Preimage i
 * is written by `write(i, into, at)` into `into` from `at` on, at most `maxLength` bytes, and
 * its length returned; `write` must not call back into this module.
 */
export function keccak256Many(
  count: number,
  maxLength: number,
  write: (i: number, into: Uint8Array, at: number) => number,
): Uint8Array {
  const hashes = new Uint8Array(count * 32);
  const perCall = Math.max(1, Math.floor(BATCH_BYTES / (maxLength + 36)));
  for (let first = 0; first < count; first += perCall) {
    const n = Math.min(perCall, count - first);
    const offsetsAt = BASE + ((n * maxLength + 7) & ~7);
    const outAt = offsetsAt + ((4 * (n + 1) + 7) & ~7);
    const memory = scratch(outAt + 32 * n - BASE);
    const offsets = new Uint32Array(memory.buffer, offsetsAt, n + 1);
    let length = 0;
    for (let i = 0; i < n; i++) {
      offsets[i] = length;
      const written = write(first + i, memory, BASE + length);
      if (!(written >= 0 && written <= maxLength)) {
        throw new RangeError(
          `preimage ${first + i} has ${written} bytes, more than the ${maxLength} allowed`,
        );
      }
      length += written;
    }
    offsets[n] = length;
    wasm.keccak256Batch(BASE, offsetsAt, n, outAt);
    hashes.set(memory.subarray(outAt, outAt + 32 * n), first * 32);
  }
  return hashes;
}

/**
 * The merkle levels above `count` 32-byte nodes laid end to end in `leaves`, up to the root
 * (none for a single node): node p of a level is keccak256([0x01 when `prefixed`] ‖ min ‖ max)
 * of the pair (2p, 2p + 1) below it, compared byte by byte; an odd last node is carried up.
 */
export function keccakLevels(leaves: Uint8Array, count: number, prefixed: boolean): Uint8Array[] {
  const levels: Uint8Array[] = [];
  if (count <= 1) return levels;
  // Two areas that take turns being read and written: the first holds the leaves (and later
  // every second level), the second the level above the leaves (and every level above that
  // is at most as large).
  const leafBytes = count * 32;
  const memory = scratch(leafBytes + (((count + 1) >>> 1) << 5));
  memory.set(leaves.subarray(0, leafBytes), BASE);
  let src = BASE;
  let dst = BASE + leafBytes;
  let n = count;
  while (n > 1) {
    wasm.hashLevel(src, n, dst, prefixed ? 1 : 0);
    n = (n + 1) >>> 1;
    levels.push(memory.slice(dst, dst + n * 32));
    [src, dst] = [dst, src];
  }
  return levels;
}

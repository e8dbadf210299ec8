/**
 * keccak256 (Keccak-f[1600], rate 136 bytes, the original 0x01 … 0x80 padding that Ethereum
 * and Solana's `keccak::hashv` use), in AssemblyScript. `npm run build:keccak` compiles it to
 * WebAssembly and writes layers/shared/src/core/merkle/keccak-wasm.ts; keccak.ts beside that
 * loads it. Besides one hash it hashes a batch of preimages and a whole merkle level per call,
 * so a tree costs a handful of calls from JavaScript instead of one per node; those hash two
 * one-block messages at a time, their states side by side in the two 64-bit halves of SIMD
 * registers (keccak256x2), which doubles the throughput of one state in 25 i64 locals.
 * Memory from `heapBase()` up belongs to the caller.
 */

const RATE: usize = 136;

const ROUND_CONSTANTS = memory.data<u64>([
  0x0000000000000001,
  0x0000000000008082,
  0x800000000000808a,
  0x8000000080008000,
  0x000000000000808b,
  0x0000000080000001,
  0x8000000080008081,
  0x8000000000008009,
  0x000000000000008a,
  0x0000000000000088,
  0x0000000080008009,
  0x000000008000000a,
  0x000000008000808b,
  0x800000000000008b,
  0x8000000000008089,
  0x8000000000008003,
  0x8000000000008002,
  0x8000000000000080,
  0x000000000000800a,
  0x800000008000000a,
  0x8000000080008081,
  0x8000000000008080,
  0x0000000080000001,
  0x8000000080008008,
]);

/** One block of scratch for the padded last block. */
const PAD = memory.data(136);
/** Two padded blocks staged for keccak256x2. */
const BLOCK_A = memory.data(136, 16);
const BLOCK_B = memory.data(136, 16);

/**
 * Writes the last `length` (< RATE) message bytes at `input` into `block` as the padded last
 * block: the bytes, 0x01 after them, zeros, and 0x80 in the block's last byte (0x81 when the
 * two fall on the same byte).
 */
@inline
function padInto(block: usize, input: usize, length: usize): void {
  memory.fill(block, 0, RATE);
  memory.copy(block, input, length);
  store<u8>(block + length, 0x01);
  store<u8>(block + RATE - 1, load<u8>(block + RATE - 1) ^ 0x80);
}

/** First byte the caller may use. */
export function heapBase(): usize {
  return __heap_base;
}

/** keccak256 of `length` bytes at `input`, written as 32 bytes at `out`. */
export function keccak256(input: usize, length: usize, out: usize): void {
  let a0: u64 = 0;
  let a1: u64 = 0;
  let a2: u64 = 0;
  let a3: u64 = 0;
  let a4: u64 = 0;
  let a5: u64 = 0;
  let a6: u64 = 0;
  let a7: u64 = 0;
  let a8: u64 = 0;
  let a9: u64 = 0;
  let a10: u64 = 0;
  let a11: u64 = 0;
  let a12: u64 = 0;
  let a13: u64 = 0;
  let a14: u64 = 0;
  let a15: u64 = 0;
  let a16: u64 = 0;
  let a17: u64 = 0;
  let a18: u64 = 0;
  let a19: u64 = 0;
  let a20: u64 = 0;
  let a21: u64 = 0;
  let a22: u64 = 0;
  let a23: u64 = 0;
  let a24: u64 = 0;
  let remaining = length;
  let last = false;
  while (true) {
    let block = input;
    if (remaining >= RATE) {
      input += RATE;
      remaining -= RATE;
    } else {
      padInto(PAD, input, remaining);
      block = PAD;
      last = true;
    }
    a0 ^= load<u64>(block, 0);
    a1 ^= load<u64>(block, 8);
    a2 ^= load<u64>(block, 16);
    a3 ^= load<u64>(block, 24);
    a4 ^= load<u64>(block, 32);
    a5 ^= load<u64>(block, 40);
    a6 ^= load<u64>(block, 48);
    a7 ^= load<u64>(block, 56);
    a8 ^= load<u64>(block, 64);
    a9 ^= load<u64>(block, 72);
    a10 ^= load<u64>(block, 80);
    a11 ^= load<u64>(block, 88);
    a12 ^= load<u64>(block, 96);
    a13 ^= load<u64>(block, 104);
    a14 ^= load<u64>(block, 112);
    a15 ^= load<u64>(block, 120);
    a16 ^= load<u64>(block, 128);
    for (let round: usize = 0; round < 24; round++) {
      const c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;
      const c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
      const c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
      const c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
      const c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
      const d0 = c4 ^ rotl<u64>(c1, 1);
      const d1 = c0 ^ rotl<u64>(c2, 1);
      const d2 = c1 ^ rotl<u64>(c3, 1);
      const d3 = c2 ^ rotl<u64>(c4, 1);
      const d4 = c3 ^ rotl<u64>(c0, 1);
      const b0 = a0 ^ d0;
      const b10 = rotl<u64>(a1 ^ d1, 1);
      const b20 = rotl<u64>(a2 ^ d2, 62);
      const b5 = rotl<u64>(a3 ^ d3, 28);
      const b15 = rotl<u64>(a4 ^ d4, 27);
      const b16 = rotl<u64>(a5 ^ d0, 36);
      const b1 = rotl<u64>(a6 ^ d1, 44);
      const b11 = rotl<u64>(a7 ^ d2, 6);
      const b21 = rotl<u64>(a8 ^ d3, 55);
      const b6 = rotl<u64>(a9 ^ d4, 20);
      const b7 = rotl<u64>(a10 ^ d0, 3);
      const b17 = rotl<u64>(a11 ^ d1, 10);
      const b2 = rotl<u64>(a12 ^ d2, 43);
      const b12 = rotl<u64>(a13 ^ d3, 25);
      const b22 = rotl<u64>(a14 ^ d4, 39);
      const b23 = rotl<u64>(a15 ^ d0, 41);
      const b8 = rotl<u64>(a16 ^ d1, 45);
      const b18 = rotl<u64>(a17 ^ d2, 15);
      const b3 = rotl<u64>(a18 ^ d3, 21);
      const b13 = rotl<u64>(a19 ^ d4, 8);
      const b14 = rotl<u64>(a20 ^ d0, 18);
      const b24 = rotl<u64>(a21 ^ d1, 2);
      const b9 = rotl<u64>(a22 ^ d2, 61);
      const b19 = rotl<u64>(a23 ^ d3, 56);
      const b4 = rotl<u64>(a24 ^ d4, 14);
      a0 = b0 ^ (~b1 & b2);
      a1 = b1 ^ (~b2 & b3);
      a2 = b2 ^ (~b3 & b4);
      a3 = b3 ^ (~b4 & b0);
      a4 = b4 ^ (~b0 & b1);
      a5 = b5 ^ (~b6 & b7);
      a6 = b6 ^ (~b7 & b8);
      a7 = b7 ^ (~b8 & b9);
      a8 = b8 ^ (~b9 & b5);
      a9 = b9 ^ (~b5 & b6);
      a10 = b10 ^ (~b11 & b12);
      a11 = b11 ^ (~b12 & b13);
      a12 = b12 ^ (~b13 & b14);
      a13 = b13 ^ (~b14 & b10);
      a14 = b14 ^ (~b10 & b11);
      a15 = b15 ^ (~b16 & b17);
      a16 = b16 ^ (~b17 & b18);
      a17 = b17 ^ (~b18 & b19);
      a18 = b18 ^ (~b19 & b15);
      a19 = b19 ^ (~b15 & b16);
      a20 = b20 ^ (~b21 & b22);
      a21 = b21 ^ (~b22 & b23);
      a22 = b22 ^ (~b23 & b24);
      a23 = b23 ^ (~b24 & b20);
      a24 = b24 ^ (~b20 & b21);
      a0 ^= load<u64>(ROUND_CONSTANTS + (round << 3));
    }
    if (last) break;
  }
  store<u64>(out, a0, 0);
  store<u64>(out, a1, 8);
  store<u64>(out, a2, 16);
  store<u64>(out, a3, 24);
}

/** Rotates both 64-bit halves of `x` left by `n` (1 to 63); WebAssembly SIMD has no rotate. */
@inline
function rotl2(x: v128, n: i32): v128 {
  return v128.or(i64x2.shl(x, n), i64x2.shr_u(x, 64 - n));
}

/** Lane `offset / 8` of the blocks at `a` and `b`, side by side. */
@inline
function lanes(a: usize, b: usize, offset: usize): v128 {
  return i64x2.replace_lane(i64x2.splat(load<u64>(a + offset)), 1, load<u64>(b + offset));
}

/**
 * keccak256 of two one-block messages, each already padded to RATE bytes at `a` and `b`;
 * the hashes go to `outA` and `outB` (the same block twice hashes one message). The rounds
 * are keccak256's above, each operation on both states at once.
 */
function keccak256x2(a: usize, b: usize, outA: usize, outB: usize): void {
  let a0 = lanes(a, b, 0);
  let a1 = lanes(a, b, 8);
  let a2 = lanes(a, b, 16);
  let a3 = lanes(a, b, 24);
  let a4 = lanes(a, b, 32);
  let a5 = lanes(a, b, 40);
  let a6 = lanes(a, b, 48);
  let a7 = lanes(a, b, 56);
  let a8 = lanes(a, b, 64);
  let a9 = lanes(a, b, 72);
  let a10 = lanes(a, b, 80);
  let a11 = lanes(a, b, 88);
  let a12 = lanes(a, b, 96);
  let a13 = lanes(a, b, 104);
  let a14 = lanes(a, b, 112);
  let a15 = lanes(a, b, 120);
  let a16 = lanes(a, b, 128);
  let a17 = i64x2.splat(0);
  let a18 = i64x2.splat(0);
  let a19 = i64x2.splat(0);
  let a20 = i64x2.splat(0);
  let a21 = i64x2.splat(0);
  let a22 = i64x2.splat(0);
  let a23 = i64x2.splat(0);
  let a24 = i64x2.splat(0);
  for (let round: usize = 0; round < 24; round++) {
    const c0 = v128.xor(v128.xor(v128.xor(a0, a5), v128.xor(a10, a15)), a20);
    const c1 = v128.xor(v128.xor(v128.xor(a1, a6), v128.xor(a11, a16)), a21);
    const c2 = v128.xor(v128.xor(v128.xor(a2, a7), v128.xor(a12, a17)), a22);
    const c3 = v128.xor(v128.xor(v128.xor(a3, a8), v128.xor(a13, a18)), a23);
    const c4 = v128.xor(v128.xor(v128.xor(a4, a9), v128.xor(a14, a19)), a24);
    const d0 = v128.xor(c4, rotl2(c1, 1));
    const d1 = v128.xor(c0, rotl2(c2, 1));
    const d2 = v128.xor(c1, rotl2(c3, 1));
    const d3 = v128.xor(c2, rotl2(c4, 1));
    const d4 = v128.xor(c3, rotl2(c0, 1));
    const b0 = v128.xor(a0, d0);
    const b10 = rotl2(v128.xor(a1, d1), 1);
    const b20 = rotl2(v128.xor(a2, d2), 62);
    const b5 = rotl2(v128.xor(a3, d3), 28);
    const b15 = rotl2(v128.xor(a4, d4), 27);
    const b16 = rotl2(v128.xor(a5, d0), 36);
    const b1 = rotl2(v128.xor(a6, d1), 44);
    const b11 = rotl2(v128.xor(a7, d2), 6);
    const b21 = rotl2(v128.xor(a8, d3), 55);
    const b6 = rotl2(v128.xor(a9, d4), 20);
    const b7 = rotl2(v128.xor(a10, d0), 3);
    const b17 = rotl2(v128.xor(a11, d1), 10);
    const b2 = rotl2(v128.xor(a12, d2), 43);
    const b12 = rotl2(v128.xor(a13, d3), 25);
    const b22 = rotl2(v128.xor(a14, d4), 39);
    const b23 = rotl2(v128.xor(a15, d0), 41);
    const b8 = rotl2(v128.xor(a16, d1), 45);
    const b18 = rotl2(v128.xor(a17, d2), 15);
    const b3 = rotl2(v128.xor(a18, d3), 21);
    const b13 = rotl2(v128.xor(a19, d4), 8);
    const b14 = rotl2(v128.xor(a20, d0), 18);
    const b24 = rotl2(v128.xor(a21, d1), 2);
    const b9 = rotl2(v128.xor(a22, d2), 61);
    const b19 = rotl2(v128.xor(a23, d3), 56);
    const b4 = rotl2(v128.xor(a24, d4), 14);
    // v128.andnot(x, y) is x & ~y, so b0 ^ (~b1 & b2) is b0 ^ andnot(b2, b1).
    a0 = v128.xor(b0, v128.andnot(b2, b1));
    a1 = v128.xor(b1, v128.andnot(b3, b2));
    a2 = v128.xor(b2, v128.andnot(b4, b3));
    a3 = v128.xor(b3, v128.andnot(b0, b4));
    a4 = v128.xor(b4, v128.andnot(b1, b0));
    a5 = v128.xor(b5, v128.andnot(b7, b6));
    a6 = v128.xor(b6, v128.andnot(b8, b7));
    a7 = v128.xor(b7, v128.andnot(b9, b8));
    a8 = v128.xor(b8, v128.andnot(b5, b9));
    a9 = v128.xor(b9, v128.andnot(b6, b5));
    a10 = v128.xor(b10, v128.andnot(b12, b11));
    a11 = v128.xor(b11, v128.andnot(b13, b12));
    a12 = v128.xor(b12, v128.andnot(b14, b13));
    a13 = v128.xor(b13, v128.andnot(b10, b14));
    a14 = v128.xor(b14, v128.andnot(b11, b10));
    a15 = v128.xor(b15, v128.andnot(b17, b16));
    a16 = v128.xor(b16, v128.andnot(b18, b17));
    a17 = v128.xor(b17, v128.andnot(b19, b18));
    a18 = v128.xor(b18, v128.andnot(b15, b19));
    a19 = v128.xor(b19, v128.andnot(b16, b15));
    a20 = v128.xor(b20, v128.andnot(b22, b21));
    a21 = v128.xor(b21, v128.andnot(b23, b22));
    a22 = v128.xor(b22, v128.andnot(b24, b23));
    a23 = v128.xor(b23, v128.andnot(b20, b24));
    a24 = v128.xor(b24, v128.andnot(b21, b20));
    a0 = v128.xor(a0, i64x2.splat(load<u64>(ROUND_CONSTANTS + (round << 3))));
  }
  store<u64>(outA, i64x2.extract_lane(a0, 0), 0);
  store<u64>(outA, i64x2.extract_lane(a1, 0), 8);
  store<u64>(outA, i64x2.extract_lane(a2, 0), 16);
  store<u64>(outA, i64x2.extract_lane(a3, 0), 24);
  store<u64>(outB, i64x2.extract_lane(a0, 1), 0);
  store<u64>(outB, i64x2.extract_lane(a1, 1), 8);
  store<u64>(outB, i64x2.extract_lane(a2, 1), 16);
  store<u64>(outB, i64x2.extract_lane(a3, 1), 24);
}

/**
 * keccak256 of `count` preimages laid end to end at `input`, preimage i being the bytes from
 * offsets[i] to offsets[i + 1] (`count + 1` u32 offsets relative to `input`); hash i is
 * written at out + 32 i. Preimages shorter than a block are padded into BLOCK_A and BLOCK_B
 * and hashed two at a time; longer ones one at a time.
 */
export function keccak256Batch(input: usize, offsets: usize, count: u32, out: usize): void {
  let staged = false;
  let stagedOut: usize = 0;
  for (let i: u32 = 0; i < count; i++) {
    const start = load<u32>(offsets + ((<usize>i) << 2));
    const length = <usize>(load<u32>(offsets + ((<usize>i + 1) << 2)) - start);
    const hashOut = out + ((<usize>i) << 5);
    if (length >= RATE) {
      keccak256(input + start, length, hashOut);
      continue;
    }
    padInto(staged ? BLOCK_B : BLOCK_A, input + start, length);
    if (staged) keccak256x2(BLOCK_A, BLOCK_B, stagedOut, hashOut);
    else stagedOut = hashOut;
    staged = !staged;
  }
  if (staged) keccak256x2(BLOCK_A, BLOCK_A, stagedOut, stagedOut);
}

/** Whether the 32 bytes at `a` sort after the 32 bytes at `b` (unsigned, byte by byte). */
@inline
function after(a: usize, b: usize): bool {
  for (let k: usize = 0; k < 32; k += 8) {
    const x = bswap<u64>(load<u64>(a + k));
    const y = bswap<u64>(load<u64>(b + k));
    if (x != y) return x > y;
  }
  return false;
}

/** Writes the pair at `left` (two 32-byte nodes) in byte-wise order at `to`. */
@inline
function sortPair(left: usize, to: usize): void {
  const right = left + 32;
  if (after(left, right)) {
    memory.copy(to, right, 32);
    memory.copy(to + 32, left, 32);
  } else {
    memory.copy(to, left, 64);
  }
}

/**
 * One merkle level: node p at `dst` is keccak256([0x01 when `prefixed`] ‖ min ‖ max) of the
 * pair (2p, 2p + 1) of the `count` 32-byte nodes at `src`; an odd last node is copied up.
 * Every preimage fits one block, so pairs are hashed two at a time.
 */
export function hashLevel(src: usize, count: u32, dst: usize, prefixed: bool): void {
  // The preimage's place in each staging block, and the padding after it, set once a level.
  const at: usize = prefixed ? 1 : 0;
  for (let k = 0; k < 2; k++) {
    const block = k == 0 ? BLOCK_A : BLOCK_B;
    memory.fill(block, 0, RATE);
    if (prefixed) store<u8>(block, 0x01);
    store<u8>(block + at + 64, 0x01);
    store<u8>(block + RATE - 1, 0x80);
  }
  const pairs = count >>> 1;
  let p: u32 = 0;
  for (; p + 1 < pairs; p += 2) {
    sortPair(src + ((<usize>p) << 6), BLOCK_A + at);
    sortPair(src + ((<usize>p + 1) << 6), BLOCK_B + at);
    keccak256x2(BLOCK_A, BLOCK_B, dst + ((<usize>p) << 5), dst + ((<usize>p + 1) << 5));
  }
  if (p < pairs) {
    sortPair(src + ((<usize>p) << 6), BLOCK_A + at);
    keccak256x2(BLOCK_A, BLOCK_A, dst + ((<usize>p) << 5), dst + ((<usize>p) << 5));
  }
  if (count & 1) memory.copy(dst + ((<usize>pairs) << 5), src + ((<usize>count - 1) << 5), 32);
}

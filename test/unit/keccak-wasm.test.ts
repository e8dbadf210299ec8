import { randomBytes } from 'node:crypto';
import { keccak256 as ethersKeccak256, getBytes } from 'ethers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileKeccak, keccakSourceSha256 } from '../../layers/shared/assembly/compile.ts';
import {
  keccak256,
  keccak256Many,
  keccak256Utf8Hex,
  keccakLevels,
} from '../../layers/shared/src/core/merkle/keccak.ts';
import {
  KECCAK_WASM_BASE64,
  KECCAK_WASM_SOURCE_SHA256,
} from '../../layers/shared/src/core/merkle/keccak-wasm.ts';

/** The reference: ethers' keccak256 (@noble/hashes), independent of the WebAssembly build. */
const reference = (data: Uint8Array) => getBytes(ethersKeccak256(data));

function referenceLevels(leaves: Uint8Array, count: number, prefixed: boolean): Uint8Array[] {
  const levels: Uint8Array[] = [];
  let level: Uint8Array[] = Array.from({ length: count }, (_, i) => leaves.slice(i * 32, i * 32 + 32));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      const [a, b] = [level[i] as Uint8Array, level[i + 1] as Uint8Array];
      const [lo, hi] = Buffer.compare(a, b) > 0 ? [b, a] : [a, b];
      next.push(reference(Buffer.concat([prefixed ? Buffer.from([1]) : Buffer.alloc(0), lo, hi])));
    }
    if (level.length % 2 === 1) next.push(level[level.length - 1] as Uint8Array);
    levels.push(Buffer.concat(next));
    level = next;
  }
  return levels;
}

describe('keccak WebAssembly module', () => {
  it('was compiled from layers/shared/assembly/keccak.as.ts as it is now', async () => {
    // Stale: run `npm run build:keccak` and commit keccak-wasm.ts.
    expect(KECCAK_WASM_SOURCE_SHA256).toBe(keccakSourceSha256());
    expect(Buffer.from(await compileKeccak()).toString('base64')).toBe(KECCAK_WASM_BASE64);
  });

  it('hashes every length across the block boundaries as the reference does', () => {
    for (let length = 0; length <= 420; length++) {
      const data = randomBytes(length);
      expect(Buffer.from(keccak256(data)).toString('hex'), `length ${length}`).toBe(
        Buffer.from(reference(data)).toString('hex'),
      );
    }
  });

  it('answers the known keccak256 of the empty string and of "abc"', () => {
    expect(Buffer.from(keccak256(new Uint8Array())).toString('hex')).toBe(
      'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    );
    expect(keccak256Utf8Hex('abc')).toBe('4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45');
  });

  it('hashes UTF-8 text as its bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (text) => {
        expect(keccak256Utf8Hex(text)).toBe(ethersKeccak256(Buffer.from(text, 'utf8')).slice(2));
      }),
    );
  });

  it('hashes a batch of preimages of different lengths, over several calls, as one by one', () => {
    // One-block preimages (under 136 bytes) are hashed in pairs and longer ones alone, so the
    // lengths mix both kinds and leave a short one without a partner in some calls.
    const preimages = Array.from({ length: 9_000 }, (_, i) => randomBytes(i % 151));
    const hashes = keccak256Many(preimages.length, 150, (i, into, at) => {
      const preimage = preimages[i] as Uint8Array;
      into.set(preimage, at);
      return preimage.length;
    });
    expect(hashes.length).toBe(9_000 * 32);
    preimages.forEach((preimage, i) => {
      expect(Buffer.from(hashes.subarray(i * 32, i * 32 + 32)).toString('hex'), `preimage ${i}`).toBe(
        Buffer.from(reference(preimage)).toString('hex'),
      );
    });
  });

  it('hashes batches of one and of an odd number of one-block preimages', () => {
    for (const count of [1, 2, 3, 7]) {
      const preimages = Array.from({ length: count }, (_, i) => randomBytes(130 + i));
      const hashes = keccak256Many(count, 140, (i, into, at) => {
        into.set(preimages[i] as Uint8Array, at);
        return 130 + i;
      });
      expect(
        Array.from({ length: count }, (_, i) =>
          Buffer.from(hashes.subarray(i * 32, i * 32 + 32)).toString('hex'),
        ),
      ).toEqual(preimages.map((preimage) => Buffer.from(reference(preimage)).toString('hex')));
    }
  });

  it('refuses a preimage longer than the batch allows', () => {
    expect(() => keccak256Many(3, 8, (i) => (i === 1 ? 9 : 8))).toThrow(/preimage 1 has 9 bytes/);
  });

  it('builds every merkle level as the sorted-pair reference does, odd nodes carried up', () => {
    for (const prefixed of [false, true]) {
      for (let count = 1; count <= 37; count++) {
        const leaves = randomBytes(count * 32);
        const levels = keccakLevels(leaves, count, prefixed);
        expect(levels.map((l) => Buffer.from(l).toString('hex'))).toEqual(
          referenceLevels(leaves, count, prefixed).map((l) => Buffer.from(l).toString('hex')),
        );
      }
    }
  });

  it('keeps answering right after its memory grew', () => {
    const large = randomBytes(8 << 20);
    expect(Buffer.from(keccak256(large))).toEqual(Buffer.from(reference(large)));
    const leaves = randomBytes(5 * 32);
    expect(keccakLevels(leaves, 5, false).map((l) => Buffer.from(l).toString('hex'))).toEqual(
      referenceLevels(leaves, 5, false).map((l) => Buffer.from(l).toString('hex')),
    );
    const small = randomBytes(40);
    expect(Buffer.from(keccak256(small))).toEqual(Buffer.from(reference(small)));
  });
});

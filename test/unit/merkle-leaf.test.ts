import { keccak_256 } from '@noble/hashes/sha3';
import bs58 from 'bs58';
import { describe, expect, it } from 'vitest';
import {
  type Claim,
  claimLeafHash,
  LeafEncoder,
  MAX_U64,
  MerkleTree,
  toHex,
  validateClaim,
} from '../../layers/shared/src/core/merkle/index.ts';
import { ValidationError } from '../../layers/shared/src/errors.ts';

const PROGRAM_ID = 'GnGzNdsQMxMpJfMeqnkGPsvHm8kwaDidiKjNU2dCVZop';
/** keccak256('alice') as 64 lowercase hex chars: a user_hash as DESIGN.md defines it. */
const ALICE_HASH = '9c0257114eb9399a2985f8e75dad7600c5d89fe3824ffa99ec1c3eb8bf3b0501';

function goldenClaim(overrides: Partial<Claim> = {}): Claim {
  return {
    claimer: Uint8Array.from({ length: 32 }, (_, i) => i + 1),
    index: 7,
    amount: 1_234_567_890_123n,
    id: ALICE_HASH,
    ...overrides,
  };
}

/** The v1 preimage assembled with Buffer writes, independently of the library's encoder. */
function handAssembledV1(claim: Claim): Buffer {
  const head = Buffer.alloc(44);
  Buffer.from(claim.claimer).copy(head, 0);
  head.writeUInt32LE(claim.index, 32);
  head.writeBigUInt64LE(claim.amount, 36);
  return Buffer.concat([head, Buffer.from(claim.id, 'utf8')]);
}

const hex = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString('hex')}`;

describe('claim-v1 leaf', () => {
  it('is keccak256 of claimer, index u32 LE, amount u64 LE and id, matching a fixed vector', () => {
    const preimage = handAssembledV1(goldenClaim());
    expect(preimage.toString('hex')).toBe(
      '0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20' +
        '07000000' +
        'cb04fb711f010000' +
        Buffer.from(ALICE_HASH, 'utf8').toString('hex'),
    );
    const expected = '0xf77a49d10978de021e3df78474a216ebd4557ddf3a2fcf0f889d1c2d9a7e9c37';
    expect(hex(keccak_256(preimage))).toBe(expected);
    expect(toHex(claimLeafHash(goldenClaim(), { format: 'claim-v1' }))).toBe(expected);
  });

  it('hashes a non-ASCII id as its UTF-8 bytes', () => {
    const claim = goldenClaim({ id: 'zoë-🦀' });
    const expected = '0x016c0ac9df772b5f2bb05949b7c2b8c70bbb0113c89b21c389e827cc46cbb2b7';
    expect(hex(keccak_256(handAssembledV1(claim)))).toBe(expected);
    expect(toHex(claimLeafHash(claim, { format: 'claim-v1' }))).toBe(expected);
  });

  it('accepts the largest u64 amount and an id of exactly 64 bytes', () => {
    const claim = goldenClaim({ amount: MAX_U64, id: 'é'.repeat(32) });
    expect(toHex(claimLeafHash(claim, { format: 'claim-v1' }))).toBe(hex(keccak_256(handAssembledV1(claim))));
  });

  it('hashes like a node when the id is 20 bytes, which is why claim-v2 has prefixes', () => {
    const claim = goldenClaim({ id: 'abcdefghijklmnopqrst' });
    const preimage = handAssembledV1(claim);
    expect(preimage.length).toBe(64);
    const [lo, hi] = [preimage.subarray(0, 32), preimage.subarray(32)];
    // lo starts 0x01 and hi with the index byte 0x07, so the pair is already in sorted order.
    const v1Root = MerkleTree.fromLeafHashes([lo, hi], 'claim-v1').root;
    expect(toHex(v1Root)).toBe(toHex(claimLeafHash(claim, { format: 'claim-v1' })));
    const v2Options = { format: 'claim-v2', programId: bs58.decode(PROGRAM_ID), epoch: 1 } as const;
    const v2Root = MerkleTree.fromLeafHashes([lo, hi], 'claim-v2').root;
    expect(toHex(v2Root)).not.toBe(toHex(claimLeafHash(claim, v2Options)));
  });
});

describe('claim-v2 leaf', () => {
  it('is keccak256 of 0x00, program id, epoch u64 LE and the v1 fields, matching a fixed vector', () => {
    const header = Buffer.alloc(41);
    header[0] = 0x00;
    Buffer.from(bs58.decode(PROGRAM_ID)).copy(header, 1);
    header.writeBigUInt64LE(493_000n, 33);
    const preimage = Buffer.concat([header, handAssembledV1(goldenClaim())]);
    const expected = '0xcc334c13e5593732de1e495188bc8d59fa956ac8fea717b97b85fc824529044a';
    expect(hex(keccak_256(preimage))).toBe(expected);
    const options = { format: 'claim-v2', programId: bs58.decode(PROGRAM_ID), epoch: 493_000n } as const;
    expect(toHex(claimLeafHash(goldenClaim(), options))).toBe(expected);
  });

  it('changes with the epoch and with the program id', () => {
    const programId = bs58.decode(PROGRAM_ID);
    const base = toHex(claimLeafHash(goldenClaim(), { format: 'claim-v2', programId, epoch: 1 }));
    expect(toHex(claimLeafHash(goldenClaim(), { format: 'claim-v2', programId, epoch: 2 }))).not.toBe(base);
    const otherProgram = Uint8Array.from(programId, (byte, i) => (i === 0 ? byte ^ 1 : byte));
    expect(
      toHex(claimLeafHash(goldenClaim(), { format: 'claim-v2', programId: otherProgram, epoch: 1 })),
    ).not.toBe(base);
  });

  it('refuses options without a 32-byte program id', () => {
    expect(() => new LeafEncoder({ format: 'claim-v2', programId: new Uint8Array(31), epoch: 1 })).toThrow(
      /programId/,
    );
    expect(() => new LeafEncoder({ format: 'claim-v2', programId: new Uint8Array(32), epoch: -1 })).toThrow(
      /epoch/,
    );
  });
});

describe('claim validation', () => {
  const cases: Array<[string, Partial<Claim> | Record<string, unknown>, RegExp]> = [
    ['a negative amount', { amount: -1n }, /claim\.amount/],
    ['an amount of 2^64', { amount: 1n << 64n }, /claim\.amount.*u64/],
    ['an amount given as a number', { amount: 5 }, /claim\.amount must be a bigint/],
    ['a negative index', { index: -1 }, /claim\.index/],
    ['an index of 2^32', { index: 2 ** 32 }, /claim\.index.*u32/],
    ['a fractional index', { index: 1.5 }, /claim\.index/],
    ['an id of 65 ASCII bytes', { id: 'a'.repeat(65) }, /claim\.id.*64 bytes.*65/],
    ['an id of 33 two-byte characters', { id: 'é'.repeat(33) }, /claim\.id.*64 bytes.*66/],
    ['an id with a lone surrogate', { id: 'ab\ud800' }, /claim\.id/],
    ['a 31-byte claimer', { claimer: new Uint8Array(31) }, /claim\.claimer/],
    [
      'a claimer given as a string',
      { claimer: 'GnGzNdsQMxMpJfMeqnkGPsvHm8kwaDidiKjNU2dCVZop' },
      /claim\.claimer/,
    ],
  ];
  it.each(cases)('rejects %s with a ValidationError naming the field', (_, overrides, message) => {
    const claim = { ...goldenClaim(), ...overrides } as Claim;
    expect(() => validateClaim(claim)).toThrow(ValidationError);
    expect(() => validateClaim(claim)).toThrow(message);
    expect(() => claimLeafHash(claim, { format: 'claim-v1' })).toThrow(message);
  });
});

/**
 * Golden vectors for the attention program v1 instructions. Expected bytes are written out by
 * hand (hex literals and Buffer writes) and PDAs derived with PublicKey.findProgramAddressSync
 * directly, so none of the expectations goes through the encoder under test.
 */
import { createHash } from 'node:crypto';
import { Keypair, PublicKey } from '@solana/web3.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createAttentionProgram,
  createClaimChannelOpenInstruction,
  createSetChannelMerkleRootInstruction,
  toSolanaInstruction,
} from '../../layers/shared/src/adapters/solana/attention-program.ts';
import { keccak256 } from '../../layers/shared/src/core/merkle/keccak.ts';
import {
  CLAIM_CHANNEL_OPEN_DISCRIMINATOR,
  decodeClaimChannelOpenData,
  decodeSetChannelMerkleRootData,
  encodeClaimChannelOpenData,
  encodeSetChannelMerkleRootData,
  SET_CHANNEL_MERKLE_ROOT_DISCRIMINATOR,
} from '../../layers/shared/src/core/solana/attention-instruction-data.ts';
import { streamerKey } from '../../layers/shared/src/core/solana/streamer-key.ts';
import { ValidationError } from '../../layers/shared/src/errors.ts';

const PROGRAM_ID = new PublicKey('GnGzNdsQMxMpJfMeqnkGPsvHm8kwaDidiKjNU2dCVZop');
const TOKEN_2022 = new PublicKey('TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb');
const ASSOCIATED_TOKEN = new PublicKey('ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL');
const SYSTEM = new PublicKey('11111111111111111111111111111111');
/** 32 bytes of 0x07. */
const MINT = new PublicKey('US517G5965aydkZ46HS38QLi7UQiSojurfbQfKCELFx');
const ROOT = Buffer.from('0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20', 'hex');

function anchorDiscriminator(name: string): string {
  return createHash('sha256').update(`global:${name}`).digest().subarray(0, 8).toString('hex');
}

function u64le(value: bigint): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(value);
  return out;
}

function u32le(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32LE(value);
  return out;
}

function borshString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([u32le(bytes.length), bytes]);
}

describe('attention program discriminators', () => {
  it('are the first 8 bytes of sha256("global:<instruction name>"), as Anchor derives them', () => {
    expect(anchorDiscriminator('set_channel_merkle_root')).toBe('411810063f69997b');
    expect(anchorDiscriminator('claim_channel_open')).toBe('dfabbb29a7470fb8');
    expect(Buffer.from(SET_CHANNEL_MERKLE_ROOT_DISCRIMINATOR).toString('hex')).toBe('411810063f69997b');
    expect(Buffer.from(CLAIM_CHANNEL_OPEN_DISCRIMINATOR).toString('hex')).toBe('dfabbb29a7470fb8');
  });
});

describe('streamer key', () => {
  it('is keccak256 of "twitch:" and the ASCII-lowercased channel', () => {
    const expected = '8e616fe4f6f3bdbede990f33162b2bebe8c08ef55195c987a4c8c8d4fb4cae10';
    expect(Buffer.from(streamerKey('lacy')).toString('hex')).toBe(expected);
    expect(Buffer.from(streamerKey('LaCy')).toString('hex')).toBe(expected);
    expect(Buffer.from(keccak256(Buffer.from('twitch:lacy'))).toString('hex')).toBe(expected);
  });

  it('covers pseudo-channels with the same rule', () => {
    expect(Buffer.from(streamerKey('category:music:MILO')).toString('hex')).toBe(
      'e4ebc8ffc352f5be52550b7487f034dd28b3cfa65fa6c8c44494e03572aacb5b',
    );
  });

  it('folds only A-Z, leaving other characters as they are', () => {
    expect(streamerKey('ÉTÉ')).toEqual(keccak256(Buffer.from('twitch:ÉtÉ', 'utf8')));
  });
});

describe('set_channel_merkle_root', () => {
  it('encodes discriminator, Borsh string channel, u64 LE epoch and the 32-byte root', () => {
    const data = encodeSetChannelMerkleRootData({ channel: 'lacy', epoch: 491_003n, root: ROOT });

    expect(Buffer.from(data).toString('hex')).toBe(
      '411810063f69997b' + '04000000' + '6c616379' + 'fb7d070000000000' + ROOT.toString('hex'),
    );
  });

  it('lists payer, protocol_state, channel_state and the system program in that order with their flags', () => {
    const payer = Keypair.generate().publicKey;
    const [protocolState] = PublicKey.findProgramAddressSync(
      [Buffer.from('protocol'), MINT.toBuffer()],
      PROGRAM_ID,
    );
    const [channelState] = PublicKey.findProgramAddressSync(
      [Buffer.from('channel_state'), MINT.toBuffer(), keccak256(Buffer.from('twitch:lacy'))],
      PROGRAM_ID,
    );

    const ix = createSetChannelMerkleRootInstruction({
      payer,
      mint: MINT,
      channel: 'Lacy',
      epoch: 491_003n,
      root: ROOT,
    });

    expect(ix.programId.toBase58()).toBe(PROGRAM_ID.toBase58());
    expect(ix.keys.map((k) => [k.pubkey.toBase58(), k.isSigner, k.isWritable])).toEqual([
      [payer.toBase58(), true, true],
      [protocolState.toBase58(), false, true],
      [channelState.toBase58(), false, true],
      [SYSTEM.toBase58(), false, false],
    ]);
    expect(protocolState.toBase58()).toBe('K3dyp7B1SQfMdq2KyF1UsvT3V7vnarqJF1FKmk96tqV');
    expect(channelState.toBase58()).toBe('7DTNqsUbaeXfLytPHnXyJBnpKXyKbKWYQzrS5L1KaphS');
    expect(Buffer.from(ix.data).subarray(8, 16).toString('hex')).toBe('040000004c616379');
  });

  it('derives PDAs under a configured program id', () => {
    const programId = Keypair.generate().publicKey;
    const program = createAttentionProgram(programId.toBase58());
    const [expected] = PublicKey.findProgramAddressSync(
      [Buffer.from('protocol'), MINT.toBuffer()],
      programId,
    );

    expect(program.protocolStateAddress(MINT.toBase58())).toBe(expected.toBase58());
  });

  it('refuses a root that is not 32 bytes and an epoch beyond u64', () => {
    expect(() =>
      encodeSetChannelMerkleRootData({ channel: 'lacy', epoch: 1n, root: new Uint8Array(31) }),
    ).toThrow(ValidationError);
    expect(() => encodeSetChannelMerkleRootData({ channel: 'lacy', epoch: 1n << 64n, root: ROOT })).toThrow(
      ValidationError,
    );
  });
});

describe('claim_channel_open', () => {
  const id = 'c'.repeat(64);
  const proof = [Buffer.alloc(32, 0xaa), Buffer.alloc(32, 0xbb)];

  it('encodes channel, epoch, u32 index, u64 amount, Borsh string id and Vec<[u8;32]> proof after the discriminator', () => {
    const data = encodeClaimChannelOpenData({
      channel: 'lacy',
      epoch: 491_003n,
      index: 5,
      amount: 1_500_000_000n,
      id,
      proof,
    });

    const expected = Buffer.concat([
      Buffer.from('dfabbb29a7470fb8', 'hex'),
      borshString('lacy'),
      u64le(491_003n),
      u32le(5),
      Buffer.from('002f685900000000', 'hex'),
      borshString(id),
      u32le(2),
      ...proof,
    ]);
    expect(Buffer.from(data).toString('hex')).toBe(expected.toString('hex'));
  });

  it('lists the nine accounts in the program order, with Token-2022 ATAs for treasury and claimer', () => {
    const claimer = Keypair.generate().publicKey;
    const [protocolState] = PublicKey.findProgramAddressSync(
      [Buffer.from('protocol'), MINT.toBuffer()],
      PROGRAM_ID,
    );
    const [channelState] = PublicKey.findProgramAddressSync(
      [Buffer.from('channel_state'), MINT.toBuffer(), keccak256(Buffer.from('twitch:lacy'))],
      PROGRAM_ID,
    );
    const [treasury] = PublicKey.findProgramAddressSync(
      [protocolState.toBuffer(), TOKEN_2022.toBuffer(), MINT.toBuffer()],
      ASSOCIATED_TOKEN,
    );
    const [claimerAta] = PublicKey.findProgramAddressSync(
      [claimer.toBuffer(), TOKEN_2022.toBuffer(), MINT.toBuffer()],
      ASSOCIATED_TOKEN,
    );

    const ix = createClaimChannelOpenInstruction({
      claimer,
      mint: MINT,
      channel: 'lacy',
      epoch: 491_003n,
      index: 5,
      amount: 1_500_000_000n,
      id,
      proof,
    });

    expect(ix.keys.map((k) => [k.pubkey.toBase58(), k.isSigner, k.isWritable])).toEqual([
      [claimer.toBase58(), true, true],
      [protocolState.toBase58(), false, true],
      [channelState.toBase58(), false, true],
      [MINT.toBase58(), false, false],
      [treasury.toBase58(), false, true],
      [claimerAta.toBase58(), false, true],
      [TOKEN_2022.toBase58(), false, false],
      [ASSOCIATED_TOKEN.toBase58(), false, false],
      [SYSTEM.toBase58(), false, false],
    ]);
    expect(treasury.toBase58()).toBe('82EPwBXCRF1cXLFzQKCBsEjycsoGyXznDH1CeE3AY4ee');
  });

  it('refuses an id longer than 64 bytes and an index beyond u32', () => {
    const args = { channel: 'lacy', epoch: 1n, index: 0, amount: 1n, id, proof: [] };
    expect(() => encodeClaimChannelOpenData({ ...args, id: `${id}0` })).toThrow(ValidationError);
    expect(() => encodeClaimChannelOpenData({ ...args, index: 2 ** 32 })).toThrow(ValidationError);
  });

  it('gives the port and the wallet builder the same instruction', () => {
    const claimer = Keypair.generate().publicKey;
    const args = { channel: 'lacy', epoch: 7n, index: 1, amount: 9n, id, proof };

    const fromPort = createAttentionProgram().claimChannelOpen({
      ...args,
      claimer: claimer.toBase58(),
      mint: MINT.toBase58(),
    });

    expect(fromPort).toEqual(
      toSolanaInstruction(createClaimChannelOpenInstruction({ ...args, claimer, mint: MINT })),
    );
  });
});

describe('instruction data round trip', () => {
  const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

  it('decodes every set_channel_merkle_root it encodes to the same arguments', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        bytes32,
        (channel, epoch, root) => {
          const args = { channel, epoch, root };
          expect(decodeSetChannelMerkleRootData(encodeSetChannelMerkleRootData(args))).toEqual(args);
        },
      ),
    );
  });

  it('decodes every claim_channel_open it encodes to the same arguments', () => {
    fc.assert(
      fc.property(
        fc.record({
          channel: fc.string(),
          epoch: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
          index: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
          amount: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
          id: fc.string({ maxLength: 16 }),
          proof: fc.array(bytes32, { maxLength: 12 }),
        }),
        (args) => {
          expect(decodeClaimChannelOpenData(encodeClaimChannelOpenData(args))).toEqual(args);
        },
      ),
    );
  });
});

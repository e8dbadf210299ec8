/**
 * The attention program's data as the program itself reads it, for the stand-in: the Anchor
 * instruction discriminators and Borsh arguments, the packed `ChannelState` it casts its
 * account to (the 8-byte discriminator, version, bump, mint, streamer, latest epoch, then ten
 * slots of epoch, root, claim count and 128-byte bitmap), the streamer key and PDA, and the
 * claim-v1 leaf and sorted-pair proof of `compute_leaf` and `verify_proof`. Written from the
 * program's definitions (see stand-in.ts), independently of the project's encoders.
 */
import { createHash } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3';
import { PublicKey } from '@solana/web3.js';
import { anchorError, programError } from './program-errors.ts';

const CHANNEL_STATE_SEED = Buffer.from('channel_state');
export const RING_SLOTS = 10n;
export const MAX_CLAIMS = 1024;
const BITMAP_BYTES = 128;
const SLOT_SIZE = 8 + 32 + 2 + BITMAP_BYTES;
const HEADER_SIZE = 8 + 1 + 1 + 32 + 32 + 8;
export const CHANNEL_STATE_SPACE = HEADER_SIZE + Number(RING_SLOTS) * SLOT_SIZE;
export const CHANNEL_STATE_VERSION = 1;

export const SET_CHANNEL_MERKLE_ROOT = anchorInstructionDiscriminator('set_channel_merkle_root');
export const CLAIM_CHANNEL_OPEN = anchorInstructionDiscriminator('claim_channel_open');
export const CHANNEL_STATE_ACCOUNT_DISCRIMINATOR = createHash('sha256')
  .update('account:ChannelState')
  .digest()
  .subarray(0, 8);

export function anchorInstructionDiscriminator(name: string): Buffer {
  return createHash('sha256').update(`global:${name}`).digest().subarray(0, 8);
}

/** keccak256("twitch:" ‖ ASCII-lowercased channel), the streamer key DESIGN.md names. */
export function streamerKey(channel: string): Buffer {
  const lower = Buffer.from(channel, 'utf8').map((b) => (b >= 0x41 && b <= 0x5a ? b + 32 : b));
  return Buffer.from(keccak_256(Buffer.concat([Buffer.from('twitch:'), lower])));
}

export function channelStatePda(
  programId: string,
  mint: string,
  streamer: Buffer,
): { address: string; bump: number } {
  const [address, bump] = PublicKey.findProgramAddressSync(
    [CHANNEL_STATE_SEED, new PublicKey(mint).toBuffer(), streamer],
    new PublicKey(programId),
  );
  return { address: address.toBase58(), bump };
}

/** claim-v1 leaf: keccak256(claimer ‖ index u32 LE ‖ amount u64 LE ‖ id UTF-8), the program's compute_leaf. */
export function claimLeaf(claimer: Uint8Array, index: number, amount: bigint, id: string): Buffer {
  const numbers = Buffer.alloc(12);
  numbers.writeUInt32LE(index, 0);
  numbers.writeBigUInt64LE(amount, 4);
  return Buffer.from(keccak_256(Buffer.concat([claimer, numbers, Buffer.from(id, 'utf8')])));
}

/** The program's verify_proof: each step hashes the smaller of the pair first. */
export function verifySortedPairProof(proof: readonly Buffer[], leaf: Buffer, root: Buffer): boolean {
  let hash = leaf;
  for (const sibling of proof) {
    const [a, b] = Buffer.compare(hash, sibling) <= 0 ? [hash, sibling] : [sibling, hash];
    hash = Buffer.from(keccak_256(Buffer.concat([a, b])));
  }
  return hash.equals(root);
}

/** The packed ChannelState the program casts its account data to (after the 8-byte discriminator). */
export function channelStateView(data: Uint8Array) {
  if (data.length !== CHANNEL_STATE_SPACE) throw programError('InvalidChannelState');
  const bytes = Buffer.from(data);
  const slotAt = (slot: number) => HEADER_SIZE + slot * SLOT_SIZE;
  return {
    version: () => bytes[8] ?? 0,
    mint: () => new PublicKey(bytes.subarray(10, 42)).toBase58(),
    streamer: () => bytes.subarray(42, 74),
    slotEpoch: (slot: number) => bytes.readBigUInt64LE(slotAt(slot)),
    slotRoot: (slot: number) => bytes.subarray(slotAt(slot) + 8, slotAt(slot) + 40),
    isClaimed: (slot: number, index: number) =>
      ((bytes[slotAt(slot) + 42 + (index >> 3)] ?? 0) & (1 << (index & 7))) !== 0,
    initialize(bump: number, mint: string, streamer: Buffer) {
      bytes[8] = CHANNEL_STATE_VERSION;
      bytes[9] = bump;
      new PublicKey(mint).toBuffer().copy(bytes, 10);
      streamer.copy(bytes, 42);
      bytes.writeBigUInt64LE(0n, 74);
    },
    resetSlot(slot: number, epoch: bigint, root: Buffer) {
      const at = slotAt(slot);
      bytes.writeBigUInt64LE(epoch, at);
      root.copy(bytes, at + 8);
      bytes.writeUInt16LE(0, at + 40);
      bytes.fill(0, at + 42, at + 42 + BITMAP_BYTES);
      const latest = bytes.readBigUInt64LE(74);
      if (epoch > latest) bytes.writeBigUInt64LE(epoch, 74);
    },
    markClaimed(slot: number, index: number) {
      const at = slotAt(slot);
      const byte = at + 42 + (index >> 3);
      bytes[byte] = (bytes[byte] ?? 0) | (1 << (index & 7));
      bytes.writeUInt16LE(Math.min(0xffff, bytes.readUInt16LE(at + 40) + 1), at + 40);
    },
    bytes: () => new Uint8Array(bytes),
  };
}

export interface ArgReader {
  u32(): number;
  u64(): bigint;
  bytes(length: number): Buffer;
  string(): string;
  vecOf32(): Buffer[];
}

/** Borsh arguments after the discriminator; trailing bytes are ignored, as Anchor's deserialize does. */
export function parseArgs<T>(data: Uint8Array, read: (reader: ArgReader) => T): T {
  const bytes = Buffer.from(data);
  let at = 8;
  const take = (length: number) => {
    if (at + length > bytes.length) throw anchorError('InstructionDidNotDeserialize');
    const out = bytes.subarray(at, at + length);
    at += length;
    return out;
  };
  const reader: ArgReader = {
    u32: () => take(4).readUInt32LE(0),
    u64: () => take(8).readBigUInt64LE(0),
    bytes: (length) => Buffer.from(take(length)),
    string: () => {
      const text = take(reader.u32());
      const decoded = new TextDecoder('utf-8', { fatal: true });
      try {
        return decoded.decode(text);
      } catch {
        throw anchorError('InstructionDidNotDeserialize');
      }
    },
    vecOf32: () => Array.from({ length: reader.u32() }, () => Buffer.from(take(32))),
  };
  return read(reader);
}

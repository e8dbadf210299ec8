/**
 * Instruction data of the attention program v1 (DESIGN.md section 5): the Anchor
 * discriminator (first 8 bytes of sha256("global:<name>")) followed by the Borsh-encoded
 * arguments in declaration order.
 */
import { ValidationError } from '../../errors.ts';
import { BorshReader, BorshWriter } from './borsh.ts';

export const SET_CHANNEL_MERKLE_ROOT_DISCRIMINATOR: Uint8Array = hexBytes('411810063f69997b');
export const CLAIM_CHANNEL_OPEN_DISCRIMINATOR: Uint8Array = hexBytes('dfabbb29a7470fb8');

/** `id` is the user_hash as 64 hex chars; the program caps the string at 64 bytes. */
export const CLAIM_ID_MAX_BYTES = 64;

export interface SetChannelMerkleRootArgs {
  readonly channel: string;
  /** On-chain epoch (see onchain-epoch.ts), not the database epoch id. */
  readonly epoch: bigint;
  readonly root: Uint8Array;
}

export interface ClaimChannelOpenArgs {
  readonly channel: string;
  readonly epoch: bigint;
  readonly index: number;
  readonly amount: bigint;
  readonly id: string;
  readonly proof: readonly Uint8Array[];
}

export function encodeSetChannelMerkleRootData(args: SetChannelMerkleRootArgs): Uint8Array {
  return new BorshWriter()
    .bytes(SET_CHANNEL_MERKLE_ROOT_DISCRIMINATOR, 8, 'discriminator')
    .string(args.channel, 'channel')
    .u64(args.epoch, 'epoch')
    .bytes(args.root, 32, 'root')
    .toBytes();
}

export function decodeSetChannelMerkleRootData(data: Uint8Array): SetChannelMerkleRootArgs {
  const reader = new BorshReader(data);
  expectDiscriminator(reader, SET_CHANNEL_MERKLE_ROOT_DISCRIMINATOR, 'set_channel_merkle_root');
  const args = {
    channel: reader.string('channel'),
    epoch: reader.u64('epoch'),
    root: reader.bytes(32, 'root'),
  };
  expectEnd(reader, 'set_channel_merkle_root');
  return args;
}

export function encodeClaimChannelOpenData(args: ClaimChannelOpenArgs): Uint8Array {
  return new BorshWriter()
    .bytes(CLAIM_CHANNEL_OPEN_DISCRIMINATOR, 8, 'discriminator')
    .string(args.channel, 'channel')
    .u64(args.epoch, 'epoch')
    .u32(args.index, 'index')
    .u64(args.amount, 'amount')
    .string(args.id, 'id', CLAIM_ID_MAX_BYTES)
    .fixedArrayVec(args.proof, 32, 'proof')
    .toBytes();
}

export function decodeClaimChannelOpenData(data: Uint8Array): ClaimChannelOpenArgs {
  const reader = new BorshReader(data);
  expectDiscriminator(reader, CLAIM_CHANNEL_OPEN_DISCRIMINATOR, 'claim_channel_open');
  const args = {
    channel: reader.string('channel'),
    epoch: reader.u64('epoch'),
    index: reader.u32('index'),
    amount: reader.u64('amount'),
    id: reader.string('id'),
    proof: reader.fixedArrayVec(32, 'proof'),
  };
  expectEnd(reader, 'claim_channel_open');
  return args;
}

function expectDiscriminator(reader: BorshReader, expected: Uint8Array, name: string): void {
  const actual = reader.bytes(8, `${name} discriminator`);
  if (!actual.every((byte, i) => byte === expected[i])) {
    throw new ValidationError(
      `instruction data is not ${name} (discriminator ${Buffer.from(actual).toString('hex')})`,
    );
  }
}

function expectEnd(reader: BorshReader, name: string): void {
  if (reader.remaining !== 0) {
    throw new ValidationError(`${name} data has ${reader.remaining} trailing bytes`);
  }
}

function hexBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

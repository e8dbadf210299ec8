/**
 * The attention program's `ChannelState` account, layout v1 (DESIGN.md section 5): the 8-byte
 * Anchor account discriminator, then packed (no padding): version u8, bump u8, mint 32,
 * streamer 32, latest_epoch u64, and a ring of 10 slots of { epoch u64, root 32,
 * claim_count u16, claimed bitmap 128 B }. A root lives in slot `epoch mod 10` until a later
 * epoch takes that slot.
 *
 * The encoder exists so tests and the local runtime can lay accounts out exactly as the
 * program would.
 */
import { ValidationError } from '../../errors.ts';
import { BorshReader, BorshWriter } from './borsh.ts';

/** sha256("account:ChannelState")[0..8], as Anchor derives account discriminators. */
export const CHANNEL_STATE_DISCRIMINATOR: Uint8Array = new Uint8Array(Buffer.from('4a848dc440345388', 'hex'));
export const CHANNEL_STATE_SLOT_COUNT = 10;
/** 128-byte bitmap: 1,024 claims per root (v1). */
export const CLAIMED_BITMAP_BYTES = 128;
export const CHANNEL_STATE_CAPACITY = CLAIMED_BITMAP_BYTES * 8;
export const CHANNEL_SLOT_SIZE = 8 + 32 + 2 + CLAIMED_BITMAP_BYTES;
export const CHANNEL_STATE_HEADER_SIZE = 8 + 1 + 1 + 32 + 32 + 8;
export const CHANNEL_STATE_SIZE = CHANNEL_STATE_HEADER_SIZE + CHANNEL_STATE_SLOT_COUNT * CHANNEL_SLOT_SIZE;

export interface ChannelSlot {
  readonly epoch: bigint;
  readonly root: Uint8Array;
  readonly claimCount: number;
  readonly claimedBitmap: Uint8Array;
}

export interface ChannelState {
  readonly version: number;
  readonly bump: number;
  readonly mint: Uint8Array;
  readonly streamer: Uint8Array;
  readonly latestEpoch: bigint;
  readonly slots: readonly ChannelSlot[];
}

export function decodeChannelState(data: Uint8Array): ChannelState {
  if (data.length < CHANNEL_STATE_SIZE) {
    throw new ValidationError(
      `ChannelState account is ${data.length} bytes, expected at least ${CHANNEL_STATE_SIZE}`,
    );
  }
  const reader = new BorshReader(data);
  const discriminator = reader.bytes(8, 'discriminator');
  if (!discriminator.every((byte, i) => byte === CHANNEL_STATE_DISCRIMINATOR[i])) {
    throw new ValidationError(
      `account is not a ChannelState (discriminator ${Buffer.from(discriminator).toString('hex')})`,
    );
  }
  const version = reader.u8('version');
  const bump = reader.u8('bump');
  const mint = reader.bytes(32, 'mint');
  const streamer = reader.bytes(32, 'streamer');
  const latestEpoch = reader.u64('latest_epoch');
  const slots = Array.from({ length: CHANNEL_STATE_SLOT_COUNT }, (_, i) => ({
    epoch: reader.u64(`slots[${i}].epoch`),
    root: reader.bytes(32, `slots[${i}].root`),
    claimCount: reader.u16(`slots[${i}].claim_count`),
    claimedBitmap: reader.bytes(CLAIMED_BITMAP_BYTES, `slots[${i}].claimed_bitmap`),
  }));
  return { version, bump, mint, streamer, latestEpoch, slots };
}

export function encodeChannelState(state: ChannelState): Uint8Array {
  if (state.slots.length !== CHANNEL_STATE_SLOT_COUNT) {
    throw new ValidationError(
      `ChannelState has ${CHANNEL_STATE_SLOT_COUNT} slots, got ${state.slots.length}`,
    );
  }
  const writer = new BorshWriter()
    .bytes(CHANNEL_STATE_DISCRIMINATOR, 8, 'discriminator')
    .u8(state.version, 'version')
    .u8(state.bump, 'bump')
    .bytes(state.mint, 32, 'mint')
    .bytes(state.streamer, 32, 'streamer')
    .u64(state.latestEpoch, 'latest_epoch');
  state.slots.forEach((slot, i) => {
    writer
      .u64(slot.epoch, `slots[${i}].epoch`)
      .bytes(slot.root, 32, `slots[${i}].root`)
      .u16(slot.claimCount, `slots[${i}].claim_count`)
      .bytes(slot.claimedBitmap, CLAIMED_BITMAP_BYTES, `slots[${i}].claimed_bitmap`);
  });
  return writer.toBytes();
}

export function emptyChannelSlot(): ChannelSlot {
  return {
    epoch: 0n,
    root: new Uint8Array(32),
    claimCount: 0,
    claimedBitmap: new Uint8Array(CLAIMED_BITMAP_BYTES),
  };
}

/** A fresh account as the program creates it on first use, before any root is set. */
export function emptyChannelState(input: {
  mint: Uint8Array;
  streamer: Uint8Array;
  bump?: number;
}): ChannelState {
  return {
    version: 1,
    bump: input.bump ?? 255,
    mint: input.mint,
    streamer: input.streamer,
    latestEpoch: 0n,
    slots: Array.from({ length: CHANNEL_STATE_SLOT_COUNT }, emptyChannelSlot),
  };
}

export function channelSlotIndex(onChainEpoch: bigint): number {
  return Number(onChainEpoch % BigInt(CHANNEL_STATE_SLOT_COUNT));
}

export type ChannelSlotStanding =
  /** The slot holds this epoch: the root is on chain (and claimable). */
  | { readonly kind: 'present'; readonly slot: ChannelSlot }
  /** The slot holds an older epoch (or nothing): the root can still be set. */
  | { readonly kind: 'open'; readonly slot: ChannelSlot }
  /** The slot holds a newer epoch: the program would refuse this one forever. */
  | { readonly kind: 'superseded'; readonly slot: ChannelSlot };

/** Where an epoch stands against its ring slot; the program refuses an epoch not greater than the slot's. */
export function channelSlotStanding(state: ChannelState, onChainEpoch: bigint): ChannelSlotStanding {
  const slot = state.slots[channelSlotIndex(onChainEpoch)];
  if (slot === undefined) throw new ValidationError('ChannelState has no slots');
  if (slot.epoch === onChainEpoch) return { kind: 'present', slot };
  return slot.epoch > onChainEpoch ? { kind: 'superseded', slot } : { kind: 'open', slot };
}

/** Bit `index` of the bitmap, least significant bit first within each byte. */
export function isClaimed(bitmap: Uint8Array, index: number): boolean {
  const byte = bitmap[checkClaimIndex(bitmap, index) >> 3] ?? 0;
  return ((byte >> (index & 7)) & 1) === 1;
}

/** A copy of the bitmap with `index` marked claimed (for tests and the local runtime). */
export function withClaimed(bitmap: Uint8Array, index: number): Uint8Array {
  const out = Uint8Array.from(bitmap);
  const at = checkClaimIndex(bitmap, index) >> 3;
  out[at] = (out[at] ?? 0) | (1 << (index & 7));
  return out;
}

/** Leaf indexes below `leafCount` whose bit is clear: the amounts that return to carried balances. */
export function unclaimedIndexes(bitmap: Uint8Array, leafCount: number): number[] {
  const out: number[] = [];
  for (let index = 0; index < leafCount; index++) {
    if (!isClaimed(bitmap, index)) out.push(index);
  }
  return out;
}

function checkClaimIndex(bitmap: Uint8Array, index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= bitmap.length * 8) {
    throw new ValidationError(`claim index ${index} is outside the ${bitmap.length * 8}-claim bitmap`);
  }
  return index;
}

import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHANNEL_STATE_SIZE,
  channelSlotIndex,
  channelSlotStanding,
  decodeChannelState,
  emptyChannelState,
  encodeChannelState,
  isClaimed,
  unclaimedIndexes,
  withClaimed,
} from '../../layers/shared/src/core/solana/channel-state.ts';
import { ValidationError } from '../../layers/shared/src/errors.ts';

const HEADER = 8 + 1 + 1 + 32 + 32 + 8;
const SLOT = 8 + 32 + 2 + 128;

/** A ChannelState account laid out byte by byte, as the program's packed struct sits in memory. */
function handLaidAccount(): Buffer {
  const buf = Buffer.alloc(HEADER + 10 * SLOT);
  createHash('sha256').update('account:ChannelState').digest().copy(buf, 0, 0, 8);
  buf.writeUInt8(1, 8);
  buf.writeUInt8(254, 9);
  buf.fill(0x11, 10, 42);
  buf.fill(0x22, 42, 74);
  buf.writeBigUInt64LE(491_013n, 74);
  // Epochs 491_004 ..= 491_013, each in slot epoch mod 10.
  for (let i = 0; i < 10; i++) {
    buf.writeBigUInt64LE(i <= 3 ? 491_010n + BigInt(i) : 491_000n + BigInt(i), HEADER + i * SLOT);
  }
  // Slot 3 holds epoch 491_013 with claims 0, 2 and 1023 taken.
  const slot3 = HEADER + 3 * SLOT;
  buf.writeBigUInt64LE(491_013n, slot3);
  buf.fill(0x33, slot3 + 8, slot3 + 40);
  buf.writeUInt16LE(3, slot3 + 40);
  buf.writeUInt8(0b0000_0101, slot3 + 42);
  buf.writeUInt8(0b1000_0000, slot3 + 42 + 127);
  return buf;
}

describe('ChannelState decoder', () => {
  it('reads a hand-laid account field by field', () => {
    const state = decodeChannelState(handLaidAccount());

    expect(state.version).toBe(1);
    expect(state.bump).toBe(254);
    expect(state.mint).toEqual(new Uint8Array(32).fill(0x11));
    expect(state.streamer).toEqual(new Uint8Array(32).fill(0x22));
    expect(state.latestEpoch).toBe(491_013n);
    expect(state.slots).toHaveLength(10);
    const slot3 = state.slots[3]!;
    expect(slot3.epoch).toBe(491_013n);
    expect(slot3.root).toEqual(new Uint8Array(32).fill(0x33));
    expect(slot3.claimCount).toBe(3);
    expect([0, 1, 2, 3, 1022, 1023].map((i) => isClaimed(slot3.claimedBitmap, i))).toEqual([
      true,
      false,
      true,
      false,
      false,
      true,
    ]);
    expect(state.slots.map((slot) => Number(slot.epoch % 10n))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(state.slots[4]?.epoch).toBe(491_004n);
  });

  it('encodes the decoded account back to the same bytes', () => {
    const account = handLaidAccount();
    expect(Buffer.from(encodeChannelState(decodeChannelState(account))).equals(account)).toBe(true);
    expect(CHANNEL_STATE_SIZE).toBe(account.length);
  });

  it('refuses an account of another type and one too short to hold the ring', () => {
    const other = handLaidAccount();
    other.writeUInt8(other.readUInt8(0) ^ 0xff, 0);
    expect(() => decodeChannelState(other)).toThrow(ValidationError);
    expect(() => decodeChannelState(handLaidAccount().subarray(0, CHANNEL_STATE_SIZE - 1))).toThrow(
      ValidationError,
    );
  });
});

describe('ring slots', () => {
  it('puts an on-chain epoch in slot epoch mod 10', () => {
    expect(channelSlotIndex(491_013n)).toBe(3);
    expect(channelSlotIndex(491_020n)).toBe(0);
  });

  it('tells present, open and superseded epochs apart by what their slot holds', () => {
    const state = decodeChannelState(handLaidAccount());

    expect(channelSlotStanding(state, 491_013n).kind).toBe('present');
    expect(channelSlotStanding(state, 491_023n).kind).toBe('open');
    expect(channelSlotStanding(state, 491_003n).kind).toBe('superseded');
  });

  it('lists the unclaimed leaves of a slot, the amounts that return to carried balances', () => {
    const slot3 = decodeChannelState(handLaidAccount()).slots[3]!;
    expect(unclaimedIndexes(slot3.claimedBitmap, 4)).toEqual([1, 3]);
  });
});

describe('claimed bitmap', () => {
  it('marks exactly the index it is given and no other', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 128, maxLength: 128 }),
        fc.integer({ min: 0, max: 1023 }),
        (bitmap, index) => {
          const after = withClaimed(bitmap, index);
          expect(isClaimed(after, index)).toBe(true);
          for (let other = 0; other < 1024; other++) {
            if (other !== index) expect(isClaimed(after, other)).toBe(isClaimed(bitmap, other));
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses an index outside the 1,024-claim bitmap', () => {
    const fresh = emptyChannelState({ mint: new Uint8Array(32), streamer: new Uint8Array(32) });
    expect(() => isClaimed(fresh.slots[0]!.claimedBitmap, 1024)).toThrow(ValidationError);
  });
});

/**
 * Program mode without the program (issue 6): the attention program's state changes written
 * straight into LiteSVM as the program would make them, so the publisher's read, done, expiry
 * and bitmap paths run against real accounts. `setRoot` follows the program's rule (an epoch
 * must be greater than the one in its ring slot); `markClaimed` sets a bit as a claim would.
 */

import { address } from '@solana/kit';
import { PublicKey } from '@solana/web3.js';
import { findChannelStateAddress } from '../layers/shared/src/adapters/solana/attention-program.ts';
import {
  type ChannelState,
  channelSlotIndex,
  decodeChannelState,
  emptyChannelState,
  encodeChannelState,
  isClaimed,
  withClaimed,
} from '../layers/shared/src/core/solana/channel-state.ts';
import { DEFAULT_ATTENTION_PROGRAM_ID } from '../layers/shared/src/core/solana/program-ids.ts';
import { streamerKey } from '../layers/shared/src/core/solana/streamer-key.ts';
import type { SolanaRpcHandle } from './solana-rpc.ts';

export interface ChannelAccountRef {
  readonly mint: string;
  readonly channel: string;
  /** @default the deployed program id */
  readonly programId?: string;
}

type Rpc = Pick<SolanaRpcHandle, 'svm' | 'setAccount'>;

export function channelStateAddress(ref: ChannelAccountRef): string {
  return channelStatePda(ref).address.toBase58();
}

export function readChannelState(rpc: Rpc, ref: ChannelAccountRef): ChannelState | undefined {
  const account = rpc.svm.getAccount(address(channelStateAddress(ref)));
  return account.exists ? decodeChannelState(account.data) : undefined;
}

export function writeChannelState(rpc: Rpc, ref: ChannelAccountRef, state: ChannelState): void {
  rpc.setAccount(channelStateAddress(ref), {
    owner: ref.programId ?? DEFAULT_ATTENTION_PROGRAM_ID,
    data: encodeChannelState(state),
  });
}

/** As set_channel_merkle_root: creates the account on first use, resets the epoch's slot. */
export function setRoot(rpc: Rpc, ref: ChannelAccountRef, epoch: bigint, root: Uint8Array): ChannelState {
  const state = readChannelState(rpc, ref) ?? freshState(ref);
  const index = channelSlotIndex(epoch);
  const current = state.slots[index];
  if (current !== undefined && current.epoch >= epoch) {
    throw new Error(
      `slot ${index} of ${ref.channel} holds epoch ${current.epoch}; the program refuses epoch ${epoch}`,
    );
  }
  const slots = state.slots.map((slot, i) =>
    i === index
      ? { epoch, root: Uint8Array.from(root), claimCount: 0, claimedBitmap: new Uint8Array(128) }
      : slot,
  );
  const next = { ...state, slots, latestEpoch: epoch > state.latestEpoch ? epoch : state.latestEpoch };
  writeChannelState(rpc, ref, next);
  return next;
}

/** As a successful claim_channel_open: the leaf's bit set, the slot's claim count up by one. */
export function markClaimed(
  rpc: Rpc,
  ref: ChannelAccountRef,
  epoch: bigint,
  leafIndex: number,
): ChannelState {
  const state = readChannelState(rpc, ref);
  const index = channelSlotIndex(epoch);
  const slot = state?.slots[index];
  if (state === undefined || slot === undefined || slot.epoch !== epoch) {
    throw new Error(`epoch ${epoch} of ${ref.channel} is not on chain; nothing to claim`);
  }
  if (isClaimed(slot.claimedBitmap, leafIndex)) {
    throw new Error(`leaf ${leafIndex} of epoch ${epoch} of ${ref.channel} is already claimed`);
  }
  const slots = state.slots.map((s, i) =>
    i === index
      ? { ...s, claimCount: s.claimCount + 1, claimedBitmap: withClaimed(s.claimedBitmap, leafIndex) }
      : s,
  );
  const next = { ...state, slots };
  writeChannelState(rpc, ref, next);
  return next;
}

function channelStatePda(ref: ChannelAccountRef) {
  return findChannelStateAddress(
    new PublicKey(ref.programId ?? DEFAULT_ATTENTION_PROGRAM_ID),
    new PublicKey(ref.mint),
    ref.channel,
  );
}

function freshState(ref: ChannelAccountRef): ChannelState {
  return emptyChannelState({
    mint: new PublicKey(ref.mint).toBytes(),
    streamer: streamerKey(ref.channel),
    bump: channelStatePda(ref).bump,
  });
}

/**
 * The attention program's accounts on the local chain.
 *
 * `setUpAttentionProtocol` is the deployment step the local runtime and the tests share: a
 * Token-2022 mint, its `protocol` state (admin, allowlisted publisher, not paused) and the
 * treasury, the protocol state's associated token account, funded. The mint, the treasury
 * account and the funding are real Token-2022 and associated-token-program transactions; the
 * protocol state is written as the program's `initialize_mint` leaves it (the stand-in has no
 * initializer, and neither needs one to be exercised).
 *
 * `setRoot` and `markClaimed` write a root or a claimed bit straight into an account, for tests
 * that arrange a chain state without the transactions that would lead to it (a root published
 * by someone else, a slot holding second-based epochs); they follow the program's rules.
 */

import { address } from '@solana/kit';
import { Keypair, PublicKey, Transaction, type TransactionInstruction } from '@solana/web3.js';
import bs58 from 'bs58';
import { findChannelStateAddress } from '../layers/shared/src/adapters/solana/attention-program.ts';
import { Web3SolanaClient } from '../layers/shared/src/adapters/solana/web3-solana-client.ts';
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
import { encodeProtocolState, protocolStateAddress } from './attention-program/protocol-state.ts';
import type { SolanaRpcHandle } from './solana-rpc.ts';
import {
  associatedTokenAddress,
  createAssociatedTokenAccountInstruction,
  createMintInstructions,
  MINT_SIZE,
  mintToInstruction,
} from './token-2022.ts';

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

export interface AttentionProtocol {
  readonly programId: string;
  readonly mint: string;
  readonly decimals: number;
  readonly protocolState: string;
  /** The treasury: the protocol state's associated token account, which pays claims. */
  readonly treasury: string;
  /** May publish roots, as may the publisher; a generated key, kept for tests. */
  readonly admin: { readonly address: string; readonly secretKey: Uint8Array };
  readonly publisher: string;
}

export interface AttentionProtocolOptions {
  /** The allowlisted publisher (the publisher keypair's address). */
  readonly publisher: string;
  /** @default the deployed program id */
  readonly programId?: string;
  /** @default 9, as the program's mint */
  readonly decimals?: number;
  /** Base units minted to the treasury. @default 10^18 (a billion tokens of 9 decimals) */
  readonly treasuryAmount?: bigint;
}

/** A mint with its protocol state and a funded treasury; see the file comment. */
export async function setUpAttentionProtocol(
  rpc: Pick<SolanaRpcHandle, 'url' | 'setAccount' | 'airdrop' | 'svm'>,
  options: AttentionProtocolOptions,
): Promise<AttentionProtocol> {
  const programId = options.programId ?? DEFAULT_ATTENTION_PROGRAM_ID;
  const decimals = options.decimals ?? 9;
  const admin = Keypair.generate();
  const mint = Keypair.generate();
  rpc.airdrop(admin.publicKey.toBase58(), 10_000_000_000n);
  const protocol = protocolStateAddress(programId, mint.publicKey.toBase58());
  const treasury = associatedTokenAddress(protocol.address, mint.publicKey.toBase58());
  const client = new Web3SolanaClient({ url: rpc.url, pollIntervalMs: 10 });
  await sendSigned(
    client,
    [admin, mint],
    [
      ...createMintInstructions({
        payer: admin.publicKey.toBase58(),
        mint: mint.publicKey.toBase58(),
        mintAuthority: admin.publicKey.toBase58(),
        decimals,
        rentLamports: rpc.svm.minimumBalanceForRentExemption(BigInt(MINT_SIZE)),
      }),
      createAssociatedTokenAccountInstruction({
        payer: admin.publicKey.toBase58(),
        owner: protocol.address,
        mint: mint.publicKey.toBase58(),
      }),
      mintToInstruction({
        mint: mint.publicKey.toBase58(),
        destination: treasury,
        authority: admin.publicKey.toBase58(),
        amount: options.treasuryAmount ?? 10n ** 18n,
      }),
    ],
  );
  rpc.setAccount(protocol.address, {
    owner: programId,
    data: encodeProtocolState({
      isInitialized: true,
      version: 1,
      admin: admin.publicKey.toBase58(),
      publisher: options.publisher,
      treasury,
      mint: mint.publicKey.toBase58(),
      paused: false,
      requireReceipt: false,
      bump: protocol.bump,
    }),
  });
  return {
    programId,
    mint: mint.publicKey.toBase58(),
    decimals,
    protocolState: protocol.address,
    treasury,
    admin: { address: admin.publicKey.toBase58(), secretKey: admin.secretKey },
    publisher: options.publisher,
  };
}

async function sendSigned(
  client: Web3SolanaClient,
  signers: readonly Keypair[],
  instructions: readonly TransactionInstruction[],
): Promise<void> {
  const lifetime = await client.getLatestBlockhash();
  const transaction = new Transaction({
    feePayer: signers[0]?.publicKey ?? null,
    blockhash: lifetime.blockhash,
    lastValidBlockHeight: Number(lifetime.lastValidBlockHeight),
  }).add(...instructions);
  transaction.sign(...signers);
  const signature = await client.sendTransaction({
    signature: bs58.encode(transaction.signature ?? new Uint8Array(64)),
    wireTransaction: transaction.serialize(),
    lifetime,
  });
  await client.confirmTransaction(signature, lifetime.lastValidBlockHeight);
}

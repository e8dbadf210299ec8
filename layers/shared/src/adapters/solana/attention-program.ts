/**
 * Accounts and instructions of the attention program v1 (DESIGN.md section 5) with
 * @solana/web3.js: PDAs, associated token accounts and the two instructions, with accounts in
 * the program's order and flags. The byte encoding lives in core/solana; this file adds what
 * needs curve arithmetic (PDAs). Wallet front ends use the TransactionInstruction builders.
 */
import { PublicKey, TransactionInstruction } from '@solana/web3.js';
import {
  type ClaimChannelOpenArgs,
  encodeClaimChannelOpenData,
  encodeSetChannelMerkleRootData,
} from '../../core/solana/attention-instruction-data.ts';
import type { SolanaInstruction } from '../../core/solana/instruction.ts';
import {
  ASSOCIATED_TOKEN_PROGRAM_ID,
  DEFAULT_ATTENTION_PROGRAM_ID,
  SYSTEM_PROGRAM_ID,
  TOKEN_2022_PROGRAM_ID,
} from '../../core/solana/program-ids.ts';
import { streamerKey } from '../../core/solana/streamer-key.ts';
import type { AttentionProgram } from '../../ports/solana.ts';

const PROTOCOL_SEED = Buffer.from('protocol');
const CHANNEL_STATE_SEED = Buffer.from('channel_state');

export interface ProgramAddress {
  readonly address: PublicKey;
  readonly bump: number;
}

export function findProtocolStateAddress(programId: PublicKey, mint: PublicKey): ProgramAddress {
  const [address, bump] = PublicKey.findProgramAddressSync([PROTOCOL_SEED, mint.toBuffer()], programId);
  return { address, bump };
}

export function findChannelStateAddress(
  programId: PublicKey,
  mint: PublicKey,
  channel: string,
): ProgramAddress {
  const [address, bump] = PublicKey.findProgramAddressSync(
    [CHANNEL_STATE_SEED, mint.toBuffer(), Buffer.from(streamerKey(channel))],
    programId,
  );
  return { address, bump };
}

/** The Token-2022 associated token account of `owner` (a wallet or a PDA) for `mint`. */
export function findToken2022AssociatedAddress(owner: PublicKey, mint: PublicKey): PublicKey {
  const [address] = PublicKey.findProgramAddressSync(
    [owner.toBuffer(), new PublicKey(TOKEN_2022_PROGRAM_ID).toBuffer(), mint.toBuffer()],
    new PublicKey(ASSOCIATED_TOKEN_PROGRAM_ID),
  );
  return address;
}

export interface SetChannelMerkleRootInput {
  readonly programId?: PublicKey;
  /** The admin or the allowlisted publisher; pays for the channel account on first use. */
  readonly payer: PublicKey;
  readonly mint: PublicKey;
  readonly channel: string;
  /** On-chain epoch (core/solana/onchain-epoch.ts). */
  readonly epoch: bigint;
  readonly root: Uint8Array;
}

export function createSetChannelMerkleRootInstruction(
  input: SetChannelMerkleRootInput,
): TransactionInstruction {
  const programId = input.programId ?? new PublicKey(DEFAULT_ATTENTION_PROGRAM_ID);
  return new TransactionInstruction({
    programId,
    keys: [
      { pubkey: input.payer, isSigner: true, isWritable: true },
      { pubkey: findProtocolStateAddress(programId, input.mint).address, isSigner: false, isWritable: true },
      {
        pubkey: findChannelStateAddress(programId, input.mint, input.channel).address,
        isSigner: false,
        isWritable: true,
      },
      { pubkey: new PublicKey(SYSTEM_PROGRAM_ID), isSigner: false, isWritable: false },
    ],
    data: Buffer.from(
      encodeSetChannelMerkleRootData({ channel: input.channel, epoch: input.epoch, root: input.root }),
    ),
  });
}

export interface ClaimChannelOpenInput extends ClaimChannelOpenArgs {
  readonly programId?: PublicKey;
  readonly claimer: PublicKey;
  readonly mint: PublicKey;
}

/** The claim a wallet signs: proof from `GET /claims/:user`, claimer ATA created if needed. */
export function createClaimChannelOpenInstruction(input: ClaimChannelOpenInput): TransactionInstruction {
  const programId = input.programId ?? new PublicKey(DEFAULT_ATTENTION_PROGRAM_ID);
  const protocolState = findProtocolStateAddress(programId, input.mint).address;
  return new TransactionInstruction({
    programId,
    keys: [
      { pubkey: input.claimer, isSigner: true, isWritable: true },
      { pubkey: protocolState, isSigner: false, isWritable: true },
      {
        pubkey: findChannelStateAddress(programId, input.mint, input.channel).address,
        isSigner: false,
        isWritable: true,
      },
      { pubkey: input.mint, isSigner: false, isWritable: false },
      {
        pubkey: findToken2022AssociatedAddress(protocolState, input.mint),
        isSigner: false,
        isWritable: true,
      },
      {
        pubkey: findToken2022AssociatedAddress(input.claimer, input.mint),
        isSigner: false,
        isWritable: true,
      },
      { pubkey: new PublicKey(TOKEN_2022_PROGRAM_ID), isSigner: false, isWritable: false },
      { pubkey: new PublicKey(ASSOCIATED_TOKEN_PROGRAM_ID), isSigner: false, isWritable: false },
      { pubkey: new PublicKey(SYSTEM_PROGRAM_ID), isSigner: false, isWritable: false },
    ],
    data: Buffer.from(
      encodeClaimChannelOpenData({
        channel: input.channel,
        epoch: input.epoch,
        index: input.index,
        amount: input.amount,
        id: input.id,
        proof: input.proof,
      }),
    ),
  });
}

export function toSolanaInstruction(instruction: TransactionInstruction): SolanaInstruction {
  return {
    programAddress: instruction.programId.toBase58(),
    accounts: instruction.keys.map((key) => ({
      address: key.pubkey.toBase58(),
      isSigner: key.isSigner,
      isWritable: key.isWritable,
    })),
    data: new Uint8Array(instruction.data),
  };
}

export function toTransactionInstruction(instruction: SolanaInstruction): TransactionInstruction {
  return new TransactionInstruction({
    programId: new PublicKey(instruction.programAddress),
    keys: instruction.accounts.map((account) => ({
      pubkey: new PublicKey(account.address),
      isSigner: account.isSigner,
      isWritable: account.isWritable,
    })),
    data: Buffer.from(instruction.data),
  });
}

/** The port implementation for one deployment of the program. */
export function createAttentionProgram(
  programAddress: string = DEFAULT_ATTENTION_PROGRAM_ID,
): AttentionProgram {
  const programId = new PublicKey(programAddress);
  return {
    programAddress,
    protocolStateAddress: (mint) =>
      findProtocolStateAddress(programId, new PublicKey(mint)).address.toBase58(),
    channelStateAddress: (mint, channel) =>
      findChannelStateAddress(programId, new PublicKey(mint), channel).address.toBase58(),
    setChannelMerkleRoot: (input) =>
      toSolanaInstruction(
        createSetChannelMerkleRootInstruction({
          programId,
          payer: new PublicKey(input.payer),
          mint: new PublicKey(input.mint),
          channel: input.channel,
          epoch: input.epoch,
          root: input.root,
        }),
      ),
    claimChannelOpen: (input) =>
      toSolanaInstruction(
        createClaimChannelOpenInstruction({
          ...input,
          programId,
          claimer: new PublicKey(input.claimer),
          mint: new PublicKey(input.mint),
        }),
      ),
  };
}

/**
 * What services need from a Solana cluster. Addresses and signatures are base58 strings and
 * instructions plain data (core/solana/instruction.ts), so services stay free of chain SDKs;
 * adapters/solana/web3-solana-client.ts implements it over JSON-RPC.
 *
 * Every method fails with a ChainError whose `kind` says what happened: 'network' (timeout,
 * refused, rate limited: retry), 'blockhash' (the transaction's blockhash is unknown or
 * expired: re-sign), 'execution' (the program refused it: do not retry as is), 'unknown'.
 */
import type { SolanaInstruction } from '../core/solana/instruction.ts';

export type { SolanaAccountMeta, SolanaInstruction } from '../core/solana/instruction.ts';

export type SolanaCommitment = 'processed' | 'confirmed' | 'finalized';

/** Signs transaction messages; a keypair here, a remote signer elsewhere. */
export interface SolanaSigner {
  readonly address: string;
  signMessage(message: Uint8Array): Promise<Uint8Array>;
}

export interface BlockhashLifetime {
  readonly blockhash: string;
  /** The transaction can land up to this block height, never after. */
  readonly lastValidBlockHeight: bigint;
}

export interface TransactionOptions {
  /** Priority fee in micro-lamports per compute unit; none when absent or 0. */
  readonly computeUnitPriceMicroLamports?: bigint;
  readonly computeUnitLimit?: number;
}

/** Signed and serialized, not yet sent: its signature is known before the chain sees it. */
export interface SignedTransaction {
  readonly signature: string;
  readonly wireTransaction: Uint8Array;
  readonly lifetime: BlockhashLifetime;
}

export interface SignatureStatus {
  readonly signature: string;
  readonly slot: bigint;
  readonly confirmationStatus: SolanaCommitment | null;
  /** The transaction error as the RPC reports it (landed but failed), null on success. */
  readonly err: unknown;
}

export interface ConfirmedTransaction {
  readonly signature: string;
  readonly slot: bigint;
}

export interface SolanaAccount {
  readonly address: string;
  readonly lamports: bigint;
  readonly owner: string;
  readonly executable: boolean;
  readonly data: Uint8Array;
}

export interface SolanaTransactionInstruction {
  readonly programAddress: string;
  readonly accounts: readonly string[];
  readonly data: Uint8Array;
}

export interface SolanaTransactionRecord {
  readonly signature: string;
  readonly slot: bigint;
  readonly blockTime: number | null;
  readonly fee: bigint;
  readonly err: unknown;
  readonly feePayer: string;
  readonly accountKeys: readonly string[];
  readonly instructions: readonly SolanaTransactionInstruction[];
  /** Instructions the top-level ones invoked (cross-program invocations), in execution order. */
  readonly innerInstructions: readonly SolanaTransactionInstruction[];
  readonly logMessages: readonly string[];
}

/** One entry of an address's transaction history, newest first (getSignaturesForAddress). */
export interface AddressSignature {
  readonly signature: string;
  readonly slot: bigint;
  /** The transaction error (landed but failed), null on success. */
  readonly err: unknown;
  readonly blockTime: number | null;
  readonly confirmationStatus: SolanaCommitment | null;
}

export interface AddressSignatureQuery {
  /** Start below this signature (exclusive); newest first when absent. */
  readonly before?: string;
  /** Stop at this signature (exclusive). */
  readonly until?: string;
  /** At most this many, 1,000 at most. @default 1000 */
  readonly limit?: number;
}

/** An account as read, with the slot the cluster read it at. */
export interface AccountAtSlot {
  readonly slot: bigint;
  readonly account: SolanaAccount | null;
}

export interface PrioritizationFeeSample {
  readonly slot: bigint;
  readonly microLamportsPerComputeUnit: bigint;
}

export interface ConfirmOptions {
  /** @default 'confirmed' */
  readonly commitment?: SolanaCommitment;
  /** Give up (ChainError 'network') after this long even if the blockhash is still valid. */
  readonly timeoutMs?: number;
}

export interface SolanaClient {
  getLatestBlockhash(): Promise<BlockhashLifetime>;
  getBlockHeight(): Promise<bigint>;
  getSlot(): Promise<bigint>;

  /** Builds, signs and serializes; no network call. The fee payer is the signer. */
  signTransaction(
    instructions: readonly SolanaInstruction[],
    signer: SolanaSigner,
    lifetime: BlockhashLifetime,
    options?: TransactionOptions,
  ): Promise<SignedTransaction>;
  /**
   * A legacy transaction for someone else to sign (a viewer's wallet): `feePayer` pays and signs,
   * its signature slot left empty. Undefined when it would not fit the 1,232-byte packet limit.
   * No network call.
   */
  serializeUnsignedTransaction(
    instructions: readonly SolanaInstruction[],
    feePayer: string,
    lifetime: BlockhashLifetime,
  ): Uint8Array | undefined;
  /**
   * Sends a signed transaction and returns its signature. Sending one the cluster has already
   * processed succeeds with the same signature, so a resend after a crash is safe.
   */
  sendTransaction(transaction: SignedTransaction, options?: { skipPreflight?: boolean }): Promise<string>;
  /**
   * Polls signature statuses until the transaction reaches the commitment. Fails with
   * 'blockhash' once the block height passes `lastValidBlockHeight` without it (it can no longer
   * land), with 'execution' if it landed with an error.
   */
  confirmTransaction(
    signature: string,
    lastValidBlockHeight: bigint,
    options?: ConfirmOptions,
  ): Promise<ConfirmedTransaction>;
  /** Latest blockhash, sign, send, confirm: for callers that record nothing in between. */
  sendAndConfirmTransaction(
    instructions: readonly SolanaInstruction[],
    signer: SolanaSigner,
    options?: TransactionOptions & ConfirmOptions,
  ): Promise<ConfirmedTransaction>;

  /** null when the cluster does not know the signature (not landed, or dropped). */
  getSignatureStatus(signature: string): Promise<SignatureStatus | null>;
  getSignatureStatuses(signatures: readonly string[]): Promise<(SignatureStatus | null)[]>;
  getTransaction(signature: string): Promise<SolanaTransactionRecord | null>;
  /** Transactions that named `address` among their accounts, newest first, failed ones included. */
  getSignaturesForAddress(address: string, query?: AddressSignatureQuery): Promise<AddressSignature[]>;

  getAccount(address: string): Promise<SolanaAccount | null>;
  /** The account and the slot its state was read at: every transaction of an earlier slot is in it. */
  getAccountAtSlot(address: string): Promise<AccountAtSlot>;
  getMultipleAccounts(addresses: readonly string[]): Promise<(SolanaAccount | null)[]>;
  getBalance(address: string): Promise<bigint>;

  /** The fee the cluster would charge for the transaction; null if its blockhash expired. */
  getFeeForTransaction(transaction: SignedTransaction): Promise<bigint | null>;
  getRecentPrioritizationFees(writableAddresses?: readonly string[]): Promise<PrioritizationFeeSample[]>;

  /** Test clusters only (local runtime, devnet). */
  requestAirdrop(address: string, lamports: bigint): Promise<string>;
}

/** Account addresses and instructions of the attention program (adapters/solana/attention-program.ts). */
export interface AttentionProgram {
  readonly programAddress: string;
  protocolStateAddress(mint: string): string;
  channelStateAddress(mint: string, channel: string): string;
  setChannelMerkleRoot(input: {
    payer: string;
    mint: string;
    channel: string;
    epoch: bigint;
    root: Uint8Array;
  }): SolanaInstruction;
  claimChannelOpen(input: {
    claimer: string;
    mint: string;
    channel: string;
    epoch: bigint;
    index: number;
    amount: bigint;
    id: string;
    proof: readonly Uint8Array[];
  }): SolanaInstruction;
}

/**
 * Legacy web3.js transactions from the port's instructions: signed by our signer for sending, or
 * unsigned for a wallet to sign (the claim transactions a viewer's wallet pays for).
 */
import { ComputeBudgetProgram, PublicKey, Transaction } from '@solana/web3.js';
import bs58 from 'bs58';
import { ValidationError } from '../../errors.ts';
import type {
  BlockhashLifetime,
  SignedTransaction,
  SolanaInstruction,
  SolanaSigner,
  TransactionOptions,
} from '../../ports/solana.ts';
import { toTransactionInstruction } from './attention-program.ts';

export async function signLegacyTransaction(
  instructions: readonly SolanaInstruction[],
  signer: SolanaSigner,
  lifetime: BlockhashLifetime,
  options: TransactionOptions = {},
): Promise<SignedTransaction> {
  const feePayer = new PublicKey(signer.address);
  const transaction = new Transaction({
    feePayer,
    blockhash: lifetime.blockhash,
    lastValidBlockHeight: Number(lifetime.lastValidBlockHeight),
  });
  if (options.computeUnitLimit !== undefined) {
    transaction.add(ComputeBudgetProgram.setComputeUnitLimit({ units: options.computeUnitLimit }));
  }
  const price = options.computeUnitPriceMicroLamports ?? 0n;
  if (price > 0n) transaction.add(ComputeBudgetProgram.setComputeUnitPrice({ microLamports: price }));
  for (const instruction of instructions) transaction.add(toTransactionInstruction(instruction));

  const signature = await signer.signMessage(transaction.serializeMessage());
  transaction.addSignature(feePayer, Buffer.from(signature));
  let wireTransaction: Uint8Array;
  try {
    wireTransaction = new Uint8Array(transaction.serialize());
  } catch (error) {
    throw new ValidationError(`transaction cannot be serialized: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return { signature: bs58.encode(signature), wireTransaction, lifetime };
}

/** The wire bytes with empty signatures; undefined when the transaction is over the packet limit. */
export function serializeUnsignedLegacyTransaction(
  instructions: readonly SolanaInstruction[],
  feePayer: string,
  lifetime: BlockhashLifetime,
): Uint8Array | undefined {
  const transaction = new Transaction({
    feePayer: new PublicKey(feePayer),
    blockhash: lifetime.blockhash,
    lastValidBlockHeight: Number(lifetime.lastValidBlockHeight),
  });
  for (const instruction of instructions) transaction.add(toTransactionInstruction(instruction));
  try {
    return new Uint8Array(transaction.serialize({ requireAllSignatures: false, verifySignatures: false }));
  } catch (error) {
    // web3.js refuses a transaction over the packet limit, or overruns its message buffer first.
    if (error instanceof RangeError || /too large/i.test((error as Error).message)) return undefined;
    throw new ValidationError(`transaction cannot be serialized: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** web3.js RPC answers mapped to the port's records (bigint slots and lamports, base58 keys, bytes). */
import type { PublicKey, VersionedTransactionResponse } from '@solana/web3.js';
import bs58 from 'bs58';
import type { SolanaAccount, SolanaTransactionRecord } from '../../ports/solana.ts';

/** A landed transaction with its account keys resolved (address lookup tables included). */
export function toTransactionRecord(
  signature: string,
  response: VersionedTransactionResponse,
): SolanaTransactionRecord {
  const message = response.transaction.message;
  const keys = message.getAccountKeys(
    response.meta?.loadedAddresses ? { accountKeysFromLookups: response.meta.loadedAddresses } : undefined,
  );
  const accountKeys = Array.from({ length: keys.length }, (_, i) => keys.get(i)?.toBase58() ?? '');
  return {
    signature,
    slot: BigInt(response.slot),
    blockTime: response.blockTime ?? null,
    fee: BigInt(response.meta?.fee ?? 0),
    err: response.meta?.err ?? null,
    feePayer: accountKeys[0] ?? '',
    accountKeys,
    instructions: message.compiledInstructions.map((instruction) => ({
      programAddress: accountKeys[instruction.programIdIndex] ?? '',
      accounts: instruction.accountKeyIndexes.map((index) => accountKeys[index] ?? ''),
      data: new Uint8Array(instruction.data),
    })),
    innerInstructions: (response.meta?.innerInstructions ?? [])
      .slice()
      .sort((a, b) => a.index - b.index)
      .flatMap((inner) =>
        inner.instructions.map((instruction) => ({
          programAddress: accountKeys[instruction.programIdIndex] ?? '',
          accounts: instruction.accounts.map((index) => accountKeys[index] ?? ''),
          data: bs58.decode(instruction.data),
        })),
      ),
    logMessages: response.meta?.logMessages ?? [],
  };
}

export function toAccount(
  address: string,
  info: { lamports: number; owner: PublicKey; executable: boolean; data: Buffer },
): SolanaAccount {
  return {
    address,
    lamports: BigInt(info.lamports),
    owner: info.owner.toBase58(),
    executable: info.executable,
    data: new Uint8Array(info.data),
  };
}

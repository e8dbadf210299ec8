/**
 * The few pieces of SPL Token-2022 the local chain needs, without a token SDK: the mint and
 * token account layouts (the base layouts shared with SPL Token, then Token-2022's account type
 * byte and TLV extensions), and the instructions that set up a mint and a funded treasury.
 *
 * Layouts as spl-token-2022 defines them: a mint is 82 bytes (mint authority COption<Pubkey>,
 * supply u64, decimals u8, is_initialized, freeze authority COption<Pubkey>); a token account
 * is 165 bytes (mint, owner, amount u64, delegate COption<Pubkey>, state u8, is_native
 * COption<u64>, delegated amount u64, close authority COption<Pubkey>). An associated token
 * account of a Token-2022 mint carries the ImmutableOwner extension: account type 2 at byte
 * 165, then the TLV entry (type 7, length 0), 170 bytes in all.
 */
import { PublicKey, SystemProgram, TransactionInstruction } from '@solana/web3.js';
import {
  ASSOCIATED_TOKEN_PROGRAM_ID,
  TOKEN_2022_PROGRAM_ID,
} from '../layers/shared/src/core/solana/program-ids.ts';

export const TOKEN_PROGRAM_ID = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA';
export const MINT_SIZE = 82;
export const TOKEN_ACCOUNT_BASE_SIZE = 165;
/** Base account, account type, and the ImmutableOwner TLV entry (type u16, length u16). */
export const ASSOCIATED_TOKEN_ACCOUNT_SIZE = TOKEN_ACCOUNT_BASE_SIZE + 1 + 4;

const ACCOUNT_TYPE_ACCOUNT = 2;
const EXTENSION_IMMUTABLE_OWNER = 7;
const STATE_INITIALIZED = 1;
const STATE_FROZEN = 2;
const AMOUNT_OFFSET = 64;
const STATE_OFFSET = 108;

export interface TokenAccount {
  readonly mint: string;
  readonly owner: string;
  readonly amount: bigint;
  readonly state: 'uninitialized' | 'initialized' | 'frozen';
}

export interface MintInfo {
  readonly decimals: number;
  readonly supply: bigint;
  readonly initialized: boolean;
}

export function isTokenProgram(owner: string): boolean {
  return owner === TOKEN_2022_PROGRAM_ID || owner === TOKEN_PROGRAM_ID;
}

/** A token account's fields, or undefined when the bytes are not one. */
export function readTokenAccount(data: Uint8Array): TokenAccount | undefined {
  if (data.length < TOKEN_ACCOUNT_BASE_SIZE) return undefined;
  if (data.length > TOKEN_ACCOUNT_BASE_SIZE && data[TOKEN_ACCOUNT_BASE_SIZE] !== ACCOUNT_TYPE_ACCOUNT)
    return undefined;
  const bytes = Buffer.from(data);
  const state = bytes[STATE_OFFSET];
  return {
    mint: new PublicKey(bytes.subarray(0, 32)).toBase58(),
    owner: new PublicKey(bytes.subarray(32, 64)).toBase58(),
    amount: bytes.readBigUInt64LE(AMOUNT_OFFSET),
    state: state === STATE_FROZEN ? 'frozen' : state === STATE_INITIALIZED ? 'initialized' : 'uninitialized',
  };
}

export function readMint(data: Uint8Array): MintInfo | undefined {
  if (data.length < MINT_SIZE) return undefined;
  const bytes = Buffer.from(data);
  return { supply: bytes.readBigUInt64LE(36), decimals: bytes[44] ?? 0, initialized: bytes[45] === 1 };
}

/** A copy of the token account's bytes holding `amount`. */
export function withTokenAmount(data: Uint8Array, amount: bigint): Uint8Array {
  const out = Buffer.from(data);
  out.writeBigUInt64LE(amount, AMOUNT_OFFSET);
  return new Uint8Array(out);
}

/** An initialized, empty associated token account of a Token-2022 mint, as the ATA program makes it. */
export function associatedTokenAccountData(mint: string, owner: string): Uint8Array {
  const out = Buffer.alloc(ASSOCIATED_TOKEN_ACCOUNT_SIZE);
  new PublicKey(mint).toBuffer().copy(out, 0);
  new PublicKey(owner).toBuffer().copy(out, 32);
  out[STATE_OFFSET] = STATE_INITIALIZED;
  out[TOKEN_ACCOUNT_BASE_SIZE] = ACCOUNT_TYPE_ACCOUNT;
  out.writeUInt16LE(EXTENSION_IMMUTABLE_OWNER, TOKEN_ACCOUNT_BASE_SIZE + 1);
  return new Uint8Array(out);
}

export function associatedTokenAddress(
  owner: string,
  mint: string,
  tokenProgram = TOKEN_2022_PROGRAM_ID,
): string {
  return PublicKey.findProgramAddressSync(
    [new PublicKey(owner).toBuffer(), new PublicKey(tokenProgram).toBuffer(), new PublicKey(mint).toBuffer()],
    new PublicKey(ASSOCIATED_TOKEN_PROGRAM_ID),
  )[0].toBase58();
}

/** Creates the account and initializes it as a mint with no freeze authority (InitializeMint2). */
export function createMintInstructions(input: {
  payer: string;
  mint: string;
  mintAuthority: string;
  decimals: number;
  rentLamports: bigint;
}): TransactionInstruction[] {
  const data = Buffer.alloc(1 + 1 + 32 + 1);
  data[0] = 20;
  data[1] = input.decimals;
  new PublicKey(input.mintAuthority).toBuffer().copy(data, 2);
  data[34] = 0;
  return [
    SystemProgram.createAccount({
      fromPubkey: new PublicKey(input.payer),
      newAccountPubkey: new PublicKey(input.mint),
      lamports: Number(input.rentLamports),
      space: MINT_SIZE,
      programId: new PublicKey(TOKEN_2022_PROGRAM_ID),
    }),
    new TransactionInstruction({
      programId: new PublicKey(TOKEN_2022_PROGRAM_ID),
      keys: [{ pubkey: new PublicKey(input.mint), isSigner: false, isWritable: true }],
      data,
    }),
  ];
}

/** The associated token program's CreateIdempotent: any owner, a PDA included. */
export function createAssociatedTokenAccountInstruction(input: {
  payer: string;
  owner: string;
  mint: string;
}): TransactionInstruction {
  return new TransactionInstruction({
    programId: new PublicKey(ASSOCIATED_TOKEN_PROGRAM_ID),
    keys: [
      { pubkey: new PublicKey(input.payer), isSigner: true, isWritable: true },
      {
        pubkey: new PublicKey(associatedTokenAddress(input.owner, input.mint)),
        isSigner: false,
        isWritable: true,
      },
      { pubkey: new PublicKey(input.owner), isSigner: false, isWritable: false },
      { pubkey: new PublicKey(input.mint), isSigner: false, isWritable: false },
      { pubkey: SystemProgram.programId, isSigner: false, isWritable: false },
      { pubkey: new PublicKey(TOKEN_2022_PROGRAM_ID), isSigner: false, isWritable: false },
    ],
    data: Buffer.from([1]),
  });
}

export function mintToInstruction(input: {
  mint: string;
  destination: string;
  authority: string;
  amount: bigint;
}): TransactionInstruction {
  const data = Buffer.alloc(9);
  data[0] = 7;
  data.writeBigUInt64LE(input.amount, 1);
  return new TransactionInstruction({
    programId: new PublicKey(TOKEN_2022_PROGRAM_ID),
    keys: [
      { pubkey: new PublicKey(input.mint), isSigner: false, isWritable: true },
      { pubkey: new PublicKey(input.destination), isSigner: false, isWritable: true },
      { pubkey: new PublicKey(input.authority), isSigner: true, isWritable: false },
    ],
    data,
  });
}

/** TransferChecked: what the attention program invokes to pay a claim, and what a wallet signs to move tokens. */
export function transferCheckedInstruction(input: {
  source: string;
  mint: string;
  destination: string;
  authority: string;
  amount: bigint;
  decimals: number;
}): TransactionInstruction {
  return new TransactionInstruction({
    programId: new PublicKey(TOKEN_2022_PROGRAM_ID),
    keys: [
      { pubkey: new PublicKey(input.source), isSigner: false, isWritable: true },
      { pubkey: new PublicKey(input.mint), isSigner: false, isWritable: false },
      { pubkey: new PublicKey(input.destination), isSigner: false, isWritable: true },
      { pubkey: new PublicKey(input.authority), isSigner: true, isWritable: false },
    ],
    data: transferCheckedData(input.amount, input.decimals),
  });
}

export function transferCheckedData(amount: bigint, decimals: number): Buffer {
  const data = Buffer.alloc(10);
  data[0] = 12;
  data.writeBigUInt64LE(amount, 1);
  data[9] = decimals;
  return data;
}

export interface UiTokenAmount {
  readonly amount: string;
  readonly decimals: number;
  readonly uiAmount: number;
  readonly uiAmountString: string;
}

/** An amount as getTokenAccountBalance and a transaction's token balances show it. */
export function uiTokenAmount(amount: bigint, decimals: number): UiTokenAmount {
  const scale = 10n ** BigInt(decimals);
  const fraction = (amount % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  const text = fraction === '' ? (amount / scale).toString() : `${amount / scale}.${fraction}`;
  return { amount: amount.toString(), decimals, uiAmount: Number(text), uiAmountString: text };
}

export interface TokenBalanceJson {
  readonly accountIndex: number;
  readonly mint: string;
  readonly owner: string;
  readonly programId: string;
  readonly uiTokenAmount: UiTokenAmount;
}

/** The token accounts among a transaction's accounts, as `preTokenBalances`/`postTokenBalances` list them. */
export function tokenBalances(
  keys: readonly string[],
  read: (key: string) => { readonly owner: string; readonly data: Uint8Array } | undefined,
): TokenBalanceJson[] {
  const balances: TokenBalanceJson[] = [];
  keys.forEach((key, accountIndex) => {
    const account = read(key);
    if (account === undefined || !isTokenProgram(account.owner)) return;
    const token = readTokenAccount(account.data);
    if (token === undefined || token.state === 'uninitialized') return;
    const mint = read(token.mint);
    const decimals = mint === undefined ? 0 : (readMint(mint.data)?.decimals ?? 0);
    balances.push({
      accountIndex,
      mint: token.mint,
      owner: token.owner,
      programId: account.owner,
      uiTokenAmount: uiTokenAmount(token.amount, decimals),
    });
  });
  return balances;
}

/**
 * A chain-SDK-free description of a Solana instruction: what the ports carry between services
 * and the Solana adapter. Addresses are base58 strings.
 */
export interface SolanaAccountMeta {
  readonly address: string;
  readonly isSigner: boolean;
  readonly isWritable: boolean;
}

export interface SolanaInstruction {
  readonly programAddress: string;
  readonly accounts: readonly SolanaAccountMeta[];
  readonly data: Uint8Array;
}

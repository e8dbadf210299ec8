/**
 * What the oracle call delivery engine needs from an EVM chain, with quantities as bigint and
 * hex strings, so services stay free of the chain SDK (adapters/evm/ implements it with ethers).
 * Failures are thrown as they come; services classify them with core/delivery/chain-error-class.
 */
import type { Eip1559Fees, FeeHistory } from '../core/delivery/fee-policy.ts';

export interface EvmCallRequest {
  readonly from: string;
  readonly to: string;
  readonly data: string;
}

export interface EvmReceipt {
  readonly hash: string;
  /** 1 success, 0 reverted. */
  readonly status: number;
  readonly blockNumber: number;
  readonly gasUsed: bigint;
  readonly effectiveGasPrice: bigint;
}

export interface EvmChain {
  /** The RPC endpoint; the circuit breaker is kept per endpoint. */
  readonly endpoint: string;
  readonly chainId: number;
  estimateGas(request: EvmCallRequest): Promise<bigint>;
  feeHistory(blocks: number, percentile: number): Promise<FeeHistory>;
  /** The number of the latest block. */
  blockNumber(): Promise<number>;
  /** Transactions the address has mined ('latest') or including the node's pool ('pending'). */
  getTransactionCount(address: string, blockTag: 'latest' | 'pending'): Promise<number>;
  /** Sends a signed transaction; resolves to its hash. A node that already has it is not an error. */
  sendRawTransaction(raw: string): Promise<string>;
  getReceipt(hash: string): Promise<EvmReceipt | null>;
  /** Whether the node knows the transaction (pool or chain). */
  hasTransaction(hash: string): Promise<boolean>;
  /** Replays a mined call to read why it reverted. */
  revertReason(request: EvmCallRequest, blockNumber: number): Promise<string | undefined>;
}

export interface UnsignedEvmTransaction {
  readonly chainId: number;
  readonly nonce: number;
  readonly to: string;
  readonly data: string;
  readonly value: bigint;
  readonly gasLimit: bigint;
  readonly fees: Eip1559Fees;
}

export interface SignedEvmTransaction {
  readonly hash: string;
  readonly raw: string;
}

/** Holds the oracle key (read from the secret store); signs locally, never sends. */
export interface EvmSigner {
  readonly address: string;
  sign(transaction: UnsignedEvmTransaction): SignedEvmTransaction;
}

/** Encodes a call from a human-readable function signature and its arguments. */
export interface EvmCallEncoder {
  encode(functionSignature: string, args: readonly unknown[]): { functionName: string; data: string };
}

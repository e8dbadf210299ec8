/**
 * What the market poller reads from an EVM chain: the head, block hashes (for reorg detection),
 * the factory's and pools' logs decoded, and a pool's state at a block. Quantities are bigint and
 * addresses lowercase hex, so services stay free of the chain SDK (adapters/evm/ implements it).
 */
import type { PoolObservation } from '../core/market/twap.ts';

export interface ChainBlock {
  readonly number: number;
  readonly hash: string;
  readonly timestamp: number;
}

interface LogPosition {
  readonly address: string;
  readonly blockNumber: number;
  readonly blockHash: string;
  readonly txHash: string;
  readonly logIndex: number;
}

export interface PoolCreatedLog extends LogPosition {
  readonly kind: 'pool-created';
  readonly token0: string;
  readonly token1: string;
  readonly pool: string;
}

export interface SwapLog extends LogPosition {
  readonly kind: 'swap';
  readonly sender: string;
  readonly recipient: string;
  readonly amount0In: bigint;
  readonly amount1In: bigint;
  readonly amount0Out: bigint;
  readonly amount1Out: bigint;
}

export interface LiquidityLog extends LogPosition {
  readonly kind: 'mint' | 'burn';
  readonly sender: string;
  readonly recipient: string;
  readonly amount0: bigint;
  readonly amount1: bigint;
}

export interface SyncLog extends LogPosition {
  readonly kind: 'sync';
  readonly reserve0: bigint;
  readonly reserve1: bigint;
}

export type MarketLog = PoolCreatedLog | SwapLog | LiquidityLog | SyncLog;

export interface TokenMetadata {
  readonly symbol: string;
  readonly name: string;
  readonly decimals: number;
}

export interface MarketChainReader {
  readonly chainId: number;
  headNumber(): Promise<number>;
  /** The block at `number` as the chain sees it now; undefined when it does not exist (any more). */
  block(number: number): Promise<ChainBlock | undefined>;
  /** Decoded factory and pool logs of `addresses` in [from, to], in chain order. */
  logs(addresses: readonly string[], from: number, to: number): Promise<MarketLog[]>;
  /** Reserves and cumulative prices after block `blockNumber`. */
  poolStateAt(pool: string, blockNumber: number): Promise<PoolObservation>;
  tokenMetadata(token: string): Promise<TokenMetadata>;
}

/**
 * What the market poller stores for a range of decoded chain logs: a transaction row per swap,
 * mint and burn (keyed by chain, tx hash and log index, so a re-read writes nothing twice), and a
 * pool row with its base and quote sides for each pool the factory created.
 */
import type { ChainBlock, MarketLog, PoolCreatedLog, TokenMetadata } from '../../ports/market-chain.ts';
import { poolBaseQuote } from './volume.ts';

/** A pool event as stored: amounts in base units, decimal strings. */
export interface MarketTransactionRow {
  readonly chainId: number;
  readonly poolAddress: string;
  readonly txHash: string;
  readonly logIndex: number;
  readonly blockNumber: number;
  readonly blockHash: string;
  readonly blockTimestamp: number;
  readonly kind: 'swap' | 'mint' | 'burn';
  readonly sender: string;
  readonly recipient: string;
  readonly amount0In: string;
  readonly amount1In: string;
  readonly amount0Out: string;
  readonly amount1Out: string;
}

/** A pool's sides and its tokens' decimals: what pricing its reserves needs. */
export interface PoolSides {
  readonly address: string;
  readonly token0: string;
  readonly token1: string;
  /** The side priced in the other (the listed token). */
  readonly baseToken: string;
  readonly quoteToken: string;
  readonly decimals0: number;
  readonly decimals1: number;
}

/** Tokens' decimals default to 18 where the token does not say (ERC-20 makes `decimals` optional). */
export const DEFAULT_DECIMALS = 18;

export function isPoolCreated(log: MarketLog): log is PoolCreatedLog {
  return log.kind === 'pool-created';
}

/**
 * The swap, mint and burn logs as transaction rows. Liquidity added goes into the pool (in),
 * removed comes out. `blocks` must hold every log's block.
 */
export function transactionRows(
  chainId: number,
  logs: readonly MarketLog[],
  blocks: ReadonlyMap<number, ChainBlock>,
): MarketTransactionRow[] {
  return logs.flatMap((log) => {
    if (log.kind !== 'swap' && log.kind !== 'mint' && log.kind !== 'burn') return [];
    const block = blocks.get(log.blockNumber);
    if (block === undefined)
      throw new RangeError(`no block ${log.blockNumber} for log ${log.txHash}:${log.logIndex}`);
    const position = {
      chainId,
      poolAddress: log.address,
      txHash: log.txHash,
      logIndex: log.logIndex,
      blockNumber: log.blockNumber,
      blockHash: log.blockHash,
      blockTimestamp: block.timestamp,
      kind: log.kind,
      sender: log.sender,
      recipient: log.recipient,
    };
    if (log.kind === 'swap') {
      return [
        {
          ...position,
          amount0In: log.amount0In.toString(),
          amount1In: log.amount1In.toString(),
          amount0Out: log.amount0Out.toString(),
          amount1Out: log.amount1Out.toString(),
        },
      ];
    }
    const into = log.kind === 'mint';
    return [
      {
        ...position,
        amount0In: into ? log.amount0.toString() : '0',
        amount1In: into ? log.amount1.toString() : '0',
        amount0Out: into ? '0' : log.amount0.toString(),
        amount1Out: into ? '0' : log.amount1.toString(),
      },
    ];
  });
}

/** The created pools' sides: the quote token where it is one of the pair, else token1. */
export function discoveredPools(
  created: readonly PoolCreatedLog[],
  metadata: ReadonlyMap<string, TokenMetadata>,
  quoteToken: string | undefined,
): PoolSides[] {
  return created.map((log) => {
    const { base, quote } = poolBaseQuote(log, quoteToken);
    return {
      address: log.pool,
      token0: log.token0,
      token1: log.token1,
      baseToken: base,
      quoteToken: quote,
      decimals0: metadata.get(log.token0)?.decimals ?? DEFAULT_DECIMALS,
      decimals1: metadata.get(log.token1)?.decimals ?? DEFAULT_DECIMALS,
    };
  });
}

/** The (pool, block) pairs with a Sync log: one observation each, the pool's state after the block. */
export function syncedPoolBlocks(logs: readonly MarketLog[]): { pool: string; block: number }[] {
  const pairs = new Map<string, { pool: string; block: number }>();
  for (const log of logs) {
    if (log.kind === 'sync')
      pairs.set(`${log.address}:${log.blockNumber}`, { pool: log.address, block: log.blockNumber });
  }
  return [...pairs.values()];
}

/**
 * The market poller's two transactions: storing one range read from the chain (tokens, pools and
 * their cursors, transactions, price feeds, block hashes, the cursors' advance and the rollups
 * from the range's earliest event), and rolling every table back above a fork block.
 */
import {
  deleteBlocksAbove,
  earliestTimestampAbove,
  upsertBlocks,
} from '../../adapters/db/market/chain-block-store.ts';
import {
  addCursor,
  advanceCursors,
  deleteCursors,
  rewindCursors,
} from '../../adapters/db/market/chain-cursor-store.ts';
import {
  deletePoolsAbove,
  deleteTokensAbove,
  insertPool,
  insertToken,
} from '../../adapters/db/market/pool-store.ts';
import { deletePriceFeedsAbove, insertPriceFeeds } from '../../adapters/db/market/price-feed-store.ts';
import { deleteTransactionsAbove, insertTransactions } from '../../adapters/db/market/transaction-store.ts';
import type { MarketTransactionRow, PoolSides } from '../../core/market/market-log-rows.ts';
import type { PriceFeedRow } from '../../core/market/pool-prices.ts';
import type { ChainBlock, PoolCreatedLog, TokenMetadata } from '../../ports/market-chain.ts';
import type { Queryable, Sql } from '../../ports/sql.ts';
import { refreshRollups } from './market-rollups.ts';

export interface ReorgSummary {
  readonly forkBlock: number;
  readonly transactionsRemoved: number;
  readonly priceFeedsRemoved: number;
  readonly poolsRemoved: number;
}

export interface RangeWrite {
  readonly created: readonly PoolCreatedLog[];
  readonly metadata: ReadonlyMap<string, TokenMetadata>;
  readonly pools: ReadonlyMap<string, PoolSides>;
  readonly transactions: readonly MarketTransactionRow[];
  readonly feeds: readonly PriceFeedRow[];
  readonly blocks: readonly ChainBlock[];
  /** The contracts whose cursors the range advances. */
  readonly cursors: readonly string[];
  readonly to: ChainBlock;
}

export interface RangeCounts {
  readonly poolsAdded: number;
  readonly transactionsAdded: number;
  readonly priceFeedsAdded: number;
}

/** The created pools, their tokens, and a cursor for each starting in its creation block. */
async function addCreatedPools(tx: Queryable, chainId: number, range: RangeWrite): Promise<number> {
  let added = 0;
  for (const log of range.created) {
    for (const address of [log.token0, log.token1]) {
      const meta = range.metadata.get(address);
      await insertToken(tx, chainId, {
        address,
        symbol: meta?.symbol ?? null,
        name: meta?.name ?? null,
        decimals: meta?.decimals ?? 18,
        firstSeenBlock: log.blockNumber,
      });
    }
    const pool = range.pools.get(log.pool)!;
    const isNew = await insertPool(tx, chainId, {
      address: log.pool,
      token0: log.token0,
      token1: log.token1,
      baseToken: pool.baseToken,
      quoteToken: pool.quoteToken,
      createdBlock: log.blockNumber,
      createdTx: log.txHash,
    });
    if (isNew) added++;
    // The pool's own events start in its creation block.
    await addCursor(tx, chainId, { contractAddress: log.pool, kind: 'pool', lastBlock: log.blockNumber - 1 });
  }
  return added;
}

export async function writeRange(sql: Sql, chainId: number, range: RangeWrite): Promise<RangeCounts> {
  return sql.begin(async (tx) => {
    const poolsAdded = await addCreatedPools(tx, chainId, range);
    const transactionsAdded = await insertTransactions(tx, range.transactions);
    const priceFeedsAdded = await insertPriceFeeds(tx, range.feeds);
    await upsertBlocks(tx, chainId, range.blocks);
    await advanceCursors(tx, chainId, range.cursors, range.to);
    const earliest = Math.min(
      ...range.transactions.map((row) => row.blockTimestamp),
      ...range.feeds.map((row) => row.blockTimestamp),
    );
    if (Number.isFinite(earliest)) await refreshRollups(tx, chainId, earliest);
    return { poolsAdded, transactionsAdded, priceFeedsAdded };
  }) as Promise<RangeCounts>;
}

export async function rollBackAbove(sql: Sql, chainId: number, forkBlock: number): Promise<ReorgSummary> {
  return sql.begin(async (tx) => {
    const forkTime = await earliestTimestampAbove(tx, chainId, forkBlock);
    const transactionsRemoved = await deleteTransactionsAbove(tx, chainId, forkBlock);
    const priceFeedsRemoved = await deletePriceFeedsAbove(tx, chainId, forkBlock);
    const removedPools = await deletePoolsAbove(tx, chainId, forkBlock);
    if (removedPools.length > 0) await deleteCursors(tx, chainId, removedPools);
    await deleteTokensAbove(tx, chainId, forkBlock);
    await deleteBlocksAbove(tx, chainId, forkBlock);
    await rewindCursors(tx, chainId, forkBlock);
    await refreshRollups(tx, chainId, forkTime);
    return { forkBlock, transactionsRemoved, priceFeedsRemoved, poolsRemoved: removedPools.length };
  }) as Promise<ReorgSummary>;
}

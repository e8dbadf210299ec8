/**
 * The chain log poller: one block cursor per contract (the factory and every pool it created),
 * reading only blocks `confirmations` behind the head. Every block it reads up to is remembered
 * with its hash; when the chain later reports another hash for the newest one, the poller finds
 * the highest block that still agrees and rolls back every row above it (transactions, price
 * feeds, pools, tokens, rollups) in one transaction before reading again. Rows are keyed by
 * (chain, tx hash, log index) and (chain, pool, block), so a re-read writes nothing twice.
 */

import { recentBlocks } from '../../adapters/db/market/chain-block-store.ts';
import { addCursor, type ChainCursor, cursorsBehind } from '../../adapters/db/market/chain-cursor-store.ts';
import { poolSides } from '../../adapters/db/market/pool-store.ts';
import type { PriceUpdatedEvent } from '../../core/events/domain-events.ts';
import {
  discoveredPools,
  isPoolCreated,
  type PoolSides,
  syncedPoolBlocks,
  transactionRows,
} from '../../core/market/market-log-rows.ts';
import { latestPriceUpdates, type PoolStateAtBlock, priceFeedRows } from '../../core/market/pool-prices.ts';
import { findForkPoint, pollRange } from '../../core/market/reorg.ts';
import { ChainError } from '../../errors.ts';
import type { EventBus } from '../../ports/event-bus.ts';
import type {
  ChainBlock,
  MarketChainReader,
  MarketLog,
  PoolCreatedLog,
  TokenMetadata,
} from '../../ports/market-chain.ts';
import type { Sql } from '../../ports/sql.ts';
import { type ReorgSummary, rollBackAbove, writeRange } from './market-range-writes.ts';

export type { ReorgSummary } from './market-range-writes.ts';

export interface MarketPollerOptions {
  readonly factoryAddress: string;
  /** The block to start reading the factory from. @default 0 */
  readonly factoryStartBlock?: number;
  /** Blocks behind the head that are not read yet. */
  readonly confirmations: number;
  /** Blocks per getLogs request. @default 2000 */
  readonly maxBlocksPerPoll?: number;
  readonly quoteToken?: string;
  /** Stored blocks searched for a fork point. @default 256 */
  readonly reorgSearchDepth?: number;
}

export interface PollDeps {
  readonly sql: Sql;
  readonly chain: MarketChainReader;
  readonly bus?: EventBus;
}

export interface PollResult {
  readonly head: number;
  readonly readUpTo: number | undefined;
  readonly reorg: ReorgSummary | undefined;
  readonly poolsAdded: number;
  readonly transactionsAdded: number;
  readonly priceFeedsAdded: number;
  readonly priceUpdates: readonly PriceUpdatedEvent[];
}

export async function pollMarket(deps: PollDeps, options: MarketPollerOptions): Promise<PollResult> {
  const { sql, chain } = deps;
  const chainId = chain.chainId;
  const factory = options.factoryAddress.toLowerCase();
  await addCursor(sql, chainId, {
    contractAddress: factory,
    kind: 'factory',
    lastBlock: (options.factoryStartBlock ?? 0) - 1,
  });

  const reorg = await detectAndRollBack(deps, options.reorgSearchDepth ?? 256);
  const head = await chain.headNumber();
  const target = head - options.confirmations;
  const maxBlocks = options.maxBlocksPerPoll ?? 2000;
  let poolsAdded = 0;
  let transactionsAdded = 0;
  let priceFeedsAdded = 0;
  const updates = new Map<string, PriceUpdatedEvent>();

  // New pools join with a cursor behind the others; groups advance until all reach the target.
  for (let round = 0; round < 10_000; round++) {
    const cursors = await cursorsBehind(sql, chainId, target);
    const first = cursors[0];
    if (first === undefined) break;
    const cursor = first.lastBlock;
    const group = cursors.filter((row) => row.lastBlock === cursor);
    const range = pollRange(cursor, head, options.confirmations, maxBlocks);
    if (range === undefined) break;
    const result = await readRange(deps, options, group, range.from, range.to);
    poolsAdded += result.poolsAdded;
    transactionsAdded += result.transactionsAdded;
    priceFeedsAdded += result.priceFeedsAdded;
    for (const update of result.priceUpdates) updates.set(update.poolAddress, update);
  }

  const priceUpdates = [...updates.values()].sort((a, b) => a.blockNumber - b.blockNumber);
  for (const update of priceUpdates) await deps.bus?.publish(update);
  return {
    head,
    readUpTo: target >= 0 ? target : undefined,
    reorg,
    poolsAdded,
    transactionsAdded,
    priceFeedsAdded,
    priceUpdates,
  };
}

async function detectAndRollBack(deps: PollDeps, searchDepth: number): Promise<ReorgSummary | undefined> {
  const { sql, chain } = deps;
  const chainId = chain.chainId;
  const known = await recentBlocks(sql, chainId, searchDepth);
  const latest = known[0];
  if (latest === undefined) return undefined;
  const current = await chain.block(latest.number);
  // Block hashes chain their parents: if the newest stored block still stands, so do the older ones.
  if (current !== undefined && current.hash === latest.hash) return undefined;

  const chainHashes = new Map<number, string | undefined>();
  let fork: number | undefined;
  for (const block of known) {
    const now = await chain.block(block.number);
    chainHashes.set(block.number, now?.hash);
    fork = findForkPoint(known, chainHashes);
    if (fork !== undefined) break;
  }
  const forkBlock = fork ?? Math.min(...known.map((block) => block.number)) - 1;
  return rollBackAbove(sql, chainId, forkBlock);
}

interface RangeResult {
  poolsAdded: number;
  transactionsAdded: number;
  priceFeedsAdded: number;
  priceUpdates: PriceUpdatedEvent[];
}

/** The blocks of the logs and of `to`, each checked against its logs' block hash. */
async function readBlocks(
  chain: MarketChainReader,
  logs: readonly MarketLog[],
  to: number,
): Promise<Map<number, ChainBlock>> {
  const numbers = new Set<number>(logs.map((log) => log.blockNumber));
  numbers.add(to);
  const blocks = new Map<number, ChainBlock>();
  for (const number of [...numbers].sort((a, b) => a - b)) {
    const block = await chain.block(number);
    if (block === undefined) throw new ChainError(`block ${number} vanished while polling`, 'network');
    blocks.set(number, block);
  }
  for (const log of logs) {
    if (blocks.get(log.blockNumber)?.hash !== log.blockHash)
      throw new ChainError(`block ${log.blockNumber} changed while polling (reorg in progress)`, 'network');
  }
  return blocks;
}

async function readTokenMetadata(
  chain: MarketChainReader,
  created: readonly PoolCreatedLog[],
): Promise<Map<string, TokenMetadata>> {
  const metadata = new Map<string, TokenMetadata>();
  for (const log of created) {
    for (const token of [log.token0, log.token1]) {
      if (!metadata.has(token)) metadata.set(token, await chain.tokenMetadata(token));
    }
  }
  return metadata;
}

async function readPoolStates(
  chain: MarketChainReader,
  logs: readonly MarketLog[],
): Promise<PoolStateAtBlock[]> {
  const states: PoolStateAtBlock[] = [];
  for (const { pool, block } of syncedPoolBlocks(logs)) {
    states.push({ pool, block, state: await chain.poolStateAt(pool, block) });
  }
  return states;
}

/**
 * Reads one range of blocks for a group of contracts at the same cursor and stores it in one
 * transaction. Everything from the chain (blocks, new tokens' metadata, pool states) is read
 * before the transaction opens.
 */
async function readRange(
  deps: PollDeps,
  options: MarketPollerOptions,
  group: readonly ChainCursor[],
  from: number,
  to: number,
): Promise<RangeResult> {
  const { sql, chain } = deps;
  const chainId = chain.chainId;
  const addresses = group.map((cursor) => cursor.contractAddress);
  const logs = await chain.logs(addresses, from, to);
  const blocks = await readBlocks(chain, logs, to);
  const created = logs.filter(isPoolCreated);
  const metadata = await readTokenMetadata(chain, created);
  const newPools = discoveredPools(created, metadata, options.quoteToken);
  const known = addresses.length === 0 ? [] : await poolSides(sql, chainId, addresses);
  const pools = new Map<string, PoolSides>([...known, ...newPools].map((pool) => [pool.address, pool]));
  const transactions = transactionRows(chainId, logs, blocks);
  const feeds = priceFeedRows(chainId, await readPoolStates(chain, logs), pools, blocks);
  const counts = await writeRange(sql, chainId, {
    created,
    metadata,
    pools,
    transactions,
    feeds,
    blocks: [...blocks.values()],
    cursors: addresses,
    to: blocks.get(to)!,
  });
  return { ...counts, priceUpdates: latestPriceUpdates(chainId, feeds, pools) };
}

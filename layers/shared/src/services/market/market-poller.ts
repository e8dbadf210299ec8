/**
 * The chain log poller: one block cursor per contract (the factory and every pool it created),
 * reading only blocks `confirmations` behind the head. Every block it reads up to is remembered
 * with its hash; when the chain later reports another hash for the newest one, the poller finds
 * the highest block that still agrees and rolls back every row above it (transactions, price
 * feeds, pools, tokens, rollups) in one transaction before reading again. Rows are keyed by
 * (chain, tx hash, log index) and (chain, pool, block), so a re-read writes nothing twice.
 */

import type { PriceUpdatedEvent } from '../../core/events/domain-events.ts';
import { findForkPoint, pollRange } from '../../core/market/reorg.ts';
import { type PoolObservation, spotPriceX112, x112ToDecimal } from '../../core/market/twap.ts';
import { poolBaseQuote } from '../../core/market/volume.ts';
import { ChainError } from '../../errors.ts';
import type { EventBus } from '../../ports/event-bus.ts';
import type { ChainBlock, MarketChainReader, MarketLog, TokenMetadata } from '../../ports/market-chain.ts';
import type { Sql } from '../../ports/sql.ts';
import { refreshRollups } from './market-rollups.ts';

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

export interface ReorgSummary {
  readonly forkBlock: number;
  readonly transactionsRemoved: number;
  readonly priceFeedsRemoved: number;
  readonly poolsRemoved: number;
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

interface CursorRow {
  contract_address: string;
  kind: string;
  last_block: bigint;
}

interface PoolRow {
  address: string;
  token0: string;
  token1: string;
  base_token: string;
  quote_token: string;
  decimals0: number;
  decimals1: number;
}

export async function pollMarket(deps: PollDeps, options: MarketPollerOptions): Promise<PollResult> {
  const { sql, chain } = deps;
  const chainId = chain.chainId;
  const factory = options.factoryAddress.toLowerCase();
  await sql`
    insert into market.chain_cursors (chain_id, contract_address, kind, last_block)
    values (${chainId}, ${factory}, 'factory', ${(options.factoryStartBlock ?? 0) - 1})
    on conflict do nothing`;

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
    const cursors = await sql<CursorRow[]>`
      select contract_address, kind, last_block from market.chain_cursors
      where chain_id = ${chainId} and last_block < ${target}
      order by last_block, contract_address`;
    const first = cursors[0];
    if (first === undefined) break;
    const cursor = Number(first.last_block);
    const group = cursors.filter((row) => Number(row.last_block) === cursor);
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
  const stored = await sql<{ number: bigint; hash: string }[]>`
    select number, hash from market.chain_blocks where chain_id = ${chainId}
    order by number desc limit ${searchDepth}`;
  const latest = stored[0];
  if (latest === undefined) return undefined;
  const current = await chain.block(Number(latest.number));
  // Block hashes chain their parents: if the newest stored block still stands, so do the older ones.
  if (current !== undefined && current.hash === latest.hash) return undefined;

  const chainHashes = new Map<number, string | undefined>();
  const known = stored.map((row) => ({ number: Number(row.number), hash: row.hash }));
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

export async function rollBackAbove(sql: Sql, chainId: number, forkBlock: number): Promise<ReorgSummary> {
  return sql.begin(async (tx) => {
    const [forkTime] = await tx<{ timestamp: bigint }[]>`
      select coalesce(
        (select min(block_timestamp) from market.transactions where chain_id = ${chainId} and block_number > ${forkBlock}),
        (select min(timestamp) from market.chain_blocks where chain_id = ${chainId} and number > ${forkBlock}),
        0) as timestamp`;
    const removedTx = await tx`
      delete from market.transactions where chain_id = ${chainId} and block_number > ${forkBlock}`;
    const removedFeeds = await tx`
      delete from market.price_feeds where chain_id = ${chainId} and block_number > ${forkBlock}`;
    const removedPools = await tx<{ address: string }[]>`
      delete from market.pools where chain_id = ${chainId} and created_block > ${forkBlock} returning address`;
    if (removedPools.length > 0) {
      await tx`
        delete from market.chain_cursors
        where chain_id = ${chainId} and contract_address in ${tx(removedPools.map((row) => row.address))}`;
    }
    await tx`delete from market.tokens where chain_id = ${chainId} and first_seen_block > ${forkBlock}`;
    await tx`delete from market.chain_blocks where chain_id = ${chainId} and number > ${forkBlock}`;
    await tx`
      update market.chain_cursors set last_block = ${forkBlock}, last_block_hash = null, updated_at = now()
      where chain_id = ${chainId} and last_block > ${forkBlock}`;
    await refreshRollups(tx, chainId, Number(forkTime?.timestamp ?? 0n));
    return {
      forkBlock,
      transactionsRemoved: removedTx.count,
      priceFeedsRemoved: removedFeeds.count,
      poolsRemoved: removedPools.length,
    };
  }) as Promise<ReorgSummary>;
}

interface RangeResult {
  poolsAdded: number;
  transactionsAdded: number;
  priceFeedsAdded: number;
  priceUpdates: PriceUpdatedEvent[];
}

async function readRange(
  deps: PollDeps,
  options: MarketPollerOptions,
  group: readonly CursorRow[],
  from: number,
  to: number,
): Promise<RangeResult> {
  const { sql, chain } = deps;
  const chainId = chain.chainId;
  const addresses = group.map((row) => row.contract_address);
  const logs = await chain.logs(addresses, from, to);

  const blockNumbers = new Set<number>(logs.map((log) => log.blockNumber));
  blockNumbers.add(to);
  const blocks = new Map<number, ChainBlock>();
  for (const number of [...blockNumbers].sort((a, b) => a - b)) {
    const block = await chain.block(number);
    if (block === undefined) throw new ChainError(`block ${number} vanished while polling`, 'network');
    blocks.set(number, block);
  }
  for (const log of logs) {
    if (blocks.get(log.blockNumber)?.hash !== log.blockHash)
      throw new ChainError(`block ${log.blockNumber} changed while polling (reorg in progress)`, 'network');
  }

  // Discovered pools and their tokens' metadata are read before the write transaction.
  const created = logs.filter(
    (log): log is Extract<MarketLog, { kind: 'pool-created' }> => log.kind === 'pool-created',
  );
  const metadata = new Map<string, TokenMetadata>();
  for (const log of created) {
    for (const token of [log.token0, log.token1]) {
      if (!metadata.has(token)) metadata.set(token, await chain.tokenMetadata(token));
    }
  }
  const newPools: PoolRow[] = created.map((log) => {
    const { base, quote } = poolBaseQuote(log, options.quoteToken);
    return {
      address: log.pool,
      token0: log.token0,
      token1: log.token1,
      base_token: base,
      quote_token: quote,
      decimals0: metadata.get(log.token0)?.decimals ?? 18,
      decimals1: metadata.get(log.token1)?.decimals ?? 18,
    };
  });

  const known = addresses.length === 0 ? [] : await poolsByAddress(sql, chainId, addresses);
  const poolInfo = new Map<string, PoolRow>([...known, ...newPools].map((pool) => [pool.address, pool]));

  // One observation per (pool, block) with a Sync: the state after the block.
  const syncBlocks = new Map<string, { pool: string; block: number }>();
  for (const log of logs) {
    if (log.kind === 'sync')
      syncBlocks.set(`${log.address}:${log.blockNumber}`, { pool: log.address, block: log.blockNumber });
  }
  const observations: { pool: string; block: number; state: PoolObservation }[] = [];
  for (const { pool, block } of syncBlocks.values()) {
    observations.push({ pool, block, state: await chain.poolStateAt(pool, block) });
  }

  const transactionRows = logs.flatMap((log) => {
    if (log.kind !== 'swap' && log.kind !== 'mint' && log.kind !== 'burn') return [];
    const block = blocks.get(log.blockNumber)!;
    const base = {
      chain_id: chainId,
      pool_address: log.address,
      tx_hash: log.txHash,
      log_index: log.logIndex,
      block_number: log.blockNumber,
      block_hash: log.blockHash,
      block_timestamp: block.timestamp,
      kind: log.kind,
      sender: log.sender,
      recipient: log.recipient,
    };
    if (log.kind === 'swap') {
      return [
        {
          ...base,
          amount0_in: log.amount0In.toString(),
          amount1_in: log.amount1In.toString(),
          amount0_out: log.amount0Out.toString(),
          amount1_out: log.amount1Out.toString(),
        },
      ];
    }
    // Liquidity added goes into the pool (in), removed comes out.
    const into = log.kind === 'mint';
    return [
      {
        ...base,
        amount0_in: into ? log.amount0.toString() : '0',
        amount1_in: into ? log.amount1.toString() : '0',
        amount0_out: into ? '0' : log.amount0.toString(),
        amount1_out: into ? '0' : log.amount1.toString(),
      },
    ];
  });

  const feedRows = observations.map(({ pool, block, state }) => {
    const info = poolInfo.get(pool);
    const decimals0 = info?.decimals0 ?? 18;
    const decimals1 = info?.decimals1 ?? 18;
    return {
      chain_id: chainId,
      pool_address: pool,
      block_number: block,
      block_timestamp: blocks.get(block)!.timestamp,
      reserve0: state.reserve0.toString(),
      reserve1: state.reserve1.toString(),
      price0:
        state.reserve0 > 0n
          ? x112ToDecimal(spotPriceX112(state.reserve0, state.reserve1), decimals0, decimals1)
          : '0',
      price1:
        state.reserve1 > 0n
          ? x112ToDecimal(spotPriceX112(state.reserve1, state.reserve0), decimals1, decimals0)
          : '0',
      price0_cumulative: state.price0Cumulative.toString(),
      price1_cumulative: state.price1Cumulative.toString(),
      cumulative_timestamp: state.cumulativeTimestamp,
    };
  });

  const toBlock = blocks.get(to)!;
  const result = await sql.begin(async (tx) => {
    let poolsAdded = 0;
    for (const log of created) {
      for (const token of [log.token0, log.token1]) {
        const meta = metadata.get(token);
        await tx`
          insert into market.tokens (chain_id, address, symbol, name, decimals, first_seen_block)
          values (${chainId}, ${token}, ${meta?.symbol ?? null}, ${meta?.name ?? null}, ${meta?.decimals ?? 18}, ${log.blockNumber})
          on conflict do nothing`;
      }
      const pool = poolInfo.get(log.pool)!;
      const inserted = await tx`
        insert into market.pools (chain_id, address, token0, token1, base_token, quote_token, created_block, created_tx)
        values (${chainId}, ${log.pool}, ${log.token0}, ${log.token1}, ${pool.base_token}, ${pool.quote_token},
                ${log.blockNumber}, ${log.txHash})
        on conflict do nothing`;
      poolsAdded += inserted.count;
      // The pool's own events start in its creation block.
      await tx`
        insert into market.chain_cursors (chain_id, contract_address, kind, last_block)
        values (${chainId}, ${log.pool}, 'pool', ${log.blockNumber - 1})
        on conflict do nothing`;
    }
    const insertedTx =
      transactionRows.length === 0
        ? { count: 0 }
        : await tx`insert into market.transactions ${tx(transactionRows)} on conflict do nothing`;
    const insertedFeeds =
      feedRows.length === 0
        ? { count: 0 }
        : await tx`insert into market.price_feeds ${tx(feedRows)} on conflict do nothing`;
    const blockRows = [...blocks.values()].map((block) => ({
      chain_id: chainId,
      number: block.number,
      hash: block.hash,
      timestamp: block.timestamp,
    }));
    await tx`
      insert into market.chain_blocks ${tx(blockRows)}
      on conflict (chain_id, number) do update set hash = excluded.hash, timestamp = excluded.timestamp`;
    await tx`
      update market.chain_cursors set last_block = ${to}, last_block_hash = ${toBlock.hash}, updated_at = now()
      where chain_id = ${chainId} and contract_address in ${tx(addresses)}`;
    const earliest = Math.min(
      ...transactionRows.map((row) => row.block_timestamp),
      ...feedRows.map((row) => row.block_timestamp),
    );
    if (Number.isFinite(earliest)) await refreshRollups(tx, chainId, earliest);
    return { poolsAdded, transactionsAdded: insertedTx.count, priceFeedsAdded: insertedFeeds.count };
  });

  const priceUpdates: PriceUpdatedEvent[] = [];
  const latestPerPool = new Map<string, (typeof feedRows)[number]>();
  for (const row of feedRows) {
    const previous = latestPerPool.get(row.pool_address);
    if (previous === undefined || previous.block_number < row.block_number)
      latestPerPool.set(row.pool_address, row);
  }
  for (const row of latestPerPool.values()) {
    const info = poolInfo.get(row.pool_address);
    if (info === undefined || BigInt(row.reserve0) === 0n) continue;
    const baseIs0 = info.base_token === info.token0;
    const priceX112 = baseIs0
      ? spotPriceX112(BigInt(row.reserve0), BigInt(row.reserve1))
      : spotPriceX112(BigInt(row.reserve1), BigInt(row.reserve0));
    priceUpdates.push({
      type: 'PriceUpdated',
      chainId,
      tokenAddress: info.base_token,
      poolAddress: row.pool_address,
      quoteToken: info.quote_token,
      price: baseIs0 ? row.price0 : row.price1,
      priceX112: priceX112.toString(),
      blockNumber: row.block_number,
      timestamp: row.block_timestamp,
    });
  }
  return { ...(result as Omit<RangeResult, 'priceUpdates'>), priceUpdates };
}

async function poolsByAddress(sql: Sql, chainId: number, addresses: readonly string[]): Promise<PoolRow[]> {
  return sql<PoolRow[]>`
    select p.address, p.token0, p.token1, p.base_token, p.quote_token,
           coalesce(t0.decimals, 18) as decimals0, coalesce(t1.decimals, 18) as decimals1
    from market.pools p
    left join market.tokens t0 on t0.chain_id = p.chain_id and t0.address = p.token0
    left join market.tokens t1 on t1.chain_id = p.chain_id and t1.address = p.token1
    where p.chain_id = ${chainId} and p.address in ${sql(addresses as string[])}`;
}

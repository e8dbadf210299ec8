import { describe, expect, it } from 'vitest';
import {
  discoveredPools,
  syncedPoolBlocks,
  transactionRows,
} from '../../../layers/shared/src/core/market/market-log-rows.ts';
import type { ChainBlock, MarketLog, PoolCreatedLog } from '../../../layers/shared/src/ports/market-chain.ts';

const POOL = '0x00000000000000000000000000000000000000p1';
const TOKEN = '0x00000000000000000000000000000000000000aa';
const QUOTE = '0x00000000000000000000000000000000000000bb';
const at = (blockNumber: number, logIndex: number) => ({
  address: POOL,
  blockNumber,
  blockHash: `0xblock${blockNumber}`,
  txHash: `0xtx${blockNumber}-${logIndex}`,
  logIndex,
});
const blocks = new Map<number, ChainBlock>([
  [10, { number: 10, hash: '0xblock10', timestamp: 1_000 }],
  [11, { number: 11, hash: '0xblock11', timestamp: 1_012 }],
]);

describe('transaction rows from pool logs', () => {
  it('keeps a swap’s four amounts and stamps the row with its block’s time', () => {
    const swap: MarketLog = {
      ...at(10, 3),
      kind: 'swap',
      sender: '0xs',
      recipient: '0xr',
      amount0In: 5n,
      amount1In: 0n,
      amount0Out: 0n,
      amount1Out: 7n,
    };
    expect(transactionRows(31337, [swap], blocks)).toEqual([
      {
        chainId: 31337,
        poolAddress: POOL,
        txHash: '0xtx10-3',
        logIndex: 3,
        blockNumber: 10,
        blockHash: '0xblock10',
        blockTimestamp: 1_000,
        kind: 'swap',
        sender: '0xs',
        recipient: '0xr',
        amount0In: '5',
        amount1In: '0',
        amount0Out: '0',
        amount1Out: '7',
      },
    ]);
  });

  it('books liquidity added as into the pool and liquidity removed as out of it', () => {
    const liquidity = { sender: '0xs', recipient: '0xr', amount0: 2n, amount1: 3n };
    const rows = transactionRows(
      1,
      [
        { ...at(10, 0), kind: 'mint', ...liquidity },
        { ...at(11, 0), kind: 'burn', ...liquidity },
      ],
      blocks,
    );
    expect(
      rows.map((r) => [r.kind, r.amount0In, r.amount1In, r.amount0Out, r.amount1Out, r.blockTimestamp]),
    ).toEqual([
      ['mint', '2', '3', '0', '0', 1_000],
      ['burn', '0', '0', '2', '3', 1_012],
    ]);
  });

  it('writes no row for pool creations and syncs', () => {
    const logs: MarketLog[] = [
      { ...at(10, 0), kind: 'sync', reserve0: 1n, reserve1: 1n },
      { ...at(10, 1), kind: 'pool-created', token0: TOKEN, token1: QUOTE, pool: POOL },
    ];
    expect(transactionRows(1, logs, blocks)).toEqual([]);
  });

  it('refuses a log whose block was not read', () => {
    const burn: MarketLog = {
      ...at(99, 0),
      kind: 'burn',
      sender: '0xs',
      recipient: '0xr',
      amount0: 1n,
      amount1: 1n,
    };
    expect(() => transactionRows(1, [burn], blocks)).toThrow(RangeError);
  });
});

describe('pools the factory created', () => {
  const created: PoolCreatedLog = {
    ...at(10, 0),
    kind: 'pool-created',
    token0: QUOTE,
    token1: TOKEN,
    pool: POOL,
  };

  it('prices the listed token in the quote token, whichever side the quote token is', () => {
    const metadata = new Map([[TOKEN, { symbol: 'TOK', name: 'Token', decimals: 6 }]]);
    expect(discoveredPools([created], metadata, QUOTE.toUpperCase())).toEqual([
      {
        address: POOL,
        token0: QUOTE,
        token1: TOKEN,
        baseToken: TOKEN,
        quoteToken: QUOTE,
        decimals0: 18,
        decimals1: 6,
      },
    ]);
  });

  it('takes token0 as the base when no quote token is configured', () => {
    const [pool] = discoveredPools([created], new Map(), undefined);
    expect([pool?.baseToken, pool?.quoteToken]).toEqual([QUOTE, TOKEN]);
  });
});

describe('pool states to observe', () => {
  it('are one per pool and block with a Sync, however many Syncs the block holds', () => {
    const sync = (blockNumber: number, logIndex: number, address = POOL): MarketLog => ({
      ...at(blockNumber, logIndex),
      address,
      kind: 'sync',
      reserve0: 1n,
      reserve1: 1n,
    });
    expect(syncedPoolBlocks([sync(10, 0), sync(10, 4), sync(11, 0), sync(10, 1, '0xother')])).toEqual([
      { pool: POOL, block: 10 },
      { pool: POOL, block: 11 },
      { pool: '0xother', block: 10 },
    ]);
  });
});

import { Contract, parseUnits } from 'ethers';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessEventBus } from '../../../layers/shared/src/adapters/events/in-process-event-bus.ts';
import { POOL_VIEW_ABI } from '../../../layers/shared/src/adapters/evm/market-abi.ts';
import { EthersMarketChainReader } from '../../../layers/shared/src/adapters/evm/market-chain-reader.ts';
import type { PriceUpdatedEvent } from '../../../layers/shared/src/core/events/domain-events.ts';
import { Q112, spotPriceX112, x112ToDecimal } from '../../../layers/shared/src/core/market/twap.ts';
import {
  computeTokenRankings,
  getRankings,
  tokenVolume,
} from '../../../layers/shared/src/services/market/analytics.ts';
import { pollMarket } from '../../../layers/shared/src/services/market/market-poller.ts';
import { computeTwap, currentPrice } from '../../../layers/shared/src/services/market/price-oracle.ts';
import { ANVIL_DEV_ACCOUNTS, type AnvilHandle, startAnvil } from '../../../local/anvil.ts';
import {
  type DeployedMarket,
  deployMarket,
  type MarketSpec,
  swap,
  walletFor,
} from '../../../local/market/deploy-market.ts';
import { createTestDatabase, type TestDatabase } from '../../fixtures/db.ts';

const deployerKey = ANVIL_DEV_ACCOUNTS[0].privateKey;

interface Rig {
  anvil: AnvilHandle;
  t: TestDatabase;
  market: DeployedMarket;
  chain: EthersMarketChainReader;
  bus: InProcessEventBus;
  poll(confirmations?: number): ReturnType<typeof pollMarket>;
  trader: ReturnType<typeof walletFor>;
  setNextTimestamp(seconds: number): Promise<void>;
  mineAt(seconds: number): Promise<void>;
  latestTimestamp(): Promise<number>;
  reservesAt(pool: string, block: number): Promise<[bigint, bigint]>;
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const rig of rigs.splice(0)) {
    await rig.anvil.stop();
    await rig.t.close();
  }
});

async function makeRig(specs: readonly MarketSpec[]): Promise<Rig> {
  const anvil = await startAnvil();
  const t = await createTestDatabase();
  const provider = anvil.provider();
  const market = await deployMarket(provider, deployerKey, specs);
  const chain = new EthersMarketChainReader(provider, anvil.chainId);
  const bus = new InProcessEventBus(true);
  const rig: Rig = {
    anvil,
    t,
    market,
    chain,
    bus,
    trader: walletFor(provider, deployerKey),
    poll: (confirmations = 0) =>
      pollMarket(
        { sql: t.sql, chain, bus },
        {
          factoryAddress: market.factory,
          factoryStartBlock: market.factoryBlock,
          confirmations,
          quoteToken: market.quote,
        },
      ),
    setNextTimestamp: async (seconds) => {
      await provider.send('evm_setNextBlockTimestamp', [seconds]);
    },
    mineAt: async (seconds) => {
      await provider.send('evm_mine', [seconds]);
    },
    latestTimestamp: async () => (await provider.getBlock('latest'))!.timestamp,
    reservesAt: async (pool, block) => {
      const contract = new Contract(pool, POOL_VIEW_ABI, provider);
      const [r0, r1] = (await contract.getFunction('getReserves').staticCall({ blockTag: block })) as [
        bigint,
        bigint,
      ];
      return [r0, r1];
    },
  };
  rigs.push(rig);
  return rig;
}

/** The base token's reserves first, whichever side of the pool it is on. */
function baseFirst(market: DeployedMarket, index: number, reserves: [bigint, bigint]): [bigint, bigint] {
  const token = market.tokens[index]!;
  return BigInt(token.address) < BigInt(market.quote) ? reserves : [reserves[1], reserves[0]];
}

describe('market ingestion and pricing on anvil', () => {
  it('prices each token from its pool reserves after trades and publishes PriceUpdated', async () => {
    const rig = await makeRig([
      { symbol: 'CRED', baseLiquidity: '1000', quoteLiquidity: '2000' },
      { symbol: 'VIBE', baseLiquidity: '5000', quoteLiquidity: '1000' },
    ]);
    const [cred, vibe] = rig.market.tokens;
    const block = await swap(rig.trader, cred!.pool, rig.market.quote, '100');
    await swap(rig.trader, vibe!.pool, vibe!.address, '250');

    const result = await rig.poll();

    expect(result.poolsAdded).toBe(2);
    const [base, quote] = baseFirst(rig.market, 0, await rig.reservesAt(cred!.pool, block));
    const price = await currentPrice(rig.t.sql, rig.anvil.chainId, cred!.address);
    expect(price.price).toBe(x112ToDecimal(spotPriceX112(base, quote)));
    expect(Number(price.price)).toBeGreaterThan(2);
    const vibePrice = await currentPrice(rig.t.sql, rig.anvil.chainId, vibe!.address);
    expect(Number(vibePrice.price)).toBeLessThan(0.2);
    const updates = rig.bus.published.filter((e): e is PriceUpdatedEvent => e.type === 'PriceUpdated');
    expect(updates.map((e) => e.tokenAddress).sort()).toEqual([cred!.address, vibe!.address].sort());
    expect(updates.find((e) => e.tokenAddress === cred!.address)?.price).toBe(price.price);
  });

  it('computes a TWAP equal to the hand-computed average of the reserves over the window', async () => {
    const rig = await makeRig([{ symbol: 'CRED', baseLiquidity: '1000', quoteLiquidity: '2000' }]);
    const token = rig.market.tokens[0]!;
    const t0 = await rig.latestTimestamp();
    const openingBlock = await rig.anvil.provider().getBlockNumber();
    await rig.setNextTimestamp(t0 + 1000);
    const block1 = await swap(rig.trader, token.pool, token.address, '100');
    await rig.setNextTimestamp(t0 + 1600);
    const block2 = await swap(rig.trader, token.pool, rig.market.quote, '700');
    await rig.mineAt(t0 + 2000);
    await rig.poll();

    const price = async (block: number) => {
      const [base, quote] = baseFirst(rig.market, 0, await rig.reservesAt(token.pool, block));
      return (quote * Q112) / base;
    };
    const [p0, p1, p2] = [await price(openingBlock), await price(block1), await price(block2)];
    // Window [t0+500, t0+2000]: 500 s at the opening price, 600 s after the sale, 400 s after the buy.
    const expected = (p0 * 500n + p1 * 600n + p2 * 400n) / 1500n;

    const twap = await computeTwap(rig.t.sql, rig.anvil.chainId, token.address, 1500);

    expect(twap.end).toBe(t0 + 2000);
    expect(twap.twapX112).toBe(expected.toString());
    expect(twap.twap).toBe(x112ToDecimal(expected));
    const [stored] = await rig.t.sql`select twap_x112::text from market.twap_calculations`;
    expect(stored?.twap_x112).toBe(expected.toString());
  });

  it('keeps a one-block price spike from moving a one-hour TWAP by more than its share of the window', async () => {
    const rig = await makeRig([{ symbol: 'CRED', baseLiquidity: '1000', quoteLiquidity: '1000' }]);
    const token = rig.market.tokens[0]!;
    const t0 = await rig.latestTimestamp();
    await rig.setNextTimestamp(t0 + 3600);
    // Buying two pool's worth of quote moves the price about ninefold for one block.
    await swap(rig.trader, token.pool, rig.market.quote, '2000');
    await rig.mineAt(t0 + 3612);
    await rig.poll();

    const spot = await currentPrice(rig.t.sql, rig.anvil.chainId, token.address);
    const twap = await computeTwap(rig.t.sql, rig.anvil.chainId, token.address, 3600);

    expect(Number(spot.price)).toBeGreaterThan(8);
    expect(Number(twap.twap)).toBeLessThan(1.03);
  });

  it('rolls up volume and ranks tokens by quote volume', async () => {
    const rig = await makeRig([
      { symbol: 'AAA', baseLiquidity: '10000', quoteLiquidity: '10000' },
      { symbol: 'BBB', baseLiquidity: '10000', quoteLiquidity: '10000' },
      { symbol: 'CCC', baseLiquidity: '10000', quoteLiquidity: '10000' },
    ]);
    const [a, b, c] = rig.market.tokens;
    await swap(rig.trader, a!.pool, rig.market.quote, '100');
    await swap(rig.trader, a!.pool, rig.market.quote, '200');
    await swap(rig.trader, b!.pool, rig.market.quote, '50');
    await swap(rig.trader, c!.pool, rig.market.quote, '400');
    await rig.poll();
    const now = await rig.latestTimestamp();

    await computeTokenRankings(rig.t.sql, rig.anvil.chainId, now);
    const rankings = await getRankings(rig.t.sql, 'tokens_by_volume_24h', 10);
    const volumeA = await tokenVolume(rig.t.sql, rig.anvil.chainId, a!.address, now, 24);

    expect(rankings.map((row) => row.symbol)).toEqual(['CCC', 'AAA', 'BBB']);
    expect(rankings.map((row) => row.score)).toEqual(
      ['400', '300', '50'].map((whole) => parseUnits(whole, 18).toString()),
    );
    expect(volumeA.trades).toBe(2);
    expect(volumeA.totalQuote).toBe(parseUnits('300', 18).toString());
  });

  it('does not read blocks within the confirmation depth', async () => {
    const rig = await makeRig([{ symbol: 'CRED', baseLiquidity: '1000', quoteLiquidity: '1000' }]);
    const token = rig.market.tokens[0]!;
    await rig.poll(0);
    await swap(rig.trader, token.pool, rig.market.quote, '10');

    const early = await rig.poll(2);
    await rig.mineAt((await rig.latestTimestamp()) + 1);
    await rig.mineAt((await rig.latestTimestamp()) + 1);
    const later = await rig.poll(2);

    expect(early.transactionsAdded).toBe(0);
    expect(later.transactionsAdded).toBe(1);
  });

  it('writes nothing twice when the same blocks are read again', async () => {
    const rig = await makeRig([{ symbol: 'CRED', baseLiquidity: '1000', quoteLiquidity: '1000' }]);
    await swap(rig.trader, rig.market.tokens[0]!.pool, rig.market.quote, '10');
    const first = await rig.poll();
    await rig.t.sql`update market.chain_cursors set last_block = ${rig.market.factoryBlock - 1}`;

    const again = await rig.poll();

    expect(first.transactionsAdded).toBe(2);
    expect(again.transactionsAdded).toBe(0);
    const [count] = await rig.t.sql`select count(*)::int as n from market.transactions`;
    expect(count?.n).toBe(2);
  });

  it('rolls back the rows of reverted blocks after a reorg and reads the new chain', async () => {
    const rig = await makeRig([{ symbol: 'CRED', baseLiquidity: '1000', quoteLiquidity: '1000' }]);
    const token = rig.market.tokens[0]!;
    const provider = rig.anvil.provider();
    await swap(rig.trader, token.pool, rig.market.quote, '10');
    await rig.poll();
    const forkBlock = await provider.getBlockNumber();
    const snapshot = (await provider.send('evm_snapshot', [])) as string;
    await swap(rig.trader, token.pool, rig.market.quote, '20');
    await swap(rig.trader, token.pool, rig.market.quote, '30');
    await rig.poll();
    const orphaned = await rig.t.sql<{ tx_hash: string }[]>`
      select tx_hash from market.transactions where block_number > ${forkBlock}`;
    expect(orphaned).toHaveLength(2);

    await provider.send('evm_revert', [snapshot]);
    rig.trader.reset();
    const replacementBlock = await swap(rig.trader, token.pool, token.address, '5');
    await rig.mineAt((await rig.latestTimestamp()) + 1);
    await rig.mineAt((await rig.latestTimestamp()) + 1);
    const result = await rig.poll();

    expect(result.reorg?.forkBlock).toBe(forkBlock);
    expect(result.reorg?.transactionsRemoved).toBe(2);
    const left = await rig.t.sql<{ tx_hash: string; block_number: bigint }[]>`
      select tx_hash, block_number from market.transactions where block_number > ${forkBlock}`;
    expect(left.map((row) => Number(row.block_number))).toEqual([replacementBlock]);
    expect(left.map((row) => row.tx_hash)).not.toContain(orphaned[0]!.tx_hash);
    const [base, quote] = baseFirst(rig.market, 0, await rig.reservesAt(token.pool, replacementBlock));
    const price = await currentPrice(rig.t.sql, rig.anvil.chainId, token.address);
    expect(price.price).toBe(x112ToDecimal(spotPriceX112(base, quote)));
    const volume = await tokenVolume(
      rig.t.sql,
      rig.anvil.chainId,
      token.address,
      await rig.latestTimestamp(),
      24,
    );
    expect(volume.trades).toBe(2);
    // The surviving swaps: the first buy (base out) and the replacement sale of 5 base.
    expect(volume.totalBase).toBe((parseUnits('5', 18) + (await firstSwapBaseOut(rig))).toString());
  });
});

async function firstSwapBaseOut(rig: Rig): Promise<bigint> {
  const [row] = await rig.t.sql<{ out: string }[]>`
    select (amount0_out + amount1_out)::text as out from market.transactions
    where kind = 'swap' order by block_number limit 1`;
  return BigInt(row?.out ?? '0');
}

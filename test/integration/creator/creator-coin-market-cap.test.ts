import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Contract, parseUnits, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpEvent, HttpResult } from '../../../functions/api/http.ts';
import type { Platform } from '../../../functions/platform.ts';
import { TOKEN_ABI } from '../../../layers/shared/src/adapters/evm/market-abi.ts';
import { EthersMarketChainReader } from '../../../layers/shared/src/adapters/evm/market-chain-reader.ts';
import { ATTO_PER_FIL } from '../../../layers/shared/src/core/creator/milestones.ts';
import { computeCreatorMetrics } from '../../../layers/shared/src/services/creator/creator-metrics.ts';
import { marketCoinPrices } from '../../../layers/shared/src/services/market/coin-prices.ts';
import { pollMarket } from '../../../layers/shared/src/services/market/market-poller.ts';
import { ANVIL_DEV_ACCOUNTS, type AnvilHandle, startAnvil } from '../../../local/anvil.ts';
import { seedCreatorDemo } from '../../../local/creator-demo-seed.ts';
import { type DeployedMarket, deployMarket, poolAt, walletFor } from '../../../local/market/deploy-market.ts';
import { drain } from '../../../local/queue-poller.ts';
import { type SqsService, startSqs } from '../../../local/services.ts';
import { conformingBody } from '../../fixtures/api-contract.ts';
import {
  type CreatorContractsDeployment,
  creatorFunctionPlatform,
  deployCreatorContracts,
} from '../../fixtures/creator-oracle.ts';
import { createTestDatabase, type TestDatabase } from '../../fixtures/db.ts';
import { makeHttpEvent } from '../../fixtures/http-event.ts';

/** anvil's well-known dev accounts: 0 the oracle signer, 1 deploys the creator contracts, 2 is Headliner, 3 runs the market. */
const [oracleAccount, contractsDeployer, headlinerAccount, marketAccount] = ANVIL_DEV_ACCOUNTS;
const SUPPLY = 1_000_000n * 10n ** 18n;
/** Liquidity Headliner puts in the coin's pool: 100,000 coins against 5,000 FIL, 0.05 FIL a coin. */
const POOL_COINS = parseUnits('100000', 18);
const POOL_FIL = parseUnits('5000', 18);
const POOL_FACTORY_ABI = [
  'function createPool(address tokenA, address tokenB) returns (address)',
  'function getPool(address tokenA, address tokenB) view returns (address)',
];

describe('the revenue market-cap term from a creator coin pool on anvil', () => {
  let t: TestDatabase;
  let anvil: AnvilHandle;
  let sqs: SqsService;
  let creatorContracts: CreatorContractsDeployment;
  let market: DeployedMarket;
  const wallet = new Map<string, string>();
  const coin = new Map<string, string>();
  let api: (event: HttpEvent) => Promise<HttpResult>;
  let platform: Platform;

  const get = (part: 'metrics' | 'coin', stageName: string) => {
    const address = wallet.get(stageName)!;
    return api({
      ...makeHttpEvent({ method: 'GET', path: `/creators/${address}/${part}`, pathParameters: { address } }),
      routeKey: `GET /creators/{address}/${part}`,
    });
  };

  /** The oracle launches a coin for the creator on-chain; the database records it launched. */
  async function launchCoin(stageName: string, symbol: string): Promise<void> {
    const address = wallet.get(stageName)!;
    const oracle = new Wallet(oracleAccount.privateKey, anvil.provider());
    const manager = creatorContracts.manager.connect(oracle) as Contract;
    const factory = creatorContracts.factory.connect(oracle) as Contract;
    await (await manager.getFunction('updateCreatorMetrics')(address, 60_000, 6_000, 5_000, 0)).wait();
    await (
      await factory.getFunction('launchCreatorCoin')(address, `${stageName} Coin`, symbol, SUPPLY)
    ).wait();
    const info = (await factory.getFunction('getCreatorCoinInfo')(address)) as [string];
    coin.set(stageName, info[0].toLowerCase());
    await t.sql`
      insert into creator.creator_coins (creator_id, name, symbol, initial_supply, request_id, status, coin_address, launched_at)
      select id, ${`${stageName} Coin`}, ${symbol}, ${SUPPLY.toString()}, ${`launch-${symbol}`}, 'launched', ${info[0].toLowerCase()}, now()
      from creator.creators where stage_name = ${stageName}`;
  }

  beforeAll(async () => {
    [t, anvil, sqs] = await Promise.all([createTestDatabase(), startAnvil(), startSqs()]);
    await seedCreatorDemo(t.sql, { creators: 14, seed: 5, now: new Date() });
    await t.sql`update creator.creators set wallet_address = ${headlinerAccount.address.toLowerCase()}
      where stage_name = 'Headliner'`;
    for (const row of await t.sql<{ stage_name: string; wallet_address: string }[]>`
      select stage_name, wallet_address from creator.creators`)
      wallet.set(row.stage_name, row.wallet_address);

    const provider = anvil.provider();
    creatorContracts = await deployCreatorContracts(
      new Wallet(contractsDeployer.privateKey, provider),
      oracleAccount.address,
    );
    await launchCoin('Headliner', 'HEADLINE');
    await launchCoin('Launch Pad', 'LAUNCHPA');

    // The market: its quote token stands for FIL here; Headliner pairs the coin with it.
    market = await deployMarket(provider, marketAccount.privateKey, []);
    const operator = walletFor(provider, marketAccount.privateKey);
    const creator = walletFor(provider, headlinerAccount.privateKey);
    const headlinerCoin = coin.get('Headliner')!;
    const poolFactory = new Contract(market.factory, POOL_FACTORY_ABI, operator);
    await (await poolFactory.getFunction('createPool')(headlinerCoin, market.quote)).wait();
    const pool = String(await poolFactory.getFunction('getPool')(headlinerCoin, market.quote)).toLowerCase();
    const quote = new Contract(market.quote, TOKEN_ABI, operator);
    await (await quote.getFunction('mint')(headlinerAccount.address, POOL_FIL)).wait();
    for (const token of [headlinerCoin, market.quote]) {
      await (
        await new Contract(token, TOKEN_ABI, creator).getFunction('approve')(pool, 2n ** 256n - 1n)
      ).wait();
    }
    const coinIs0 = BigInt(headlinerCoin) < BigInt(market.quote);
    const [amount0, amount1] = coinIs0 ? [POOL_COINS, POOL_FIL] : [POOL_FIL, POOL_COINS];
    await (
      await (await poolAt(pool, creator)).getFunction('addLiquidity')(
        amount0,
        amount1,
        headlinerAccount.address,
        {
          gasLimit: 400_000n,
        },
      )
    ).wait();
    await pollMarket(
      { sql: t.sql, chain: new EthersMarketChainReader(provider, anvil.chainId) },
      {
        factoryAddress: market.factory,
        factoryStartBlock: market.factoryBlock,
        confirmations: 0,
        quoteToken: market.quote,
      },
    );

    platform = await creatorFunctionPlatform(
      { databaseUrl: t.url, anvil, sqs },
      {
        CREATOR_METRICS_MANAGER_ADDRESS: creatorContracts.managerAddress,
        CREATOR_TOKEN_FACTORY_ADDRESS: creatorContracts.factoryAddress,
        MARKET_CHAIN_ID: String(anvil.chainId),
        CREATOR_COIN_QUOTE_TOKEN: market.quote,
      },
    );
    api = (await import('../../../functions/api/creators/index.ts')).handler.on(platform);
  });

  afterAll(async () => {
    for (const name of ['MARKET_CHAIN_ID', 'CREATOR_COIN_QUOTE_TOKEN']) delete process.env[name];
    await platform.close();
    await Promise.all([anvil.stop(), sqs.stop()]);
    await t.close();
  });

  it('prices a coin from its pool through the market price oracle, and leaves a coin without a pool unpriced', async () => {
    const prices = await marketCoinPrices(t.sql, {
      chainId: anvil.chainId,
      filToken: market.quote,
    }).pricesAttoFilPerCoin([coin.get('Headliner')!, coin.get('Launch Pad')!]);
    expect([...prices]).toEqual([[coin.get('Headliner'), ATTO_PER_FIL / 20n]]);
  });

  it('adds 10 % of the market cap to the monthly revenue, and says why the term is 0 elsewhere', async () => {
    const prices = marketCoinPrices(t.sql, { chainId: anvil.chainId, filToken: market.quote });
    const metrics = await computeCreatorMetrics(t.sql, { asOf: new Date(), prices });
    const of = (name: string) => metrics.find((m) => m.stageName === name)!;
    const headliner = of('Headliner');
    // 0.05 FIL × 1,000,000 coins = 50,000 FIL market cap; 10 % of it is 5,000 FIL.
    expect(headliner.marketCapTerm).toEqual({
      valueAttoFil: 5_000n * ATTO_PER_FIL,
      priceAttoFilPerCoin: ATTO_PER_FIL / 20n,
      marketCapAttoFil: 50_000n * ATTO_PER_FIL,
    });
    expect(headliner.monthlyRevenueAttoFil).toBe(
      headliner.purchasesLast30DaysAttoFil + headliner.tipsLast30DaysAttoFil + 5_000n * ATTO_PER_FIL,
    );
    expect(of('Launch Pad').marketCapTerm).toEqual({ valueAttoFil: 0n, reason: 'no pool' });
    expect(of('So Close').marketCapTerm).toEqual({ valueAttoFil: 0n, reason: 'no coin' });

    const shown = conformingBody('GET /creators/{address}/metrics', await get('metrics', 'Headliner')) as {
      monthlyRevenue: { totalAttoFil: string; marketCapTerm: Record<string, string> };
    };
    expect(shown.monthlyRevenue.marketCapTerm).toEqual({
      value: (5_000n * ATTO_PER_FIL).toString(),
      priceAttoFilPerCoin: (ATTO_PER_FIL / 20n).toString(),
      marketCapAttoFil: (50_000n * ATTO_PER_FIL).toString(),
    });
    expect(shown.monthlyRevenue.totalAttoFil).toBe(headliner.monthlyRevenueAttoFil.toString());
    const unpooled = conformingBody(
      'GET /creators/{address}/metrics',
      await get('metrics', 'Launch Pad'),
    ) as {
      monthlyRevenue: { marketCapTerm: unknown };
    };
    expect(unpooled.monthlyRevenue.marketCapTerm).toEqual({ value: '0', reason: 'no pool' });
  });

  it("pushes the revenue with the term on-chain through the sync function, and shows the contract's intrinsic value", async () => {
    const syncOn = (await import('../../../functions/scheduled/creator-sync/index.ts')).handler.on(platform);
    const sync = () => syncOn({});
    const consume: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> = (
      await import('../../../functions/queue/oracle-calls/index.ts')
    ).handler.on(platform);
    expect((await sync()).status).toBe('success');
    await drain(sqs.client, sqs.queues.oracleCalls.url, (event) => consume(event, {} as Context));
    expect((await sync()).confirmed).toBeGreaterThan(0);

    const address = wallet.get('Headliner')!;
    const [, , score, revenue] = (await creatorContracts.manager.getFunction('getCreatorMetrics')(
      address,
    )) as bigint[];
    const [expected] = await computeCreatorMetrics(t.sql, {
      asOf: new Date(),
      walletAddresses: [address],
      prices: marketCoinPrices(t.sql, { chainId: anvil.chainId, filToken: market.quote }),
    });
    expect(revenue).toBe(expected!.monthlyRevenueAttoFil);
    expect(revenue).toBeGreaterThan(5_000n * ATTO_PER_FIL);

    const shown = conformingBody('GET /creators/{address}/coin', await get('coin', 'Headliner')) as {
      intrinsicValue: { valueAttoFil: string | null };
      marketCapTerm: { value: string };
    };
    const onChain = (await creatorContracts.manager.getFunction('calculateIntrinsicValue')(
      address,
    )) as bigint;
    // The reference contract: 12 × monthly revenue × (1 + score / 10000) / 2.
    expect(onChain).toBe((revenue! * 12n * (10_000n + score!)) / 20_000n);
    expect(shown.intrinsicValue).toEqual({ valueAttoFil: onChain.toString() });
    expect(shown.marketCapTerm.value).toBe((5_000n * ATTO_PER_FIL).toString());
  });
});

/**
 * One token market cycle on a local chain, for `npm run local -- --once`: deploys the reference
 * contracts, trades, polls the logs, prices, TWAPs and ranks the tokens, streams the price
 * updates to a WebSocket subscriber, generates credential tokens from the AIR fixture and mints
 * them, and sends the notifications those events raise. Returns a summary with the checks it made.
 */
import { Contract, ContractFactory, type JsonRpcProvider } from 'ethers';
import { WebSocket } from 'ws';
import { loadArtifact } from '../../contracts/compile.ts';
import { HttpAirClient } from '../../layers/shared/src/adapters/air/http-air-client.ts';
import type { Sql } from '../../layers/shared/src/adapters/db/client.ts';
import { InProcessEventBus } from '../../layers/shared/src/adapters/events/in-process-event-bus.ts';
import { DirectMinter } from '../../layers/shared/src/adapters/evm/direct-minter.ts';
import { TOKEN_ABI } from '../../layers/shared/src/adapters/evm/market-abi.ts';
import { EthersMarketChainReader } from '../../layers/shared/src/adapters/evm/market-chain-reader.ts';
import type { EmissionConfig } from '../../layers/shared/src/core/market/emission.ts';
import type { Minter } from '../../layers/shared/src/ports/minter.ts';
import type { ChannelName, NotificationChannel } from '../../layers/shared/src/ports/notification-channel.ts';
import { getRankings } from '../../layers/shared/src/services/market/analytics.ts';
import { runMarketPoll } from '../../layers/shared/src/services/market/market-cycle-steps.ts';
import { deliverNotifications } from '../../layers/shared/src/services/market/notification-delivery.ts';
import { dispatchNotificationEvent } from '../../layers/shared/src/services/market/notification-dispatch.ts';
import {
  notificationEventFor,
  RecordingChannel,
  subscribe,
} from '../../layers/shared/src/services/market/notifications.ts';
import { currentPrice } from '../../layers/shared/src/services/market/price-oracle.ts';
import { runTokenGeneration } from '../../layers/shared/src/services/market/token-generator.ts';
import { startAirFixtureServer } from '../air-fixture-server.ts';
import { ANVIL_DEV_ACCOUNTS } from '../anvil.ts';
import { type PriceStreamServer, startPriceStreamServer } from '../price-stream-server.ts';
import { confirmContacts, signInDirect } from './demo-users.ts';
import {
  DEFAULT_MARKETS,
  deployMarket,
  fundTrader,
  generateTrades,
  swap,
  walletFor,
} from './deploy-market.ts';

export interface MarketCycleDeps {
  readonly sql: Sql;
  readonly anvil: { readonly chainId: number; provider(): JsonRpcProvider };
  /** anvil's first dev account unless given. */
  readonly deployerKey?: string;
  readonly traderKey?: string;
  /** Mints credential rewards; a direct minter from the deployer key unless given (the delivery engine on AWS). */
  readonly minter?: (rewardToken: string) => Minter;
  readonly rounds?: number;
  /** The runtime's long-lived bus and stream server; the cycle starts (and stops) its own otherwise. */
  readonly bus?: InProcessEventBus;
  readonly stream?: PriceStreamServer;
}

export interface MarketCycleSummary {
  readonly ok: boolean;
  readonly contracts: { factory: string; quote: string; rewardToken: string; pools: number };
  readonly trades: number;
  readonly ingestion: { transactions: number; priceFeeds: number; pools: number; reorgs: number };
  readonly prices: { symbol: string; token: string; price: string }[];
  readonly twaps: { symbol: string; windowSeconds: number; twap: string }[];
  readonly rankings: { rank: number; symbol: string | null; volume24hQuote: string }[];
  readonly tokensGenerated: {
    credentials: number;
    accruedBaseUnits: string;
    claimsMinted: number;
    mintedOnChain: string;
  };
  readonly stream: { subscriberReceived: number; published: number };
  readonly notifications: {
    queued: number;
    sent: number;
    byChannel: Record<string, number>;
    /** Verifications (links, codes) the demo subscribers received and confirmed. */
    verified: number;
  };
  readonly checks: Record<string, boolean>;
}

const EMISSION: EmissionConfig = {
  baseRatePerSecond: 1_000_000_000_000_000n,
  tierMultiplierBps: { bronze: 10_000, silver: 15_000, gold: 20_000 },
  defaultMultiplierBps: 10_000,
};

async function chainTime(provider: JsonRpcProvider): Promise<number> {
  return (await provider.getBlock('latest'))!.timestamp;
}

export async function runMarketCycle(deps: MarketCycleDeps): Promise<MarketCycleSummary> {
  const provider = deps.anvil.provider();
  const deployerKey = deps.deployerKey ?? ANVIL_DEV_ACCOUNTS[0].privateKey;
  const traderKey = deps.traderKey ?? ANVIL_DEV_ACCOUNTS[3].privateKey;
  const chainId = deps.anvil.chainId;
  const { sql } = deps;

  const market = await deployMarket(provider, deployerKey, DEFAULT_MARKETS);
  const deployer = walletFor(provider, deployerKey);
  const trader = walletFor(provider, traderKey);
  await fundTrader(deployer, trader, market, '1000000');
  const { abi, bytecode } = await loadArtifact('MarketToken');
  const reward = await new ContractFactory(abi, bytecode, deployer).deploy('Credential Reward', 'CRWD');
  await reward.waitForDeployment();
  const rewardToken = (await reward.getAddress()).toLowerCase();

  const bus = deps.bus ?? new InProcessEventBus();
  const stream = deps.stream ?? (await startPriceStreamServer({ heartbeatMs: 5_000 }));
  const unsubscribe: (() => void)[] = [];
  const air = await startAirFixtureServer();
  const client = new WebSocket(stream.url);
  let received = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('open', resolve);
      client.once('error', reject);
    });
    const subscribed = new Promise<void>((resolve) =>
      client.on('message', (data) => {
        const message = JSON.parse(data.toString()) as { type: string };
        if (message.type === 'subscribed') resolve();
        if (message.type === 'price') received++;
      }),
    );
    client.send(JSON.stringify({ action: 'subscribe', tokens: market.tokens.map((token) => token.address) }));
    await subscribed;

    if (deps.stream === undefined) {
      unsubscribe.push(
        bus.subscribe('PriceUpdated', (event) => {
          stream.hub.publish(event);
        }),
      );
    }
    let queued = 0;
    const notify = async (event: Parameters<typeof notificationEventFor>[0]) => {
      queued += (await dispatchNotificationEvent(sql, notificationEventFor(event))).length;
    };
    unsubscribe.push(bus.subscribe('PriceUpdated', notify), bus.subscribe('TokenMinted', notify));

    const publishedBefore = stream.hub.stats().published;
    const chain = new EthersMarketChainReader(provider, chainId);
    const pollOptions = {
      factoryAddress: market.factory,
      factoryStartBlock: market.factoryBlock,
      confirmations: 0,
      quoteToken: market.quote,
    };
    const rounds = deps.rounds ?? 4;
    let trades = await generateTrades(provider, trader, market, { rounds, secondsBetween: 60 });
    const first = await runMarketPoll({ sql, chain, bus }, pollOptions);

    // A price alert 5 % above the first token's price, crossed by a large buy below. Subscribers
    // are market users: generated keys that sign in with Ethereum and confirm their contacts.
    const lead = market.tokens[0]!;
    const before = await currentPrice(sql, chainId, lead.address);
    const threshold = (Number(before.price) * 1.05).toFixed(6);
    const traderUser = await signInDirect(sql);
    await subscribe(sql, {
      userId: traderUser.address,
      trigger: 'price_alert',
      params: { token: lead.address, above: threshold },
      contact: { email: 'trader@example.test', phone: '+15550100001' },
      currentPrice: before.price,
    });
    let verified = (await confirmContacts(sql, traderUser.address)).length;
    const holders = [ANVIL_DEV_ACCOUNTS[1].address, ANVIL_DEV_ACCOUNTS[2].address].map((a) =>
      a.toLowerCase(),
    );
    for (const [i, holder] of holders.entries()) {
      const follower = await signInDirect(sql);
      await subscribe(sql, {
        userId: follower.address,
        trigger: 'token_minted',
        params: { holder },
        contact: { email: `holder${i + 1}@example.test` },
      });
      verified += (await confirmContacts(sql, follower.address)).length;
    }

    // An hour later, more trading and a buy that moves the lead token's price.
    await provider.send('evm_increaseTime', [3600]);
    trades += await generateTrades(provider, trader, market, { rounds, secondsBetween: 60, seed: 11 });
    await swap(trader, lead.pool, market.quote, '5000');
    trades++;
    await provider.send('evm_mine', []);
    const second = await runMarketPoll({ sql, chain, bus }, pollOptions);

    // Credential holders: issued two hours before now, one revoked before the job.
    const now = await chainTime(provider);
    air.set({
      id: 'air-cred-gold',
      holder: holders[0]!,
      status: 'active',
      issued: now - 7200,
      expires: null,
      tier: 'gold',
    });
    air.set({
      id: 'air-cred-silver',
      holder: holders[1]!,
      status: 'active',
      issued: now - 7200,
      expires: null,
      tier: 'silver',
    });
    air.set({
      id: 'air-cred-revoked',
      holder: holders[1]!,
      status: 'revoked',
      issued: now - 7200,
      expires: null,
      tier: 'bronze',
    });
    const minter = deps.minter?.(rewardToken) ?? new DirectMinter(provider, deployerKey, rewardToken);
    const generation = await runTokenGeneration(
      { sql, air: new HttpAirClient(air.url, air.apiKey), minter, bus, emission: EMISSION },
      now,
      { autoMintMinimum: 1n },
    );
    const rewardContract = new Contract(rewardToken, TOKEN_ABI, provider);
    let mintedOnChain = 0n;
    for (const holder of holders)
      mintedOnChain += (await rewardContract.getFunction('balanceOf').staticCall(holder)) as bigint;
    const [claimed] = await sql<
      { total: string }[]
    >`select coalesce(sum(amount), 0)::text as total from market.claims where status = 'minted'`;

    const channels = new Map<ChannelName, NotificationChannel>(
      (['email', 'sms', 'push'] as const).map((name) => [name, new RecordingChannel(name)]),
    );
    const delivery = await deliverNotifications(sql, channels, now + 1);
    const byChannel = Object.fromEntries(
      [...channels.entries()].map(([name, channel]) => [name, (channel as RecordingChannel).sent.length]),
    );

    const prices = [];
    for (const token of market.tokens) {
      const price = await currentPrice(sql, chainId, token.address);
      prices.push({ symbol: token.symbol, token: token.address, price: price.price });
    }
    const symbolOf = (address: string) =>
      market.tokens.find((token) => token.address === address)?.symbol ?? address;
    const rankings = (await getRankings(sql, 'tokens_by_volume_24h', 10)).map((row) => ({
      rank: row.rank,
      symbol: row.symbol,
      volume24hQuote: row.score,
    }));
    // Let the last stream frames arrive before counting.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const published = stream.hub.stats().published - publishedBefore;

    const checks = {
      everyTokenPriced: prices.length === market.tokens.length && prices.every((p) => Number(p.price) > 0),
      twapForEveryToken: second.twaps.length === market.tokens.length,
      rankingsCoverEveryToken: rankings.length === market.tokens.length,
      mintedOnChainEqualsClaims: mintedOnChain.toString() === claimed?.total,
      revokedCredentialGotNothing: !(
        await sql`select 1 from market.claims where credential_id = 'air-cred-revoked'`
      ).length,
      streamDeliveredEveryUpdate: received === published,
      notificationsSent: delivery.sent > 0 && delivery.sent === queued,
      subscribersConfirmedContacts: verified === 4,
    };
    return {
      ok: Object.values(checks).every(Boolean),
      contracts: { factory: market.factory, quote: market.quote, rewardToken, pools: market.tokens.length },
      trades,
      ingestion: {
        transactions: first.poll.transactionsAdded + second.poll.transactionsAdded,
        priceFeeds: first.poll.priceFeedsAdded + second.poll.priceFeedsAdded,
        pools: first.poll.poolsAdded + second.poll.poolsAdded,
        reorgs: [first.poll.reorg, second.poll.reorg].filter((r) => r !== undefined).length,
      },
      prices,
      twaps: second.twaps.map((twap) => ({
        symbol: symbolOf(twap.tokenAddress),
        windowSeconds: twap.windowSeconds,
        twap: twap.twap,
      })),
      rankings,
      tokensGenerated: {
        credentials: generation.credentialsChecked,
        accruedBaseUnits: generation.tokensAccrued,
        claimsMinted: generation.claimsMinted,
        mintedOnChain: mintedOnChain.toString(),
      },
      stream: { subscriberReceived: received, published },
      notifications: { queued, sent: delivery.sent, byChannel, verified },
      checks,
    };
  } finally {
    for (const stop of unsubscribe) stop();
    client.terminate();
    if (deps.stream === undefined) await stream.close();
    await air.close();
  }
}

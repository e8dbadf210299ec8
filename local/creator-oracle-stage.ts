/**
 * The creator metrics oracle in a local cycle: the reference contracts deployed on the local
 * anvil (oracle = the engine's signer, anvil dev account 0; deployer = dev account 1), demo
 * creators seeded, the scheduled sync function run, the delivery engine left to send and
 * confirm, the sync run again until metrics are confirmed and coins launched. Its summary is
 * what `oracle local --once` shows: metrics pushed, milestones, coins, on-chain checks.
 */
import { ContractFactory, Wallet } from 'ethers';
import { loadArtifact } from '../contracts/compile.ts';
import { createPlatform, type Platform } from '../functions/platform.ts';
import { sqsClient } from '../layers/shared/src/adapters/aws/sqs-work-queue.ts';
import { EthersCreatorContracts } from '../layers/shared/src/adapters/evm/creator-contracts.ts';
import { loadConfig } from '../layers/shared/src/config.ts';
import { computeCreatorMetrics } from '../layers/shared/src/services/creator/creator-metrics.ts';
import { callsAwaited } from '../layers/shared/src/services/creator/creator-sync.ts';
import { ANVIL_CHAIN_ID, ANVIL_DEV_ACCOUNTS, localProvider } from './anvil.ts';
import { seedCreatorDemo } from './creator-demo-seed.ts';
import { asFunction } from './function-databases.ts';
import { drain } from './queue-poller.ts';

export interface CreatorOracleStageOptions {
  /** @default 200 */
  readonly creators?: number;
  /** @default 1 */
  readonly seed?: number;
  /**
   * Lets the delivery engine send and confirm what is queued. @default drains the oracle-calls
   * queue through its Lambda consumer, then runs the delivery confirmer function
   */
  readonly deliver?: (platform: Platform) => Promise<void>;
  /** Sync rounds at most (each: run the sync, then deliver; a round that moved nothing waits 1 s first). @default 30 */
  readonly maxRounds?: number;
}

export interface CreatorOracleStageSummary {
  readonly creators: number;
  readonly seedMs: number;
  readonly metricsManager: string;
  readonly tokenFactory: string;
  readonly rounds: number;
  readonly metricsPushed: number;
  readonly milestonesRecorded: number;
  readonly coinsLaunched: readonly { stageName: string; name: string; symbol: string; coin: string | null }[];
  /** Creators whose on-chain metrics equal the database's, of those checked. */
  readonly onChainMatches: { readonly checked: number; readonly equal: number };
  readonly lastRunStatus: string;
}

interface SyncResult {
  readonly status: string;
  readonly confirmed: number;
  readonly enqueued: number;
  readonly milestonesRecorded: number;
  readonly coinsEnqueued: number;
}

/** The deployed path: the oracle-calls consumer function over the queue, then the confirmer function. */
async function deliverThroughFunctions(platform: Platform): Promise<void> {
  const queueUrl = platform.config.ORACLE_CALLS_QUEUE_URL;
  if (queueUrl === undefined) throw new Error('ORACLE_CALLS_QUEUE_URL is not set');
  const endpoint = platform.config.SQS_ENDPOINT;
  const client = sqsClient(endpoint === undefined ? {} : { endpoint });
  const consume = asFunction(
    'OracleCalls',
    (await import('../functions/queue/oracle-calls/index.ts')).handler.on(platform),
  );
  const confirm = asFunction(
    'DeliveryConfirmer',
    (await import('../functions/scheduled/delivery-confirmer/index.ts')).handler.on(platform),
  );
  try {
    await drain(client, queueUrl, (event) => consume(event));
    await confirm({});
  } finally {
    client.destroy();
  }
}

export async function runCreatorOracleStage(
  runtime: { readonly evmRpcUrl: string; readonly platform: Platform },
  nowMs: number,
  options: CreatorOracleStageOptions = {},
): Promise<CreatorOracleStageSummary> {
  const deliver = options.deliver ?? deliverThroughFunctions;
  const { sql } = await runtime.platform.database();
  // The local chain is anvil's unless EVM_CHAIN_ID names another.
  const chainId = Number(process.env['EVM_CHAIN_ID'] ?? ANVIL_CHAIN_ID);
  const provider = localProvider(runtime.evmRpcUrl, chainId);
  try {
    const deployer = new Wallet(ANVIL_DEV_ACCOUNTS[1].privateKey, provider);
    const oracle = ANVIL_DEV_ACCOUNTS[0].address;
    const managerArtifact = await loadArtifact('CreatorMetricsManager');
    const factoryArtifact = await loadArtifact('CreatorTokenFactory');
    const manager = await new ContractFactory(managerArtifact.abi, managerArtifact.bytecode, deployer).deploy(
      oracle,
    );
    await manager.waitForDeployment();
    const metricsManager = await manager.getAddress();
    const factory = await new ContractFactory(factoryArtifact.abi, factoryArtifact.bytecode, deployer).deploy(
      metricsManager,
      oracle,
    );
    await factory.waitForDeployment();
    const tokenFactory = await factory.getAddress();

    const seeded = await seedCreatorDemo(sql, {
      creators: options.creators ?? 200,
      seed: options.seed ?? 1,
      now: new Date(nowMs),
    });

    // The sync function's settings name the contracts just deployed (and its cold start checks them).
    const contracts = {
      CREATOR_METRICS_MANAGER_ADDRESS: metricsManager,
      CREATOR_TOKEN_FACTORY_ADDRESS: tokenFactory,
      EVM_CHAIN_ID: String(chainId),
    };
    Object.assign(process.env, contracts);
    const platform = createPlatform(loadConfig({ ...process.env, ...contracts }), {
      database: await runtime.platform.database(),
      secrets: runtime.platform.secrets,
      treeHasher: runtime.platform.treeHasher,
      eventBus: runtime.platform.eventBus(),
    });
    const { handler } = await import('../functions/scheduled/creator-sync/index.ts');
    const sync = asFunction('CreatorSync', handler.on(platform)) as unknown as (
      event: unknown,
    ) => Promise<SyncResult>;
    let metricsPushed = 0;
    let milestonesRecorded = 0;
    let rounds = 0;
    let last: SyncResult | undefined;
    for (; rounds < (options.maxRounds ?? 30); rounds++) {
      last = await sync({}).catch((error: unknown) => ({
        status: `partial: ${error instanceof Error ? error.message : String(error)}`,
        confirmed: 0,
        enqueued: 0,
        milestonesRecorded: 0,
        coinsEnqueued: 0,
      }));
      metricsPushed += last.confirmed;
      milestonesRecorded += last.milestonesRecorded;
      const sent = last.enqueued + last.coinsEnqueued;
      // Done once a run sends nothing and no call it sent awaits reconciling. The delivery
      // engine's table cannot tell: a call whose message is still in the queue (failed once and
      // out of sight) has no row there yet, so stopping on it could leave a call uncounted.
      if (rounds > 0 && sent === 0 && (await callsAwaited(sql)) === 0) break;
      // A round that neither sent nor confirmed anything waits on a message that failed and is
      // out of sight for its visibility timeout (5 s on oracle-calls): give it time to return.
      if (rounds > 0 && sent === 0 && last.confirmed === 0) await new Promise((r) => setTimeout(r, 1_000));
      await deliver(platform);
    }

    const coins = await sql<
      { stage_name: string; name: string; symbol: string; coin_address: string | null }[]
    >`
      select c.stage_name, k.name, k.symbol, k.coin_address from creator.creator_coins k
      join creator.creators c on c.id = k.creator_id where k.status = 'launched' order by k.symbol`;
    const reader = new EthersCreatorContracts(provider, chainId, metricsManager, tokenFactory);
    const metrics = await computeCreatorMetrics(sql, { asOf: new Date(nowMs) });
    const sample = metrics.filter((_, i) => i % Math.max(1, Math.floor(metrics.length / 25)) === 0);
    let equal = 0;
    for (const m of sample) {
      const onChain = await reader.getCreatorMetrics(m.walletAddress);
      if (
        onChain.totalPlays === m.onChain.totalPlays &&
        onChain.followers === m.onChain.followers &&
        onChain.engagementScoreX100 === m.onChain.engagementScoreX100 &&
        onChain.monthlyRevenueAttoFil === m.onChain.monthlyRevenueAttoFil
      ) {
        equal++;
      }
    }
    return {
      creators: seeded.creators,
      seedMs: Math.round(seeded.durationMs),
      metricsManager,
      tokenFactory,
      rounds,
      metricsPushed,
      milestonesRecorded,
      coinsLaunched: coins.map((c) => ({
        stageName: c.stage_name,
        name: c.name,
        symbol: c.symbol,
        coin: c.coin_address,
      })),
      onChainMatches: { checked: sample.length, equal },
      lastRunStatus: last?.status ?? 'not run',
    };
  } finally {
    provider.destroy();
  }
}

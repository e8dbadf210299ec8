/**
 * The creator metrics sync of 10,000 demo creators to anvil: metrics for all creators in one
 * query, every update enqueued in batches and delivered by the oracle call delivery engine
 * (FIFO queue, consecutive nonces, confirmer), compared in the same run with the source's way:
 * one creator at a time, its metrics queried, its transaction sent and awaited before the next.
 */
import { Contract, ContractFactory, Wallet } from 'ethers';
import { startFauxqs } from 'fauxqs';
import postgres from 'postgres';
import { loadArtifact } from '../../contracts/compile.ts';
import { SqsWorkQueue, sqsClient } from '../../layers/shared/src/adapters/aws/sqs-work-queue.ts';
import { createDb } from '../../layers/shared/src/adapters/db/client.ts';
import { runMigrations } from '../../layers/shared/src/adapters/db/migrate.ts';
import { EthersCreatorContracts } from '../../layers/shared/src/adapters/evm/creator-contracts.ts';
import { EthersCallEncoder, EthersEvmChain } from '../../layers/shared/src/adapters/evm/ethers-evm-chain.ts';
import { computeCreatorMetrics } from '../../layers/shared/src/services/creator/creator-metrics.ts';
import { deliveryEngineGateway } from '../../layers/shared/src/services/creator/creator-oracle-calls.ts';
import { runCreatorSync } from '../../layers/shared/src/services/creator/creator-sync.ts';
import { confirmDeliveries } from '../../layers/shared/src/services/delivery/confirm-deliveries.ts';
import { processOracleCallMessages } from '../../layers/shared/src/services/delivery/process-oracle-call-messages.ts';
import { ANVIL_DEV_ACCOUNTS, startAnvil } from '../../local/anvil.ts';
import { seedCreatorDemo } from '../../local/creator-demo-seed.ts';
import { startEmbeddedPostgres } from '../../local/embedded-postgres.ts';
import { benchDeliveryDeps } from './bench-delivery.ts';
import type { BenchRow } from './harness.ts';

export const title = 'creator metrics sync';

const CREATORS = Number(process.env['CREATOR_BENCH_CREATORS'] ?? 10_000);
const BASELINE_CREATORS = 200;
const BLOCK_TIME_SECONDS = 0.25;
const NOW = new Date('2026-11-25T12:00:00Z');

export async function bench(): Promise<BenchRow[]> {
  const [pg, anvil, sqs] = await Promise.all([
    startEmbeddedPostgres(),
    // Interval mining as on a real chain (250 ms blocks, Arbitrum's pace): anvil's automine makes
    // a block per transaction and recomputes its state root each time, which at 10,000 creators
    // costs it more than everything else in the run.
    startAnvil({ blockTime: BLOCK_TIME_SECONDS }),
    startFauxqs({ port: 0, logger: false }),
  ]);
  const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
  await admin.unsafe('create database creator_bench');
  await admin.end();
  const dbUrl = pg.urlFor('creator_bench');
  await runMigrations(dbUrl);
  const db = createDb(dbUrl, { max: 10 });
  const chain = EthersEvmChain.connect(anvil.url, anvil.chainId, { local: true });
  try {
    const seeded = await seedCreatorDemo(db.sql, { creators: CREATORS, seed: 2026, now: NOW });
    process.stderr.write(
      `creator-sync bench: seeded ${seeded.rows} rows in ${seeded.durationMs.toFixed(0)} ms\n`,
    );

    const deployer = new Wallet(ANVIL_DEV_ACCOUNTS[1].privateKey, anvil.provider());
    const oracleKey = ANVIL_DEV_ACCOUNTS[0].privateKey;
    const baselineKey = ANVIL_DEV_ACCOUNTS[2].privateKey;
    const managerArtifact = await loadArtifact('CreatorMetricsManager');
    const factoryArtifact = await loadArtifact('CreatorTokenFactory');
    const deployManager = async (oracle: string) => {
      const c = await new ContractFactory(managerArtifact.abi, managerArtifact.bytecode, deployer).deploy(
        oracle,
      );
      await c.waitForDeployment();
      return c.getAddress();
    };
    const managerAddress = await deployManager(new Wallet(oracleKey).address);
    const factory = await new ContractFactory(factoryArtifact.abi, factoryArtifact.bytecode, deployer).deploy(
      managerAddress,
      new Wallet(oracleKey).address,
    );
    await factory.waitForDeployment();
    const factoryAddress = await factory.getAddress();
    const baselineManager = await deployManager(new Wallet(baselineKey).address);

    const dlq = sqs.createQueue('oracle-calls-dlq.fifo', { attributes: { FifoQueue: 'true' } });
    const main = sqs.createQueue('oracle-calls.fifo', { attributes: { FifoQueue: 'true' } });
    const queue = new SqsWorkQueue({
      queueUrl: main.queueUrl,
      deadLetterQueueUrl: dlq.queueUrl,
      client: sqsClient({ endpoint: `http://127.0.0.1:${sqs.port}` }),
    });
    const delivery = benchDeliveryDeps({ sql: db.sql, chain, signerKey: oracleKey, queue });
    const reader = new EthersCreatorContracts(
      anvil.provider(),
      anvil.chainId,
      managerAddress,
      factoryAddress,
    );
    const syncDeps = {
      sql: db.sql,
      calls: deliveryEngineGateway({
        sql: db.sql,
        queue,
        encoder: new EthersCallEncoder(),
        chainId: anvil.chainId,
        signerAddress: delivery.signer.address,
        now: Date.now,
      }),
      contracts: reader,
      config: {
        chainId: anvil.chainId,
        metricsManagerAddress: managerAddress,
        tokenFactoryAddress: factoryAddress,
      },
      now: () => NOW,
    };

    // Ours: one sync run enqueues every creator; the engine delivers; the next run confirms.
    const started = performance.now();
    const run = await runCreatorSync(syncDeps);
    const enqueuedMs = performance.now() - started;
    let received = 0;
    for (;;) {
      const messages = await queue.receive({ maxMessages: 10 });
      if (messages.length === 0) break;
      received += messages.length;
      if (received % 1_000 < messages.length) {
        process.stderr.write(
          `creator-sync bench: ${received} calls sent, ${(performance.now() - started).toFixed(0)} ms\n`,
        );
      }
      const results = await processOracleCallMessages(
        delivery,
        messages.map((m) => m.body),
      );
      await Promise.all(
        messages.map((m, i) => (results[i]?.ok === true ? queue.delete(m.receiptHandle) : undefined)),
      );
    }
    const drainedMs = performance.now() - started;
    // The confirmer until no call is open; a pass skipped by an open breaker waits for its cool-off.
    let rounds = 0;
    const confirmDeadline = performance.now() + 15 * 60_000;
    for (; performance.now() < confirmDeadline; rounds++) {
      const report = await confirmDeliveries(delivery);
      const [open] = await db.sql<{ n: number }[]>`
        select count(*)::int as n from delivery.oracle_call_history where status in ('queued', 'pending', 'retrying')`;
      process.stderr.write(
        `creator-sync bench: confirm round ${rounds + 1}: ${JSON.stringify(report)}, ${open?.n ?? 0} open, ${(performance.now() - started).toFixed(0)} ms\n`,
      );
      if ((open?.n ?? 0) === 0) break;
      if (report.skipped) await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const deliveredMs = performance.now() - started;
    const confirmedRun = await runCreatorSync(syncDeps);
    const syncMs = performance.now() - started;
    const onChainCount = Number(
      await new Contract(managerAddress, managerArtifact.abi, anvil.provider()).getFunction('creatorCount')(),
    );

    // Spot check: a sample of creators on-chain equals the database.
    const metrics = await computeCreatorMetrics(db.sql, { asOf: NOW });
    let mismatches = 0;
    for (let i = 0; i < metrics.length; i += Math.max(1, Math.floor(metrics.length / 50))) {
      const m = metrics[i]!;
      const onChain = await reader.getCreatorMetrics(m.walletAddress);
      if (
        onChain.totalPlays !== m.onChain.totalPlays ||
        onChain.followers !== m.onChain.followers ||
        onChain.engagementScoreX100 !== m.onChain.engagementScoreX100 ||
        onChain.monthlyRevenueAttoFil !== m.onChain.monthlyRevenueAttoFil
      ) {
        mismatches++;
      }
    }

    // Baseline: the source's loop, one creator at a time, each transaction awaited.
    const baselineProvider = anvil.provider();
    // ethers polls for receipts every 4 s by default; anvil mines at once, so the baseline polls fast.
    baselineProvider.pollingInterval = 20;
    const baselineWallet = new Wallet(baselineKey, baselineProvider);
    const baseline = new Contract(baselineManager, managerArtifact.abi, baselineWallet).getFunction(
      'updateCreatorMetrics',
    );
    const baselineStarted = performance.now();
    for (const creator of metrics.slice(0, BASELINE_CREATORS)) {
      const [m] = await computeCreatorMetrics(db.sql, {
        asOf: NOW,
        walletAddresses: [creator.walletAddress],
      });
      if (m === undefined) continue;
      const tx = await baseline(
        m.walletAddress,
        m.onChain.totalPlays,
        m.onChain.followers,
        m.onChain.engagementScoreX100,
        m.onChain.monthlyRevenueAttoFil,
      );
      await tx.wait();
    }
    const baselineMs = performance.now() - baselineStarted;

    const ours = (confirmedRun.confirmed / syncMs) * 1000;
    const peer = (BASELINE_CREATORS / baselineMs) * 1000;
    const allDelivered = confirmedRun.confirmed === CREATORS && onChainCount === CREATORS && mismatches === 0;
    return [
      {
        name: `metrics for ${CREATORS.toLocaleString('en')} creators (one query + score)`,
        value: run.metricsMs,
        unit: 'ms',
        target: '< 2000 ms',
        met: run.metricsMs < 2_000,
        notes: `first run enqueued ${run.enqueued} updates in ${enqueuedMs.toFixed(0)} ms`,
      },
      {
        name: `sync ${CREATORS.toLocaleString('en')} creators to anvil, all confirmed`,
        value: ours,
        unit: 'creators/s',
        peer: {
          name: `one creator at a time (query, send, wait), ${BASELINE_CREATORS} creators`,
          value: peer,
        },
        target: 'all delivered',
        met: allDelivered,
        notes: `${confirmedRun.confirmed}/${CREATORS} confirmed, ${onChainCount} on-chain, ${mismatches} sample mismatches; enqueued ${enqueuedMs.toFixed(0)} ms, sent ${drainedMs.toFixed(0)} ms, delivered ${deliveredMs.toFixed(0)} ms (${rounds + 1} confirm rounds), confirmed ${syncMs.toFixed(0)} ms`,
      },
      {
        name: `demo seed ${CREATORS.toLocaleString('en')} creators (${seeded.rows.toLocaleString('en')} rows, COPY)`,
        value: (seeded.rows / seeded.durationMs) * 1000,
        unit: 'rows/s',
        notes: `${seeded.durationMs.toFixed(0)} ms; ${seeded.totalPlays.toLocaleString('en')} plays in ${seeded.playRows} aggregated rows`,
      },
    ];
  } finally {
    chain.destroy();
    await db.close();
    await Promise.all([anvil.stop(), sqs.stop()]);
    await pg.stop();
  }
}

/**
 * Oracle call delivery from one signer on anvil: the engine (enqueue → FIFO queue → consumer
 * signing a batch with consecutive nonces in one transaction, sending without waiting →
 * confirmer) against the source's way, send one transaction and wait for it before the next.
 * Both measured to the point where every call is mined and known to be.
 */
import { ContractFactory, Wallet } from 'ethers';
import { startFauxqs } from 'fauxqs';
import postgres from 'postgres';
import { loadArtifact } from '../../contracts/compile.ts';
import { SqsWorkQueue, sqsClient } from '../../layers/shared/src/adapters/aws/sqs-work-queue.ts';
import { createDb } from '../../layers/shared/src/adapters/db/client.ts';
import { runMigrations } from '../../layers/shared/src/adapters/db/migrate.ts';
import {
  EthersCallEncoder,
  EthersEvmChain,
  PrivateKeySigner,
} from '../../layers/shared/src/adapters/evm/ethers-evm-chain.ts';
import { feesFromHistory, gasLimitFromEstimate } from '../../layers/shared/src/core/delivery/fee-policy.ts';
import { confirmDeliveries } from '../../layers/shared/src/services/delivery/confirm-deliveries.ts';
import { enqueueOracleCalls } from '../../layers/shared/src/services/delivery/enqueue-oracle-call.ts';
import { UPDATE_RAFFLE_PROBABILITY } from '../../layers/shared/src/services/delivery/fpmm-oracle-calls.ts';
import { processOracleCallMessages } from '../../layers/shared/src/services/delivery/process-oracle-call-messages.ts';
import { ANVIL_DEV_ACCOUNTS, startAnvil } from '../../local/anvil.ts';
import { startEmbeddedPostgres } from '../../local/embedded-postgres.ts';
import { benchDeliveryDeps } from './bench-delivery.ts';
import type { BenchRow } from './harness.ts';

export const title = 'oracle call delivery';

const PIPELINED_CALLS = Number(process.env['BENCH_CALLS'] ?? 1_000);
const BASELINE_CALLS = Number(process.env['BENCH_BASELINE_CALLS'] ?? 200);

const player = (i: number) => `0x${(i + 1).toString(16).padStart(40, '0')}`;

export async function bench(): Promise<BenchRow[]> {
  const [pg, anvil, sqs] = await Promise.all([
    startEmbeddedPostgres(),
    startAnvil(),
    startFauxqs({ port: 0, logger: false }),
  ]);
  const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
  await admin.unsafe('create database delivery_bench');
  await admin.end();
  const dbUrl = pg.urlFor('delivery_bench');
  await runMigrations(dbUrl);
  const db = createDb(dbUrl, { max: 10 });
  const chain = EthersEvmChain.connect(anvil.url, anvil.chainId, { local: true });
  try {
    const deployer = new Wallet(ANVIL_DEV_ACCOUNTS[1].privateKey, anvil.provider());
    const oracleKey = ANVIL_DEV_ACCOUNTS[0].privateKey;
    const baselineKey = ANVIL_DEV_ACCOUNTS[2].privateKey;
    const artifact = await loadArtifact('FixedProductMarketMaker');
    const deploy = async (oracle: string) => {
      const c = await new ContractFactory(artifact.abi, artifact.bytecode, deployer).deploy(oracle);
      await c.waitForDeployment();
      return c.getAddress();
    };
    const engineMarket = await deploy(new Wallet(oracleKey).address);
    const baselineMarket = await deploy(new Wallet(baselineKey).address);

    // fauxqs hands out one message per FIFO group per receive (SQS gives up to ten), which would
    // measure the emulator; a standard queue gives batches of ten as the Lambda event source does.
    const dlq = sqs.createQueue('oracle-calls-dlq');
    const main = sqs.createQueue('oracle-calls');
    const queue = new SqsWorkQueue({
      queueUrl: main.queueUrl,
      deadLetterQueueUrl: dlq.queueUrl,
      client: sqsClient({ endpoint: `http://127.0.0.1:${sqs.port}` }),
    });
    const deps = benchDeliveryDeps({ sql: db.sql, chain, signerKey: oracleKey, queue });
    const enqueueDeps = {
      sql: db.sql,
      queue,
      encoder: new EthersCallEncoder(),
      chainId: anvil.chainId,
      signerAddress: deps.signer.address,
      now: Date.now,
    };

    // Pipelined: every call enqueued at once, consumed in FIFO batches of ten, confirmed.
    const started = performance.now();
    await enqueueOracleCalls(
      enqueueDeps,
      Array.from({ length: PIPELINED_CALLS }, (_, i) => ({
        requestId: `bench-${i}`,
        contractAddress: engineMarket,
        functionSignature: UPDATE_RAFFLE_PROBABILITY,
        args: [1, player(i), i % 10_000],
      })),
    );
    // As the Lambda poller does, the next batch is fetched while one is processed and
    // processed messages are deleted in the background.
    const deletions: Promise<void>[] = [];
    let next = queue.receive({ maxMessages: 10 });
    for (;;) {
      const messages = await next;
      if (messages.length === 0) break;
      next = queue.receive({ maxMessages: 10 });
      const results = await processOracleCallMessages(
        deps,
        messages.map((m) => m.body),
      );
      deletions.push(
        queue.deleteBatch(messages.filter((_, i) => results[i]?.ok === true).map((m) => m.receiptHandle)),
      );
    }
    await Promise.all(deletions);
    // The confirmer (every minute in production) then finds every nonce mined.
    for (let round = 0; round < 100; round++) {
      const report = await confirmDeliveries(deps);
      if (report.pending === 0) break;
    }
    const pipelinedMs = performance.now() - started;
    const [done] = await db.sql<{ n: number }[]>`
      select count(*)::int as n from delivery.oracle_call_history where status = 'success'`;
    const succeeded = done?.n ?? 0;

    // Baseline: one transaction at a time, each awaited until mined, with the same chain adapter,
    // signer and fees (no database, no queue): estimate, sign, send, poll the receipt, next.
    const baselineSigner = new PrivateKeySigner(baselineKey);
    const encoder = new EthersCallEncoder();
    const baselineFees = feesFromHistory(await chain.feeHistory(10, 50));
    let baselineNonce = await chain.getTransactionCount(baselineSigner.address, 'pending');
    const baselineStarted = performance.now();
    for (let i = 0; i < BASELINE_CALLS; i++) {
      const { data } = encoder.encode(UPDATE_RAFFLE_PROBABILITY, [1, player(i), i]);
      const gas = await chain.estimateGas({ from: baselineSigner.address, to: baselineMarket, data });
      const signed = baselineSigner.sign({
        chainId: anvil.chainId,
        nonce: baselineNonce++,
        to: baselineMarket,
        data,
        value: 0n,
        gasLimit: gasLimitFromEstimate(gas),
        fees: baselineFees,
      });
      await chain.sendRawTransaction(signed.raw);
      while ((await chain.getReceipt(signed.hash)) === null) {
        // polls at once: anvil mines on arrival, so the first poll normally finds it
      }
    }
    const baselineMs = performance.now() - baselineStarted;

    const ours = (succeeded / pipelinedMs) * 1000;
    const peer = (BASELINE_CALLS / baselineMs) * 1000;
    return [
      {
        name: `calls/s from one signer, ${PIPELINED_CALLS} calls (queue, DB, nonces, confirm)`,
        value: ours,
        unit: 'calls/s',
        peer: { name: `send-and-wait, ${BASELINE_CALLS} calls (same adapter, no DB/queue)`, value: peer },
        target: '>= 200 calls/s',
        met: ours >= 200 && succeeded === PIPELINED_CALLS,
        notes: `${succeeded}/${PIPELINED_CALLS} succeeded in ${pipelinedMs.toFixed(0)} ms`,
      },
    ];
  } finally {
    chain.destroy();
    await db.close();
    await Promise.all([anvil.stop(), sqs.stop()]);
    await pg.stop();
  }
}

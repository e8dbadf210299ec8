import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAlerts, enqueueDependencies } from '../../functions/delivery.ts';
import type { Platform, RequiredConfig } from '../../functions/platform.ts';
import { logger } from '../../layers/shared/src/observability.ts';
import { confirmDeliveries } from '../../layers/shared/src/services/delivery/confirm-deliveries.ts';
import type { DeliveryDeps } from '../../layers/shared/src/services/delivery/engine.ts';
import { enqueueOracleCall } from '../../layers/shared/src/services/delivery/enqueue-oracle-call.ts';
import { UPDATE_RAFFLE_PROBABILITY } from '../../layers/shared/src/services/delivery/fpmm-oracle-calls.ts';
import { processOracleCallMessages } from '../../layers/shared/src/services/delivery/process-oracle-call-messages.ts';
import { type DeliveryHarness, gasError, startDeliveryHarness } from '../fixtures/delivery.ts';
import { platformFromEnv } from '../fixtures/platform.ts';

const PLAYER = '0x00000000000000000000000000000000000000ee';

/**
 * ORACLE_MAX_RETRIES and ORACLE_ALERT_CUTOFF as the functions read them (functions/delivery.ts),
 * applied by the engine on anvil: every estimate of the calls under test fails with a gas error.
 */
describe('delivery thresholds from configuration', () => {
  let h: DeliveryHarness;
  let deps: DeliveryDeps;
  let platform: Platform<RequiredConfig<'EVM_SIGNER_ADDRESS'>>;
  let serial = 0;

  beforeAll(async () => {
    h = await startDeliveryHarness();
    Object.assign(process.env, {
      ORACLE_MODE: 'local',
      LOG_LEVEL: 'SILENT',
      DATABASE_URL: h.db.url,
      EVM_CHAIN_ID: String(h.anvil.chainId),
      EVM_SIGNER_ADDRESS: h.signer.address,
      ORACLE_CALLS_QUEUE_URL: h.queue.queueUrl,
      ORACLE_CALLS_DLQ_URL: h.queue.deadLetterQueueUrl,
      SQS_ENDPOINT: h.sqsEndpoint,
      ORACLE_MAX_RETRIES: '1',
      ORACLE_ALERT_CUTOFF: '2',
    });
    platform = platformFromEnv({}, ['EVM_SIGNER_ADDRESS']);
    // The functions' alert sink logs each alert; the assertions read the stored alerts instead.
    logger.setLogLevel('SILENT');
    deps = { ...h.deps, alerts: await adminAlerts(platform) };
    h.chain.failEstimate = () => gasError();
  });
  afterAll(async () => {
    for (const name of ['ORACLE_MAX_RETRIES', 'ORACLE_ALERT_CUTOFF']) delete process.env[name];
    await platform?.close();
    await h.close();
  });

  const raffle = async (enqueue: Parameters<typeof enqueueOracleCall>[0], targetAddress: string) =>
    (
      await enqueueOracleCall(enqueue, {
        requestId: `settings-${serial++}`,
        contractAddress: h.fpmmAddress,
        targetAddress,
        functionSignature: UPDATE_RAFFLE_PROBABILITY,
        args: [1, PLAYER, 10],
      })
    ).call;
  const drain = async () => {
    for (;;) {
      const messages = await h.queue.receive({ maxMessages: 10 });
      if (messages.length === 0) return;
      await processOracleCallMessages(
        deps,
        messages.map((m) => m.body),
      );
      await Promise.all(messages.map((m) => h.queue.delete(m.receiptHandle)));
    }
  };
  const row = async (id: number) =>
    (
      await h.db.sql<{ status: string; attempt_count: number; max_attempts: number }[]>`
        select status, attempt_count, max_attempts from delivery.oracle_call_history where id = ${id}`
    )[0];

  it('fails a call after its first retry with ORACLE_MAX_RETRIES=1, while a call given the default keeps retrying', async () => {
    const configured = await raffle(
      await enqueueDependencies(platform),
      '0x00000000000000000000000000000000000000a1',
    );
    const byDefault = await raffle(h.enqueueDeps, '0x00000000000000000000000000000000000000a2');
    expect(configured.maxAttempts).toBe(2);
    expect(byDefault.maxAttempts).toBe(6);

    await drain();
    expect(await row(configured.id)).toMatchObject({ status: 'retrying', attempt_count: 1 });
    h.advance(2_000);
    await confirmDeliveries(deps);
    expect(await row(configured.id)).toMatchObject({ status: 'failed', attempt_count: 2 });
    expect(await row(byDefault.id)).toMatchObject({ status: 'retrying', attempt_count: 2 });
  });

  it('alerts at the second consecutive failure with ORACLE_ALERT_CUTOFF=2', async () => {
    const target = '0x00000000000000000000000000000000000000a3';
    const alerts = async () =>
      (await h.db.sql`select 1 from delivery.admin_alerts where target_address = ${target}`).length;
    const enqueue = await enqueueDependencies(platform);
    await raffle(enqueue, target);
    await drain();
    expect(await alerts()).toBe(0);
    await raffle(enqueue, target);
    await drain();
    expect(await alerts()).toBe(1);
  });
});

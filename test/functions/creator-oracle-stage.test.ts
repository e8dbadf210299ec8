import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticSecretStore } from '../../layers/shared/src/adapters/aws/secrets-manager-store.ts';
import { ANVIL_DEV_ACCOUNTS, type AnvilHandle, startAnvil } from '../../local/anvil.ts';
import { runCreatorOracleStage } from '../../local/creator-oracle-stage.ts';
import { type SqsService, startSqs } from '../../local/services.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';

describe('the creator oracle in a local cycle', () => {
  let t: TestDatabase;
  let anvil: AnvilHandle;
  let sqs: SqsService;

  beforeAll(async () => {
    [t, anvil, sqs] = await Promise.all([createTestDatabase(), startAnvil(), startSqs()]);
    Object.assign(process.env, {
      ORACLE_MODE: 'local',
      LOG_LEVEL: 'SILENT',
      DATABASE_URL: t.url,
      EVM_RPC_URL: anvil.url,
      EVM_CHAIN_ID: String(anvil.chainId),
      EVM_SIGNER_SECRET_ARN: 'test/evm-signer',
      // anvil's well-known dev account 0 signs in these tests.
      EVM_SIGNER_ADDRESS: ANVIL_DEV_ACCOUNTS[0].address,
      SQS_ENDPOINT: sqs.endpoint,
      ORACLE_CALLS_QUEUE_URL: sqs.queues.oracleCalls.url,
      ORACLE_CALLS_DLQ_URL: sqs.queues.oracleCalls.dlqUrl,
    });
    const { useSecretStore, resetDependencies } = await import('../../functions/dependencies.ts');
    const { resetConfigForTests } = await import('../../layers/shared/src/config.ts');
    resetConfigForTests();
    await resetDependencies();
    // anvil's well-known dev account 0, a public test key.
    useSecretStore(
      new StaticSecretStore({
        'test/evm-signer': JSON.stringify({ privateKey: ANVIL_DEV_ACCOUNTS[0].privateKey }),
      }),
    );
  });

  afterAll(async () => {
    const { resetDependencies } = await import('../../functions/dependencies.ts');
    const { resetDeliveryEngine } = await import('../../functions/delivery.ts');
    resetDeliveryEngine();
    await resetDependencies();
    await Promise.all([anvil.stop(), sqs.stop()]);
    await t.close();
  });

  it('seeds creators, pushes their metrics, records milestones and launches the coins', async () => {
    const summary = await runCreatorOracleStage({ evmRpcUrl: anvil.url }, Date.now(), {
      creators: 60,
      seed: 4,
    });
    expect(summary.creators).toBe(60);
    expect(summary.metricsPushed).toBe(60);
    expect(summary.milestonesRecorded).toBeGreaterThan(20);
    expect(summary.coinsLaunched.map((c) => c.symbol)).toEqual(['HEADLINE', 'LAUNCHPA']);
    expect(summary.coinsLaunched.every((c) => c.coin?.startsWith('0x'))).toBe(true);
    expect(summary.onChainMatches.equal).toBe(summary.onChainMatches.checked);
    expect(summary.lastRunStatus).toBe('success');
  });
});

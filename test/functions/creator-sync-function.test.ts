import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../functions/platform.ts';
import { ANVIL_DEV_ACCOUNTS, type AnvilHandle, startAnvil } from '../../local/anvil.ts';
import { seedCreatorDemo } from '../../local/creator-demo-seed.ts';
import { drain } from '../../local/queue-poller.ts';
import { type SqsService, startSqs } from '../../local/services.ts';
import { creatorFunctionPlatform, deployCreatorContracts } from '../fixtures/creator-oracle.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('the creator-sync scheduled function', () => {
  let t: TestDatabase;
  let anvil: AnvilHandle;
  let sqs: SqsService;
  let sync: () => Promise<{ enqueued: number; confirmed: number; status: string; level: string }>;
  let consume: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
  let platform: Platform;

  beforeAll(async () => {
    [t, anvil, sqs] = await Promise.all([createTestDatabase(), startAnvil(), startSqs()]);
    const deployer = new Wallet(ANVIL_DEV_ACCOUNTS[1].privateKey, anvil.provider());
    const contracts = await deployCreatorContracts(deployer, ANVIL_DEV_ACCOUNTS[0].address);
    await seedCreatorDemo(t.sql, { creators: 20, seed: 9, now: new Date() });
    platform = await creatorFunctionPlatform(
      { databaseUrl: t.url, anvil, sqs },
      {
        CREATOR_METRICS_MANAGER_ADDRESS: contracts.managerAddress,
        CREATOR_TOKEN_FACTORY_ADDRESS: contracts.factoryAddress,
      },
    );
    const syncOn = (await import('../../functions/scheduled/creator-sync/index.ts')).handler.on(platform);
    sync = () => syncOn({}) as unknown as ReturnType<typeof sync>;
    consume = (await import('../../functions/queue/oracle-calls/index.ts')).handler.on(platform);
  });

  afterAll(async () => {
    await platform.close();
    await Promise.all([anvil.stop(), sqs.stop()]);
    await t.close();
  });

  it('enqueues every creator through the oracle-calls queue and confirms them on the next run', async () => {
    const first = await sync();
    expect(first).toMatchObject({ enqueued: 20, status: 'success' });
    const consumed = await drain(sqs.client, sqs.queues.oracleCalls.url, (event) =>
      consume(event, {} as Context),
    );
    expect(consumed.received).toBe(20);
    const second = await sync();
    expect(second).toMatchObject({ confirmed: 20, enqueued: 0 });
  });

  it('fails its cold start naming a missing contract address', () => {
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', '-e', "await import('./functions/scheduled/creator-sync/index.ts')"],
      {
        cwd: ROOT,
        env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ORACLE_MODE: 'local' },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('CREATOR_METRICS_MANAGER_ADDRESS: required, but not set');
  });
});

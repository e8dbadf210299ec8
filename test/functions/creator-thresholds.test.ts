import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { type Contract, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../functions/platform.ts';
import { milestoneTable } from '../../layers/shared/src/core/creator/milestones.ts';
import { computeCreatorMetrics } from '../../layers/shared/src/services/creator/creator-metrics.ts';
import { ANVIL_DEV_ACCOUNTS, type AnvilHandle, startAnvil } from '../../local/anvil.ts';
import { seedCreatorDemo } from '../../local/creator-demo-seed.ts';
import { drain } from '../../local/queue-poller.ts';
import { type SqsService, startSqs } from '../../local/services.ts';
import { creatorFunctionPlatform, deployCreatorContracts } from '../fixtures/creator-oracle.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';

interface SyncResult {
  readonly status: string;
  readonly enqueued: number;
  readonly confirmed: number;
  readonly milestonesRecorded: number;
  readonly coinsEnqueued: number;
}

/** The creator-sync function with the milestone and coin launch settings changed from the sources' values. */
describe('the creator sync with configured thresholds', () => {
  let t: TestDatabase;
  let anvil: AnvilHandle;
  let sqs: SqsService;
  let manager: Contract;
  let sync: () => Promise<SyncResult>;
  let consume: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
  let launchPlays = 0;
  let platform: Platform;

  beforeAll(async () => {
    [t, anvil, sqs] = await Promise.all([createTestDatabase(), startAnvil(), startSqs()]);
    const deployer = new Wallet(ANVIL_DEV_ACCOUNTS[1].privateKey, anvil.provider());
    const contracts = await deployCreatorContracts(deployer, ANVIL_DEV_ACCOUNTS[0].address);
    manager = contracts.manager;
    const now = new Date();
    await seedCreatorDemo(t.sql, { creators: 12, seed: 4, now });
    // A launch threshold some seeded creators meet and others do not, all below the source's 50,000.
    const plays = (await computeCreatorMetrics(t.sql, { asOf: now }))
      .map((m) => m.totalPlays)
      .filter((p) => p < 50_000)
      .sort((a, b) => a - b);
    launchPlays = plays[Math.floor(plays.length / 2)] ?? 1;
    await (await manager.getFunction('setLaunchRequirements')(launchPlays, 1)).wait();
    platform = await creatorFunctionPlatform(
      { databaseUrl: t.url, anvil, sqs },
      {
        CREATOR_METRICS_MANAGER_ADDRESS: contracts.managerAddress,
        CREATOR_TOKEN_FACTORY_ADDRESS: contracts.factoryAddress,
        CREATOR_MILESTONES_PLAYS: `1,${launchPlays}`,
        CREATOR_MILESTONES_FOLLOWERS: 'none',
        CREATOR_MILESTONES_REVENUE_FIL: '0.000001',
        COIN_LAUNCH_MIN_PLAYS: String(launchPlays),
        COIN_LAUNCH_MIN_FOLLOWERS: '1',
      },
    );
    const syncOn = (await import('../../functions/scheduled/creator-sync/index.ts')).handler.on(platform);
    sync = () => syncOn({}) as unknown as ReturnType<typeof sync>;
    consume = (await import('../../functions/queue/oracle-calls/index.ts')).handler.on(platform);
  });

  afterAll(async () => {
    for (const name of [
      'CREATOR_MILESTONES_PLAYS',
      'CREATOR_MILESTONES_FOLLOWERS',
      'CREATOR_MILESTONES_REVENUE_FIL',
      'COIN_LAUNCH_MIN_PLAYS',
      'COIN_LAUNCH_MIN_FOLLOWERS',
    ])
      delete process.env[name];
    await platform.close();
    await Promise.all([anvil.stop(), sqs.stop()]);
    await t.close();
  });

  it('records the configured milestones and none of the default table', async () => {
    const first = await sync();
    expect(first.status).toBe('success');
    const recorded = await t.sql<{ milestone: string }[]>`
      select distinct milestone from creator.creator_milestones order by milestone`;
    const ids = recorded.map((r) => r.milestone);
    const [atLaunch] = milestoneTable({
      plays: [BigInt(launchPlays)],
      followers: [],
      revenueAttoFilPerMonth: [],
    });
    expect(ids).toContain('plays_1');
    expect(ids).toContain(atLaunch?.id);
    expect(ids.every((id) => /^plays_|^revenue_0_000001fil_month$/.test(id))).toBe(true);
    expect(ids).not.toContain('plays_1k');
    expect(ids).not.toContain('followers_1k');
  });

  it('launches coins for creators at the configured plays, below the source default of 50,000', async () => {
    await drain(sqs.client, sqs.queues.oracleCalls.url, (event) => consume(event, {} as Context));
    const second = await sync();
    expect(second.confirmed).toBeGreaterThan(0);
    expect(second.coinsEnqueued).toBeGreaterThan(0);
    const coins = await t.sql<{ total_plays: number }[]>`
      select coalesce(sum(p.play_count), 0)::int as total_plays
      from creator.creator_coins k
      join creator.plays p on p.creator_id = k.creator_id and p.deleted_at is null
      group by k.creator_id`;
    expect(coins.length).toBe(second.coinsEnqueued);
    expect(coins.some((c) => c.total_plays < 50_000)).toBe(true);
    expect(coins.every((c) => c.total_plays >= launchPlays)).toBe(true);
  });
});

import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeCreatorMetrics } from '../../../layers/shared/src/services/creator/creator-metrics.ts';
import { ANVIL_DEV_ACCOUNTS } from '../../../local/anvil.ts';
import { seedCreatorDemo } from '../../../local/creator-demo-seed.ts';
import { type CreatorOracleHarness, startCreatorOracle } from '../../fixtures/creator-oracle.ts';
import { type DeliveryHarness, startDeliveryHarness } from '../../fixtures/delivery.ts';

const NOW = new Date('2026-11-25T12:00:00Z');
const CREATORS = 15;

describe('creator sync through chain faults', () => {
  let delivery: DeliveryHarness;
  let oracle: CreatorOracleHarness;
  let owner: Wallet;

  async function expectChainEqualsDatabase(): Promise<void> {
    for (const m of await computeCreatorMetrics(delivery.db.sql, { asOf: NOW })) {
      const onChain = await oracle.reader.getCreatorMetrics(m.walletAddress);
      expect({ ...onChain, lastUpdated: 0n }).toEqual({ ...m.onChain, lastUpdated: 0n });
    }
  }

  beforeAll(async () => {
    delivery = await startDeliveryHarness();
    owner = new Wallet(ANVIL_DEV_ACCOUNTS[1].privateKey, delivery.anvil.provider());
    oracle = await startCreatorOracle(delivery, owner, { now: () => NOW });
    await seedCreatorDemo(delivery.db.sql, { creators: CREATORS, seed: 23, now: NOW });
  });
  afterAll(() => delivery.close());

  it('logs reverted updates with their reason and resends every creator once the contract accepts again', async () => {
    const manager = oracle.contracts.manager.connect(owner);
    await (await manager.getFunction('setOracle')(ANVIL_DEV_ACCOUNTS[2].address)).wait();

    await oracle.sync();
    await oracle.deliver();
    const retry = await oracle.sync();
    expect(retry.failedCalls).toBe(CREATORS);
    expect(retry.enqueued).toBe(CREATORS);
    await oracle.deliver();

    await (await manager.getFunction('setOracle')(delivery.signer.address)).wait();
    const third = await oracle.sync();
    expect(third.failedCalls).toBe(CREATORS);
    await oracle.deliver();
    const fourth = await oracle.sync();
    expect(fourth.confirmed).toBe(CREATORS);
    await expectChainEqualsDatabase();

    const perCreator = await delivery.db.sql<{ failed: number; succeeded: number; reason: string | null }[]>`
      select count(*) filter (where status = 'failed')::int as failed,
             count(*) filter (where status = 'success')::int as succeeded,
             max(error_message) filter (where status = 'failed') as reason
      from creator.oracle_sync_logs where operation = 'UPDATE_METRICS' group by creator_id`;
    expect(perCreator).toHaveLength(CREATORS);
    for (const row of perCreator) {
      expect(row.failed).toBe(2);
      expect(row.succeeded).toBe(1);
      expect(row.reason).toContain('caller is not the oracle');
    }
  });

  it('keeps every creator queued while the RPC endpoint is down and delivers all of them once it is back', async () => {
    // Every creator gains plays, so every creator has new metrics to send.
    await delivery.db.sql`
      insert into creator.plays (track_id, creator_id, played_at, play_count)
      select distinct on (creator_id) id, creator_id, ${new Date(NOW.getTime() - 60_000).toISOString()}::timestamptz, 7
      from creator.tracks order by creator_id, id`;
    const before = await oracle.sync();
    expect(before.enqueued).toBe(CREATORS);

    await delivery.proxy.down();
    await delivery.drain();
    // The coin candidates need a chain read, which cannot happen now: the run is partial.
    const during = await oracle.sync();
    expect(during.status).toBe('partial');
    delivery.advance(60_000);
    await delivery.confirm().catch(() => undefined);
    const blind = await oracle.sync();
    expect(blind.confirmed).toBe(0);
    expect(blind.status).toBe('partial');
    expect(blind.errors.join(' ')).toMatch(/meetsLaunchRequirements|coin info/);

    await delivery.proxy.up();
    delivery.advance(60_000);
    await oracle.deliver();
    const after = await oracle.sync();
    expect(after.confirmed).toBe(CREATORS);
    expect(after.status).toBe('success');
    await expectChainEqualsDatabase();

    const [run] = await delivery.db.sql<{ status: string; error_message: string }[]>`
      select status, error_message from creator.oracle_sync_logs where run_id = ${blind.runId} and operation = 'SYNC_RUN'`;
    expect(run!.status).toBe('partial');
    const latest = await delivery.db.sql<{ status: string; retries: number }[]>`
      select status, retries from creator.oracle_sync_logs
      where operation = 'UPDATE_METRICS' and run_id = ${before.runId}`;
    expect(latest).toHaveLength(CREATORS);
    expect(latest.every((l) => l.status === 'success')).toBe(true);
  });
});

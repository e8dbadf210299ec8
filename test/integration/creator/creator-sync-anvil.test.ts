import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeCreatorMetrics } from '../../../layers/shared/src/services/creator/creator-metrics.ts';
import { ANVIL_DEV_ACCOUNTS } from '../../../local/anvil.ts';
import { seedCreatorDemo } from '../../../local/creator-demo-seed.ts';
import { type CreatorOracleHarness, startCreatorOracle } from '../../fixtures/creator-oracle.ts';
import { type DeliveryHarness, startDeliveryHarness } from '../../fixtures/delivery.ts';

const NOW = new Date('2026-11-25T12:00:00Z');

describe('creator sync through the delivery engine on anvil', () => {
  let delivery: DeliveryHarness;
  let oracle: CreatorOracleHarness;

  beforeAll(async () => {
    delivery = await startDeliveryHarness();
    const deployer = new Wallet(ANVIL_DEV_ACCOUNTS[1].privateKey, delivery.anvil.provider());
    oracle = await startCreatorOracle(delivery, deployer, { now: () => NOW });
    await seedCreatorDemo(delivery.db.sql, { creators: 40, seed: 11, now: NOW });
  });
  afterAll(() => delivery.close());

  it('publishes every creator metrics on-chain equal to the database, milestones recorded once', async () => {
    const first = await oracle.sync();
    expect(first.enqueued).toBe(40);
    expect(first.status).toBe('success');
    await oracle.deliver();
    const second = await oracle.sync();
    expect(second.confirmed).toBe(40);
    expect(second.enqueued).toBe(0);
    expect(second.milestonesRecorded).toBe(0);

    for (const m of await computeCreatorMetrics(delivery.db.sql, { asOf: NOW })) {
      const onChain = await oracle.reader.getCreatorMetrics(m.walletAddress);
      expect({ ...onChain, lastUpdated: undefined }).toEqual({ ...m.onChain, lastUpdated: undefined });
    }
    const logs = await delivery.db.sql<
      { status: string; tx_hash: string | null; block_number: number | null; gas_used: number | null }[]
    >`
      select status, tx_hash, block_number, gas_used from creator.oracle_sync_logs where operation = 'UPDATE_METRICS'`;
    expect(logs).toHaveLength(40);
    for (const log of logs) {
      expect(log.status).toBe('success');
      expect(log.tx_hash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(log.block_number).toBeGreaterThan(0);
      expect(log.gas_used).toBeGreaterThan(21_000);
    }
    const [milestones] = await delivery.db.sql<{ n: number; dupes: number }[]>`
      select count(*)::int as n, (count(*) - count(distinct (creator_id, milestone)))::int as dupes from creator.creator_milestones`;
    expect(milestones!.n).toBe(first.milestonesRecorded);
    expect(milestones!.dupes).toBe(0);
  });

  it('launches one coin for each creator past 50K plays and 5K followers once the chain agrees', async () => {
    // The second sync above saw the metrics confirmed and reserved the launches.
    await oracle.deliver();
    const third = await oracle.sync();
    expect(third.coinsLaunched).toBe(2);
    const coins = await delivery.db.sql<
      { stage_name: string; symbol: string; name: string; coin_address: string }[]
    >`
      select c.stage_name, k.symbol, k.name, k.coin_address from creator.creator_coins k
      join creator.creators c on c.id = k.creator_id where k.status = 'launched' order by c.stage_name`;
    expect(coins.map((c) => [c.stage_name, c.name, c.symbol])).toEqual([
      ['Headliner', 'Headliner Coin', 'HEADLINE'],
      ['Launch Pad', 'Launch Pad Coin', 'LAUNCHPA'],
    ]);
    for (const coin of coins) {
      const [creator] = await delivery.db.sql<{ wallet_address: string }[]>`
        select wallet_address from creator.creators where stage_name = ${coin.stage_name}`;
      const info = await oracle.reader.getCreatorCoinInfo(creator!.wallet_address);
      expect(info.coin.toLowerCase()).toBe(coin.coin_address);
      expect(info.symbol).toBe(coin.symbol);
    }
    // 49,999 plays with 5,000 followers, and 50,000 plays with 4,999 followers: no coin.
    expect(await oracle.contracts.factory.getFunction('coinCount')()).toBe(2n);
  });

  it('gives a creator crossing the threshold exactly one coin even when two syncs run at once', async () => {
    const [soClose] = await delivery.db.sql<{ id: string; wallet_address: string }[]>`
      select id, wallet_address from creator.creators where stage_name = 'So Close'`;
    const [track] = await delivery.db.sql<{ id: string }[]>`
      select id from creator.tracks where creator_id = ${soClose!.id} and deleted_at is null limit 1`;
    await delivery.db.sql`
      insert into creator.plays (track_id, creator_id, played_at, play_count)
      values (${track!.id}, ${soClose!.id}, ${new Date(NOW.getTime() - 3_600_000).toISOString()}::timestamptz, 1)`;

    const [a, b] = await Promise.all([oracle.sync(), oracle.sync()]);
    expect(a.enqueued + b.enqueued).toBe(1);
    await oracle.deliver();
    const [c, d] = await Promise.all([oracle.sync(), oracle.sync()]);
    expect(c.coinsEnqueued + d.coinsEnqueued).toBe(1);
    await oracle.deliver();
    await Promise.all([oracle.sync(), oracle.sync()]);

    expect(await oracle.contracts.factory.getFunction('coinCount')()).toBe(3n);
    const [calls] = await delivery.db.sql<{ n: number }[]>`
      select count(*)::int as n from delivery.oracle_call_history
      where function_name = 'launchCreatorCoin' and target_address = ${soClose!.wallet_address}`;
    expect(calls!.n).toBe(1);
    const [logs] = await delivery.db.sql<{ n: number }[]>`
      select count(*)::int as n from creator.oracle_sync_logs where operation = 'LAUNCH_COIN' and creator_id = ${soClose!.id}`;
    expect(logs!.n).toBe(1);
    const info = await oracle.reader.getCreatorCoinInfo(soClose!.wallet_address);
    expect(info.symbol).toBe('SOCLOSE');
    const [milestone] = await delivery.db.sql<{ n: number }[]>`
      select count(*)::int as n from creator.creator_milestones where creator_id = ${soClose!.id} and milestone = 'plays_50k'`;
    expect(milestone!.n).toBe(1);
  });

  it('writes a SYNC_RUN row for every run, and reports fresh data as not stale', async () => {
    const report = await oracle.sync();
    const [runs] = await delivery.db.sql<{ n: number; unfinished: number }[]>`
      select count(*)::int as n, count(*) filter (where completed_at is null)::int as unfinished
      from creator.oracle_sync_logs where operation = 'SYNC_RUN'`;
    expect(runs!.n).toBe(10);
    expect(runs!.unfinished).toBe(0);
    expect(report.health.stale).toBe(false);
    expect(report.health.failedCallsLastHour).toBe(0);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ATTO_PER_FIL } from '../../../layers/shared/src/core/creator/milestones.ts';
import { quarterContaining } from '../../../layers/shared/src/core/creator/revenue.ts';
import {
  type CreatorSyncDeps,
  callsAwaited,
  runCreatorSync,
} from '../../../layers/shared/src/services/creator/creator-sync.ts';
import { recordRevenueDistributions } from '../../../layers/shared/src/services/creator/revenue-distributions.ts';
import { seedCreatorDemo } from '../../../local/creator-demo-seed.ts';
import { createTestDatabase, type TestDatabase } from '../../fixtures/db.ts';
import { RecordingBus } from '../../fixtures/event-bus.ts';
import { FakeCreatorContracts, FakeOracleCalls } from '../../fixtures/fake-oracle-calls.ts';

const NOW = new Date('2026-11-25T12:00:00Z');

describe('creator sync up to the delivery engine boundary', () => {
  let t: TestDatabase;
  let calls: FakeOracleCalls;
  let contracts: FakeCreatorContracts;
  let deps: CreatorSyncDeps;
  let clock: Date;

  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.close());

  beforeEach(async () => {
    await t.sql`truncate creator.users, creator.creators, creator.oracle_sync_logs cascade`;
    await seedCreatorDemo(t.sql, { creators: 30, seed: 5, now: NOW });
    calls = new FakeOracleCalls();
    contracts = new FakeCreatorContracts(calls);
    clock = NOW;
    deps = {
      sql: t.sql,
      calls,
      contracts,
      config: {
        chainId: contracts.chainId,
        metricsManagerAddress: contracts.metricsManagerAddress,
        tokenFactoryAddress: contracts.tokenFactoryAddress,
      },
      now: () => clock,
    };
  });

  it('enqueues one metrics update per creator, keyed per creator and metrics, and nothing when nothing changed', async () => {
    const first = await runCreatorSync(deps);
    expect(first.enqueued).toBe(30);
    const updates = [...calls.calls.values()];
    expect(new Set(updates.map((c) => c.supersedeKey)).size).toBe(30);
    for (const call of updates) {
      expect(call.functionSignature).toBe('updateCreatorMetrics(address,uint256,uint256,uint256,uint256)');
      expect(call.requestId).toBe(`${call.supersedeKey}:${call.requestId.split(':')[4]}:g0`);
    }
    const second = await runCreatorSync(deps);
    expect(second.changed).toBe(0);
    calls.finishAll('success');
    // Finished by the engine but not yet reconciled: the sync still awaits them.
    expect(await callsAwaited(t.sql)).toBe(30);
    const third = await runCreatorSync(deps);
    expect(third.confirmed).toBe(30);
    // The metrics calls are reconciled; what it awaits now is the coin launches it just sent.
    expect(third.coinsEnqueued).toBeGreaterThan(0);
    expect(await callsAwaited(t.sql)).toBe(third.coinsEnqueued);
    expect(third.changed).toBe(0);
    expect(third.health.successRate).toBe(1);
    expect(third.health.level).toBe('ok');
  });

  it('sends a changed creator again under the same supersede key and a new request id', async () => {
    await runCreatorSync(deps);
    calls.finishAll('success');
    const [creator] = await t.sql<{ id: string; wallet_address: string }[]>`
      select id, wallet_address from creator.creators where stage_name = 'Five Alive'`;
    const [track] = await t.sql<
      { id: string }[]
    >`select id from creator.tracks where creator_id = ${creator!.id} limit 1`;
    await t.sql`insert into creator.plays (track_id, creator_id, played_at, play_count)
      values (${track!.id}, ${creator!.id}, '2026-11-25T11:00:00Z', 10)`;
    const run = await runCreatorSync(deps);
    expect(run.changed).toBe(1);
    const sent = calls.open().filter((c) => c.functionSignature.startsWith('updateCreatorMetrics'));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.args[1]).toBe('5010');
    expect(sent[0]!.supersedeKey).toBe(
      calls.received[calls.received.findIndex((c) => c.targetAddress === creator!.wallet_address)]!
        .supersedeKey,
    );
  });

  it('logs a failed call with its reason and retries, then resends the creator under a fresh request id', async () => {
    await runCreatorSync(deps);
    calls.finishAll('failed', 'execution reverted: CreatorMetricsManager: caller is not the oracle');
    const second = await runCreatorSync(deps);
    expect(second.failedCalls).toBe(30);
    expect(second.enqueued).toBe(30);
    expect(calls.open().every((c) => c.requestId.endsWith(':g1'))).toBe(true);
    const logs = await t.sql<{ status: string; n: number; err: string | null; retries: number }[]>`
      select status, count(*)::int as n, max(error_message) as err, max(retries) as retries
      from creator.oracle_sync_logs where operation = 'UPDATE_METRICS' group by status order by status`;
    expect(logs).toEqual([
      { status: 'enqueued', n: 30, err: null, retries: 0 },
      {
        status: 'failed',
        n: 30,
        err: 'execution reverted: CreatorMetricsManager: caller is not the oracle',
        retries: 5,
      },
    ]);
    calls.finishAll('success');
    const third = await runCreatorSync(deps);
    expect(third.confirmed).toBe(30);
    expect(third.changed).toBe(0);
  });

  it('records each reached milestone once, across runs', async () => {
    const first = await runCreatorSync(deps);
    const second = await runCreatorSync(deps);
    expect(first.milestonesRecorded).toBeGreaterThan(10);
    expect(second.milestonesRecorded).toBe(0);
    const rows = await t.sql<{ stage_name: string; milestone: string }[]>`
      select c.stage_name, m.milestone from creator.creator_milestones m join creator.creators c on c.id = m.creator_id
      where c.stage_name in ('Nearly There', 'First Thousand', 'So Close', 'Almost Famous', 'Headliner')
      order by c.stage_name, m.id`;
    const by = (name: string) => rows.filter((r) => r.stage_name === name).map((r) => r.milestone);
    expect(by('Nearly There')).toEqual([]);
    expect(by('First Thousand')).toEqual(['plays_1k']);
    expect(by('So Close')).toEqual([
      'plays_1k',
      'plays_5k',
      'plays_10k',
      'plays_20k',
      'followers_1k',
      'followers_5k',
    ]);
    expect(by('Almost Famous')).not.toContain('revenue_100fil_month');
    expect(by('Headliner')).toContain('revenue_100fil_month');
  });

  it('announces each milestone once, and the ones the bus refused on the next run', async () => {
    const events = new RecordingBus(true);
    const first = await runCreatorSync({ ...deps, events });
    expect(first.status).toBe('partial');
    expect(first.errors.join()).toMatch(/announcing milestones: event bus unreachable/);
    expect(first.milestonesAnnounced).toBe(0);

    events.down = false;
    const second = await runCreatorSync({ ...deps, events });
    const third = await runCreatorSync({ ...deps, events });

    expect(second.milestonesAnnounced).toBe(first.milestonesRecorded);
    expect(third.milestonesAnnounced).toBe(0);
    const recorded = await t.sql<{ creator_id: string; milestone: string; wallet_address: string }[]>`
      select m.creator_id, m.milestone, c.wallet_address
      from creator.creator_milestones m join creator.creators c on c.id = m.creator_id order by m.id`;
    const announced = events.ofType('MilestoneReached');
    expect(announced.map((e) => [e.creatorId, e.milestone, e.creator])).toEqual(
      recorded.map((r) => [r.creator_id, r.milestone, r.wallet_address]),
    );
    expect(announced[0]!.timestamp).toBe(Math.floor(NOW.getTime() / 1000));
  });

  it('does not record a milestone reached only through soft-deleted plays', async () => {
    const [creator] = await t.sql<
      { id: string }[]
    >`select id from creator.creators where stage_name = 'First Thousand'`;
    const [row] = await t.sql<{ id: number; play_count: number }[]>`
      select id::int, play_count from creator.plays where creator_id = ${creator!.id} order by id limit 1`;
    await t.sql`update creator.plays set deleted_at = ${NOW.toISOString()}::timestamptz where id = ${row!.id}`;
    await runCreatorSync(deps);
    const milestones =
      await t.sql`select milestone from creator.creator_milestones where creator_id = ${creator!.id}`;
    expect(milestones).toHaveLength(0);
    const [sent] = calls.received.filter(
      (c) => c.supersedeKey?.endsWith(c.targetAddress) && c.args[1] === String(1_000 - row!.play_count),
    );
    expect(sent).toBeDefined();
  });

  it('launches a coin only once the chain says the creator meets the requirements, and once', async () => {
    const first = await runCreatorSync(deps);
    expect(first.coinsAwaitingChain).toBe(2);
    expect(first.coinsEnqueued).toBe(0);
    calls.finishAll('success');
    const [a, b] = await Promise.all([runCreatorSync(deps), runCreatorSync(deps)]);
    expect(a.coinsEnqueued + b.coinsEnqueued).toBe(2);
    const launches = calls.received.filter((c) => c.functionSignature.startsWith('launchCreatorCoin'));
    expect(new Set(launches.map((c) => c.requestId)).size).toBe(2);
    expect(launches.map((c) => c.args[2]).sort()).toContain('LAUNCHPA');
    // Two launches, each a pending coin and an enqueued log row under one request id.
    expect(await callsAwaited(t.sql)).toBe(2);
    calls.finishAll('success');
    const done = await runCreatorSync(deps);
    expect(done.coinsLaunched).toBe(2);
    expect(await callsAwaited(t.sql)).toBe(0);
    const again = await runCreatorSync(deps);
    expect(again.coinsEnqueued).toBe(0);
    const coins = await t.sql<{ status: string }[]>`select status from creator.creator_coins`;
    expect(coins.map((c) => c.status)).toEqual(['launched', 'launched']);
  });

  it('retries a launch that failed for good under a new attempt id, keeping name and symbol', async () => {
    await runCreatorSync(deps);
    calls.finishAll('success');
    await runCreatorSync(deps);
    calls.finishAll('failed', 'execution reverted: CreatorTokenFactory: launch requirements not met', (c) =>
      c.functionSignature.startsWith('launchCreatorCoin'),
    );
    await runCreatorSync(deps);
    const retried = calls.open().filter((c) => c.functionSignature.startsWith('launchCreatorCoin'));
    expect(retried).toHaveLength(2);
    expect(retried.every((c) => c.requestId.endsWith(':a2'))).toBe(true);
    const [row] = await t.sql<{ attempt: number; status: string }[]>`
      select attempt, status from creator.creator_coins where symbol = 'LAUNCHPA'`;
    expect(row).toEqual({ attempt: 2, status: 'pending' });
  });

  it('keeps syncing metrics while chain reads fail, reports the run partial, and catches up after', async () => {
    await runCreatorSync(deps);
    calls.finishAll('success');
    contracts.down = true;
    const down = await runCreatorSync(deps);
    expect(down.status).toBe('partial');
    expect(down.errors.some((e) => e.includes('ECONNREFUSED'))).toBe(true);
    const [run] = await t.sql<{ status: string; error_message: string }[]>`
      select status, error_message from creator.oracle_sync_logs where run_id = ${down.runId} and operation = 'SYNC_RUN'`;
    expect(run!.status).toBe('partial');
    expect(run!.error_message).toContain('meetsLaunchRequirements');
    contracts.down = false;
    const up = await runCreatorSync(deps);
    expect(up.status).toBe('success');
    expect(up.coinsEnqueued).toBe(2);
  });

  it('ends the run row as failed when the delivery engine cannot take the calls', async () => {
    calls.enqueue = async () => {
      throw new Error('3 of 10 oracle call messages were refused by the queue');
    };
    await expect(runCreatorSync(deps)).rejects.toThrow('refused by the queue');
    const [run] = await t.sql<{ status: string; error_message: string; completed: boolean }[]>`
      select status, error_message, completed_at is not null as completed
      from creator.oracle_sync_logs where operation = 'SYNC_RUN'`;
    expect(run).toEqual({
      status: 'failed',
      error_message: '3 of 10 oracle call messages were refused by the queue',
      completed: true,
    });
  });

  it('counts data as stale when no run succeeded for two hours or metrics stayed unconfirmed that long', async () => {
    const first = await runCreatorSync(deps);
    expect(first.health.stale).toBe(false);
    clock = new Date(NOW.getTime() + 2 * 3_600_000 + 1_000);
    contracts.down = true;
    const later = await runCreatorSync(deps);
    expect(later.health.noRecentSuccessfulRun).toBe(true);
    expect(later.health.divergedCreatorsOverLimit).toBe(30);
    expect(later.health.staleSeconds).toBeGreaterThan(7_200);
  });

  it("reports the average response time as a metric, warns at 30 s, and keeps each run's health with its log row", async () => {
    const recorded: { name: string; value: number; unit: string }[] = [];
    const withMetrics = {
      ...deps,
      metrics: {
        record: (name: string, value: number, unit: string) => recorded.push({ name, value, unit }),
      },
    };
    await runCreatorSync(withMetrics);
    calls.finishAll('success');
    const fast = await runCreatorSync(withMetrics);
    expect(fast.health).toMatchObject({ averageResponseMs: 2_000, slowResponses: false, level: 'ok' });
    expect(recorded).toContainEqual({ name: 'CreatorSyncResponseTime', value: 2, unit: 'Seconds' });

    await t.sql`update creator.plays set play_count = play_count + 1`;
    await runCreatorSync(withMetrics);
    calls.responseMs = 90_000;
    calls.finishAll('success');
    const slow = await runCreatorSync(withMetrics);
    // The last hour holds both rounds: 2 s calls and the slower second round.
    const average = slow.health.averageResponseMs ?? 0;
    expect(average).toBeGreaterThan(30_000);
    expect(average).toBeLessThan(90_000);
    expect(slow.health).toMatchObject({ slowResponses: true, level: 'warning' });
    expect(recorded.at(-1)).toEqual({
      name: 'CreatorSyncResponseTime',
      value: average / 1000,
      unit: 'Seconds',
    });

    const runs = await t.sql<
      { run_id: string; health: { level: string; averageResponseMs: number | null } }[]
    >`
      select run_id, details -> 'health' as health from creator.oracle_sync_logs where operation = 'SYNC_RUN' order by id`;
    expect(runs).toHaveLength(4);
    const health = (r: (typeof runs)[number]) =>
      typeof r.health === 'string' ? (JSON.parse(r.health) as typeof r.health) : r.health;
    expect(runs.map((r) => health(r).averageResponseMs)).toEqual([null, 2_000, 2_000, Math.round(average)]);
    expect(runs.at(-1)?.run_id).toBe(slow.runId);
  });

  it('records a quarter revenue distribution once per coin creator, 10 % of its sales and tips', async () => {
    const [creator] = await t.sql<
      { id: string }[]
    >`select id from creator.creators where stage_name = 'Headliner'`;
    await t.sql`insert into creator.creator_coins (creator_id, name, symbol, initial_supply, request_id, status, launched_at)
      values (${creator!.id}, 'Headliner Coin', 'HEADLINE', 1, 'r', 'launched', '2026-01-01T00:00:00Z')`;
    const quarter = quarterContaining(new Date('2026-10-15T00:00:00Z'));
    const [sums] = await t.sql<{ revenue: string }[]>`
      select (coalesce((select sum(amount_atto_fil) from creator.tips where creator_id = ${creator!.id}
                and created_at >= '2026-10-01' and created_at < '2027-01-01'), 0)
            + coalesce((select sum(amount_atto_fil) from creator.track_purchases where creator_id = ${creator!.id}
                and purchased_at >= '2026-10-01' and purchased_at < '2027-01-01'), 0))::text as revenue`;
    expect(await recordRevenueDistributions(t.sql, quarter)).toBe(1);
    expect(await recordRevenueDistributions(t.sql, quarter)).toBe(0);
    const [row] = await t.sql<{ revenue_atto_fil: string; holder_share_atto_fil: string }[]>`
      select revenue_atto_fil::text, holder_share_atto_fil::text from creator.revenue_distributions`;
    expect(BigInt(row!.revenue_atto_fil)).toBe(BigInt(sums!.revenue));
    expect(BigInt(row!.revenue_atto_fil)).toBeGreaterThanOrEqual(120n * ATTO_PER_FIL);
    expect(BigInt(row!.holder_share_atto_fil)).toBe(BigInt(sums!.revenue) / 10n);
  });
});

describe('revenue sharing from 100 FIL a month', () => {
  let t: TestDatabase;
  const quarter = quarterContaining(new Date('2027-02-15T00:00:00Z'));
  const creators = new Map<string, string>();

  beforeAll(async () => {
    t = await createTestDatabase();
    await seedCreatorDemo(t.sql, { creators: 14, seed: 5, now: NOW });
    // A quarter after the seeded data: each creator's revenue in it is exactly the tips below.
    const tips: [string, string, number][] = [
      ['Launch Pad', '2027-01-05T10:00:00Z', 60],
      ['Launch Pad', '2027-01-30T10:00:00Z', 40],
      ['So Close', '2027-01-05T10:00:00Z', 60],
      ['So Close', '2027-02-20T10:00:00Z', 50],
      ['Twenty Twenty', '2027-03-01T10:00:00Z', 99],
    ];
    for (const name of ['Launch Pad', 'So Close', 'Twenty Twenty']) {
      const [row] = await t.sql<{ id: string }[]>`select id from creator.creators where stage_name = ${name}`;
      creators.set(name, row!.id);
      await t.sql`insert into creator.creator_coins (creator_id, name, symbol, initial_supply, request_id, status, launched_at)
        values (${row!.id}, ${`${name} Coin`}, ${name.replace(/\W/g, '').slice(0, 8).toUpperCase()}, 1, ${`r-${name}`},
                'launched', '2026-06-01T00:00:00Z')`;
    }
    for (const [name, at, fil] of tips) {
      await t.sql`insert into creator.tips (creator_id, amount_atto_fil, created_at)
        values (${creators.get(name)!}, ${(BigInt(fil) * ATTO_PER_FIL).toString()}, ${at})`;
    }
  });
  afterAll(() => t.close());

  const distributed = async () =>
    (
      await t.sql<{ stage_name: string; revenue_atto_fil: string }[]>`
        select c.stage_name, d.revenue_atto_fil::text from creator.revenue_distributions d
        join creator.creators c on c.id = d.creator_id where d.quarter = ${quarter.id} order by c.stage_name`
    ).map((r) => [r.stage_name, BigInt(r.revenue_atto_fil) / ATTO_PER_FIL]);

  it('records a distribution only for a creator who made 100 FIL within some 30 days of the quarter', async () => {
    expect(await recordRevenueDistributions(t.sql, quarter)).toBe(1);
    // So Close made 110 FIL in the quarter, but never 100 within 30 days; Twenty Twenty made 99.
    expect(await distributed()).toEqual([['Launch Pad', 100n]]);
  });

  it('lets the others in once REVENUE_SHARING_MIN_FIL is lower, each once', async () => {
    expect(
      await recordRevenueDistributions(t.sql, quarter, { minMonthlyRevenueAttoFil: 60n * ATTO_PER_FIL }),
    ).toBe(2);
    expect(await distributed()).toEqual([
      ['Launch Pad', 100n],
      ['So Close', 110n],
      ['Twenty Twenty', 99n],
    ]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpEvent, HttpResult } from '../../functions/api/http.ts';
import type { Platform } from '../../functions/platform.ts';
import { creatorCoinView } from '../../layers/shared/src/services/creator/creator-queries.ts';
import { runCreatorSync } from '../../layers/shared/src/services/creator/creator-sync.ts';
import { seedCreatorDemo } from '../../local/creator-demo-seed.ts';
import { conformingBody } from '../fixtures/api-contract.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { FakeCreatorContracts, FakeOracleCalls } from '../fixtures/fake-oracle-calls.ts';
import { makeHttpEvent } from '../fixtures/http-event.ts';
import { platformFromEnv } from '../fixtures/platform.ts';

let t: TestDatabase;
let platform: Platform;
let handler: (event: HttpEvent) => Promise<HttpResult>;
const wallets = new Map<string, string>();

const get = (
  routeKey: string,
  path: string,
  extra: { address?: string; query?: Record<string, string> } = {},
) =>
  handler({
    ...makeHttpEvent({
      method: 'GET',
      path,
      ...(extra.address === undefined ? {} : { pathParameters: { address: extra.address } }),
      ...(extra.query === undefined ? {} : { query: extra.query }),
    }),
    routeKey,
  });
const body = (result: HttpResult) => JSON.parse(result.body) as Record<string, unknown>;

beforeAll(async () => {
  t = await createTestDatabase();
  const now = new Date();
  await seedCreatorDemo(t.sql, { creators: 15, seed: 3, now });
  for (const row of await t.sql<{ stage_name: string; wallet_address: string }[]>`
    select stage_name, wallet_address from creator.creators`) {
    wallets.set(row.stage_name, row.wallet_address);
  }
  const calls = new FakeOracleCalls();
  const contracts = new FakeCreatorContracts(calls);
  const deps = {
    sql: t.sql,
    calls,
    contracts,
    config: {
      chainId: 31337,
      metricsManagerAddress: contracts.metricsManagerAddress,
      tokenFactoryAddress: contracts.tokenFactoryAddress,
    },
    now: () => now,
  };
  await runCreatorSync(deps);
  calls.finishAll('success');
  await runCreatorSync(deps);
  calls.finishAll('success');
  await runCreatorSync(deps);
  Object.assign(process.env, { ORACLE_MODE: 'local', DATABASE_URL: t.url, LOG_LEVEL: 'SILENT' });
  platform = platformFromEnv();
  handler = (await import('../../functions/api/creators/index.ts')).handler.on(platform);
});

afterAll(async () => {
  await platform.close();
  await t.close();
});

describe('GET /creators/:address/metrics', () => {
  it('answers the live metrics beside the values confirmed on-chain', async () => {
    const address = wallets.get('Launch Pad')!;
    const result = await get('GET /creators/{address}/metrics', `/creators/${address}/metrics`, { address });
    expect(result.statusCode).toBe(200);
    const metrics = body(result);
    expect(metrics).toMatchObject({ address, stageName: 'Launch Pad', totalPlays: 50_000, followers: 5_000 });
    expect(metrics['onChain']).toMatchObject({
      confirmed: { totalPlays: 50_000, followers: 5_000 },
      syncPending: false,
    });
  });

  it('accepts a checksummed address and answers 404 for an unknown creator', async () => {
    const unknown = '0x00000000000000000000000000000000000000Ff';
    const result = await get('GET /creators/{address}/metrics', `/creators/${unknown}/metrics`, {
      address: unknown,
    });
    expect(result.statusCode).toBe(404);
    expect(body(result)).toEqual({
      error: {
        code: 'NOT_FOUND',
        message: 'no creator with address 0x00000000000000000000000000000000000000ff',
      },
    });
  });

  it('answers 400 naming the problem for something that is not an address', async () => {
    const result = await get('GET /creators/{address}/metrics', '/creators/bob/metrics', { address: 'bob' });
    expect(result.statusCode).toBe(400);
    expect(JSON.stringify(body(result))).toContain('address must be 0x followed by 40 hex characters');
  });
});

describe('GET /creators/:address/milestones and /coin', () => {
  it('lists the milestones reached, once each', async () => {
    const address = wallets.get('Headliner')!;
    const result = await get('GET /creators/{address}/milestones', `/creators/${address}/milestones`, {
      address,
    });
    const ids = (body(result)['milestones'] as { id: string }[]).map((m) => m.id);
    expect(ids).toEqual([
      'plays_1k',
      'plays_5k',
      'plays_10k',
      'plays_20k',
      'plays_50k',
      'followers_1k',
      'followers_5k',
      'followers_10k',
      'revenue_100fil_month',
    ]);
  });

  it('shows a launched coin and answers 404 with the thresholds for a creator without one', async () => {
    const address = wallets.get('Launch Pad')!;
    const coin = await get('GET /creators/{address}/coin', `/creators/${address}/coin`, { address });
    expect(coin.statusCode).toBe(200);
    expect(body(coin)).toMatchObject({
      name: 'Launch Pad Coin',
      symbol: 'LAUNCHPA',
      status: 'launched',
      decimals: 18,
    });
    const small = wallets.get('So Close')!;
    const none = await get('GET /creators/{address}/coin', `/creators/${small}/coin`, { address: small });
    expect(none.statusCode).toBe(404);
    expect(JSON.stringify(body(none))).toContain('50000 plays and 5000 followers');
  });

  it('says why the market-cap term and the intrinsic value are missing without a price oracle or contracts', async () => {
    const address = wallets.get('Launch Pad')!;
    const coin = body(await get('GET /creators/{address}/coin', `/creators/${address}/coin`, { address }));
    expect(coin['marketCapTerm']).toEqual({ value: '0', reason: 'no price oracle' });
    expect(coin['intrinsicValue']).toEqual({
      valueAttoFil: null,
      reason: 'the creator contracts are not configured',
    });
  });

  it('answers a chain that cannot be read without the error, which may name the endpoint', async () => {
    const address = wallets.get('Launch Pad')!;
    const logged: unknown[] = [];
    const view = await creatorCoinView(t.sql, address, {
      contracts: {
        calculateIntrinsicValue: async () => {
          throw new Error('request to https://rpc.example.org/v1/s3cr3t-key failed');
        },
      },
      onChainError: (error) => logged.push(error),
    });
    expect(view.intrinsicValue).toEqual({ valueAttoFil: null, reason: 'the chain could not be read' });
    expect(JSON.stringify(view)).not.toContain('s3cr3t');
    expect(logged).toHaveLength(1);
  });

  // API Gateway always names the route it matched; no catch-all route leads here.
  it('answers 404 naming the route key under a route key it does not serve, whatever the path', async () => {
    const address = wallets.get('Launch Pad')!;
    const result = await get('$default', `/creators/${address}/coin`);
    expect(result.statusCode).toBe(404);
    expect(body(result)).toMatchObject({ error: { code: 'NOT_FOUND', message: 'no route $default' } });
  });
});

describe('GET /admin/sync-logs', () => {
  it('filters by operation and status and pages with nextBefore', async () => {
    const first = body(
      await get('GET /admin/sync-logs', '/admin/sync-logs', {
        query: { operation: 'UPDATE_METRICS', limit: '10' },
      }),
    );
    const logs = first['logs'] as { id: number; operation: string; status: string; txHash: string }[];
    expect(logs).toHaveLength(10);
    expect(
      logs.every(
        (l) => l.operation === 'UPDATE_METRICS' && l.status === 'success' && l.txHash.startsWith('0x'),
      ),
    ).toBe(true);
    const second = body(
      await get('GET /admin/sync-logs', '/admin/sync-logs', {
        query: { operation: 'UPDATE_METRICS', limit: '10', before: String(first['nextBefore']) },
      }),
    );
    const rest = second['logs'] as { id: number }[];
    expect(rest).toHaveLength(5);
    expect(Math.max(...rest.map((l) => l.id))).toBeLessThan(Math.min(...logs.map((l) => l.id)));
  });

  it('answers 400 for an unknown operation or a limit out of range', async () => {
    const bad = await get('GET /admin/sync-logs', '/admin/sync-logs', { query: { operation: 'DROP' } });
    expect(bad.statusCode).toBe(400);
    const big = await get('GET /admin/sync-logs', '/admin/sync-logs', { query: { limit: '5000' } });
    expect(big.statusCode).toBe(400);
    expect(JSON.stringify(body(big))).toContain('limit must be between 1 and 500');
  });
});

describe('GET /admin/sync-health', () => {
  it('answers the health now and after each of the three runs, newest first, paged with nextBefore', async () => {
    const result = await get('GET /admin/sync-health', '/admin/sync-health', { query: { limit: '2' } });
    expect(result.statusCode).toBe(200);
    const page = conformingBody('GET /admin/sync-health', result) as {
      current: { level: string; at: string };
      runs: { id: number; status: string; health: { level: string; failedCallsLastHour: number } | null }[];
      nextBefore?: number;
    };
    expect(page.current.level).toBe('ok');
    expect(page.runs.map((r) => r.status)).toEqual(['success', 'success']);
    expect(page.runs.every((r) => r.health?.level === 'ok' && r.health.failedCallsLastHour === 0)).toBe(true);
    const rest = conformingBody(
      'GET /admin/sync-health',
      await get('GET /admin/sync-health', '/admin/sync-health', {
        query: { limit: '2', before: String(page.nextBefore) },
      }),
    ) as { runs: { id: number }[]; nextBefore?: number };
    expect(rest.runs).toHaveLength(1);
    expect(rest.runs[0]?.id).toBeLessThan(Math.min(...page.runs.map((r) => r.id)));
    expect(rest.nextBefore).toBeUndefined();
  });

  it('answers 400 naming a malformed since or an unknown parameter', async () => {
    const since = await get('GET /admin/sync-health', '/admin/sync-health', {
      query: { since: 'yesterday' },
    });
    expect(since.statusCode).toBe(400);
    expect(since.body).toContain('since must be an ISO-8601 time');
    const unknown = await get('GET /admin/sync-health', '/admin/sync-health', { query: { level: 'ok' } });
    expect(unknown.statusCode).toBe(400);
  });
});

describe('the creator answers', () => {
  it('have the shapes their route contracts (and so the API document) describe', async () => {
    for (const stageName of ['Launch Pad', 'Headliner', 'So Close']) {
      const address = wallets.get(stageName)!;
      for (const part of ['metrics', 'milestones'])
        conformingBody(
          `GET /creators/{address}/${part}`,
          await get(`GET /creators/{address}/${part}`, `/creators/${address}/${part}`, { address }),
        );
    }
    const launched = wallets.get('Launch Pad')!;
    conformingBody(
      'GET /creators/{address}/coin',
      await get('GET /creators/{address}/coin', `/creators/${launched}/coin`, { address: launched }),
    );
    conformingBody('GET /admin/sync-logs', await get('GET /admin/sync-logs', '/admin/sync-logs'));
  });
});

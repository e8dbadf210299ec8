/**
 * Where the market runs, the health function checks its external dependencies too: the AIR
 * credential API and the market chain (the factory's code), with its schema. Public `/health`
 * says up or down; `/admin/health` says why. Driven through the handler against the test
 * database, the AIR fixture and a JSON-RPC stub.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../functions/platform.ts';
import { type AirFixtureServer, startAirFixtureServer } from '../../local/air-fixture-server.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { makeHttpEvent } from '../fixtures/http-event.ts';
import { JsonRpcInterceptor } from '../fixtures/json-rpc-interceptor.ts';
import { platformFromEnv } from '../fixtures/platform.ts';

const FACTORY = '0x00000000000000000000000000000000000e0a04';
const MARKET_SETTINGS = ['AIR_API_URL', 'AIR_API_KEY', 'MARKET_FACTORY_ADDRESS'] as const;

let db: TestDatabase;
let air: AirFixtureServer;
let chain: JsonRpcInterceptor;
let factoryCode = '0x';
let platform: Platform | undefined;

interface Report {
  status: string;
  dependencies: Record<string, { up: boolean; error?: string; latencyMs?: number }>;
}

async function get(path: '/health' | '/admin/health'): Promise<{ statusCode: number; body: Report }> {
  const { handler } = await import('../../functions/api/health/index.ts');
  const result = await handler.on(platform as Platform)({
    ...makeHttpEvent({ path }),
    routeKey: `GET ${path}`,
  });
  return { statusCode: result.statusCode, body: JSON.parse(result.body) as Report };
}

function useEnv(env: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  // A new platform reads the settings as a new container would.
  const previous = platform;
  platform = platformFromEnv();
  void previous?.close();
}

beforeAll(async () => {
  [db, air, chain] = await Promise.all([
    createTestDatabase(),
    startAirFixtureServer({ apiKey: 'health-air-key' }),
    JsonRpcInterceptor.start(),
  ]);
  chain.answer = (request) =>
    request.method === 'eth_getCode' ? { result: factoryCode } : { result: '0x7a69' };
  useEnv({
    DATABASE_URL: db.url,
    EVM_RPC_URL: chain.url,
    AIR_API_URL: air.url,
    AIR_API_KEY: 'health-air-key',
    MARKET_FACTORY_ADDRESS: FACTORY,
    HEALTH_CACHE_SECONDS: '1',
    LOG_LEVEL: 'SILENT',
  });
});

afterAll(async () => {
  useEnv(Object.fromEntries(MARKET_SETTINGS.map((name) => [name, undefined])));
  await platform?.close();
  await Promise.all([db.close(), air.close(), chain.close()]);
});

describe('the health checks where the market runs', () => {
  it('/admin/health names the market chain down and why; /health only says down', async () => {
    factoryCode = '0x';
    const admin = await get('/admin/health');
    expect(admin.statusCode).toBe(503);
    expect(admin.body.dependencies['air-api']).toMatchObject({ up: true });
    expect(admin.body.dependencies['market-db']).toMatchObject({ up: true });
    expect(admin.body.dependencies['market-chain']).toMatchObject({
      up: false,
      error: expect.stringMatching(/no factory contract/),
    });
    expect(air.requests).toContain('/credentials/health-check');

    const open = await get('/health');
    expect(open.statusCode).toBe(503);
    expect(open.body.dependencies['market-chain']).toEqual({ up: false });
    expect(open.body.dependencies['air-api']).toEqual({ up: true });
    expect(JSON.stringify(open.body)).not.toContain('factory');
  });

  it('reports the AIR API down when it refuses the key, and everything up once both answer', async () => {
    factoryCode = '0x6080';
    useEnv({ AIR_API_KEY: 'a-key-air-refuses' });
    const refused = await get('/admin/health');
    expect(refused.body.dependencies['air-api']).toMatchObject({
      up: false,
      error: expect.stringMatching(/401/),
    });
    expect(refused.body.dependencies['market-chain']).toMatchObject({ up: true });

    useEnv({ AIR_API_KEY: 'health-air-key' });
    const healthy = await get('/admin/health');
    expect(healthy.statusCode).toBe(200);
    expect(healthy.body.dependencies).toMatchObject({
      'air-api': { up: true },
      'market-chain': { up: true },
      'market-db': { up: true },
    });
  });

  it('checks nothing of the market where it does not run', async () => {
    useEnv(Object.fromEntries(MARKET_SETTINGS.map((name) => [name, undefined])));
    const report = await get('/admin/health');
    expect(Object.keys(report.body.dependencies)).not.toContain('air-api');
    expect(Object.keys(report.body.dependencies)).not.toContain('market-chain');
    expect(Object.keys(report.body.dependencies)).not.toContain('market-db');
  });
});

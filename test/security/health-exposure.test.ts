/**
 * Issue 17, L2: the public `GET /health` answered each dependency's raw error (hosts, ARNs,
 * upstream messages) to anyone, and probed the database, the queue and both RPC providers on
 * every request, so a flood of anonymous requests became a flood on every dependency. Driven
 * through the real handler against the test database and JSON-RPC stubs that count their probes.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../functions/platform.ts';
import { StaticSecretStore } from '../../layers/shared/src/adapters/aws/secrets-manager-store.ts';
import { startHttpServer } from '../../local/http-server.ts';
import { ROUTES } from '../../local/routes.ts';
import { conformingBody } from '../fixtures/api-contract.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { makeHttpEvent } from '../fixtures/http-event.ts';
import { JsonRpcInterceptor } from '../fixtures/json-rpc-interceptor.ts';
import { platformFromEnv } from '../fixtures/platform.ts';

const INTERNAL_HOST = 'rpc-7.internal.example:8545';

describe('the public health route', () => {
  let db: TestDatabase;
  let evm: JsonRpcInterceptor;
  let solana: JsonRpcInterceptor;
  let platform: Platform;

  beforeAll(async () => {
    [db, evm, solana] = await Promise.all([
      createTestDatabase(),
      JsonRpcInterceptor.start(),
      JsonRpcInterceptor.start(),
    ]);
    evm.answer = () => ({
      error: { code: -32000, message: `upstream ${INTERNAL_HOST} refused the connection` },
    });
    solana.answer = () => ({ result: 'ok' });
    Object.assign(process.env, {
      DATABASE_URL: db.url,
      EVM_RPC_URL: evm.url,
      SOLANA_RPC_URL: solana.url,
      HEALTH_CACHE_SECONDS: '1',
      LOG_LEVEL: 'SILENT',
    });
    platform = platformFromEnv();
  });
  afterAll(async () => {
    await platform.close();
    await Promise.all([evm.close(), solana.close(), db.close()]);
  });

  const health = async () => {
    const { handler } = await import('../../functions/api/health/index.ts');
    return handler.on(platform)(makeHttpEvent({ path: '/health' }));
  };

  it('/health leaks no error text or host of a failing dependency', async () => {
    const response = await health();

    expect(response.statusCode).toBe(503);
    const body = conformingBody('GET /health', response) as { dependencies: Record<string, unknown> };
    expect(body.dependencies['evm']).toEqual({ up: false });
    expect(body.dependencies['solana']).toEqual({ up: true });
    for (const leak of [INTERNAL_HOST, 'refused', evm.url, new URL(db.url).port]) {
      expect(response.body).not.toContain(leak);
    }
  });

  it('a flood of /health requests probes each dependency at most once per cache window', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const before = { evm: evm.calls('eth_chainId'), solana: solana.calls('getHealth') };

    const answers = await Promise.all(Array.from({ length: 50 }, () => health()));
    for (let i = 0; i < 50; i++) answers.push(await health());

    expect(answers.every((a) => a.statusCode === 503)).toBe(true);
    expect(evm.calls('eth_chainId') - before.evm).toBe(1);
    expect(solana.calls('getHealth') - before.solana).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await health();
    expect(evm.calls('eth_chainId') - before.evm).toBe(2);
  });

  it('tells an admin on GET /admin/health why a dependency is down, and nobody else', async () => {
    const adminToken = randomBytes(24).toString('hex');
    const http = await startHttpServer({
      routes: ROUTES.filter((r) => r.module === 'functions/api/health/index.ts'),
      secrets: new StaticSecretStore({ admin: JSON.stringify({ primary: adminToken }), ingest: '[]' }),
      ingestKeysSecretId: 'ingest',
      adminTokensSecretId: 'admin',
      platform: Promise.resolve(platform),
    });
    try {
      const get = async (path: string, headers: Record<string, string> = {}) => {
        const response = await fetch(`${http.url}${path}`, { headers });
        return { status: response.status, body: await response.text() };
      };
      const anonymous = await get('/admin/health');
      const admin = await get('/admin/health', { authorization: `Bearer ${adminToken}` });
      const public_ = await get('/health');

      expect(anonymous.status).toBe(401);
      expect(anonymous.body).not.toContain(INTERNAL_HOST);
      expect(admin.status).toBe(503);
      expect(JSON.parse(admin.body)).toMatchObject({
        status: 'degraded',
        dependencies: {
          database: { up: true, latencyMs: expect.any(Number) },
          evm: { up: false, error: `upstream ${INTERNAL_HOST} refused the connection` },
          solana: { up: true },
        },
      });
      expect(public_.status).toBe(503);
      expect(public_.body).not.toContain(INTERNAL_HOST);
    } finally {
      await http.close();
    }
  });
});

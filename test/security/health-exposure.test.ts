/**
 * Issue 17, L2: the public `GET /health` answered each dependency's raw error (hosts, ARNs,
 * upstream messages) to anyone, and probed the database, the queue and both RPC providers on
 * every request, so a flood of anonymous requests became a flood on every dependency. Driven
 * through the real handler against the test database and JSON-RPC stubs that count their probes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfigForTests } from '../../layers/shared/src/config.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { makeHttpEvent } from '../fixtures/http-event.ts';
import { JsonRpcInterceptor } from '../fixtures/json-rpc-interceptor.ts';

const INTERNAL_HOST = 'rpc-7.internal.example:8545';

describe('the public health route', () => {
  let db: TestDatabase;
  let evm: JsonRpcInterceptor;
  let solana: JsonRpcInterceptor;

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
    resetConfigForTests();
  });
  afterAll(async () => {
    const { resetDependencies } = await import('../../functions/dependencies.ts');
    await resetDependencies();
    await Promise.all([evm.close(), solana.close(), db.close()]);
  });

  const health = async () => {
    const { handler } = await import('../../functions/api/health/index.ts');
    return handler(makeHttpEvent({ path: '/health' }));
  };

  it.fails('/health leaks no error text or host of a failing dependency', async () => {
    const response = await health();

    expect(response.statusCode).toBe(503);
    const body = JSON.parse(response.body) as { dependencies: Record<string, unknown> };
    expect(body.dependencies['evm']).toEqual({ up: false });
    expect(body.dependencies['solana']).toEqual({ up: true });
    for (const leak of [INTERNAL_HOST, 'refused', evm.url, new URL(db.url).port]) {
      expect(response.body).not.toContain(leak);
    }
  });

  it.fails('a flood of /health requests probes each dependency at most once per cache window', async () => {
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
});

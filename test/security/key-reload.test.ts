/**
 * M3 (issue 17): the authorizer reads ingest keys and admin tokens from Secrets Manager. A token
 * the operator removed must stop working within 60 s on a warm authorizer, and one failed read
 * must not lock every caller out until the container recycles. The authorizer runs as deployed,
 * reading through the AWS SDK from a Secrets Manager stand-in; a fake clock stands in for waiting.
 */
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AUTHORIZER_CACHE_SECONDS,
  KEY_CHANGE_DEADLINE_SECONDS,
} from '../../layers/shared/src/key-change-budget.ts';
import { platformFromEnv } from '../fixtures/platform.ts';
import { type SecretsManagerFixture, startSecretsManager } from '../fixtures/secrets-manager.ts';

type Authorizer = (event: APIGatewayRequestAuthorizerEventV2) => Promise<{ isAuthorized: boolean }>;

let sm: SecretsManagerFixture;

const adminRequest = (token: string) =>
  ({
    type: 'REQUEST',
    routeKey: 'POST /suppressions',
    headers: { authorization: `Bearer ${token}` },
  }) as unknown as APIGatewayRequestAuthorizerEventV2;

/** A cold authorizer: fresh modules, so nothing a previous test loaded is cached. */
async function coldAuthorizer(): Promise<Authorizer> {
  vi.resetModules();
  return (await import('../../functions/api/authorizer/index.ts')).handler.on(platformFromEnv());
}

async function outcome(authorize: Authorizer, token: string): Promise<boolean | 'error'> {
  try {
    return (await authorize(adminRequest(token))).isAuthorized;
  } catch {
    return 'error';
  }
}

beforeAll(async () => {
  sm = await startSecretsManager({ 'reload/ingest': JSON.stringify({ primary: 'ingest-key-1' }) });
  Object.assign(process.env, {
    ORACLE_MODE: 'local',
    LOG_LEVEL: 'SILENT',
    SECRETS_ENDPOINT: sm.endpoint,
    INGEST_API_KEYS_SECRET_ARN: 'reload/ingest',
    ADMIN_TOKENS_SECRET_ARN: 'reload/admin',
  });
});

beforeEach(() => {
  sm.down = false;
  sm.put('reload/admin', JSON.stringify({ primary: 'admin-token-1', contractor: 'admin-token-2' }));
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  await sm.stop();
});

describe('admin tokens on a warm authorizer', () => {
  it('a revoked admin token stops working within 60 s on a warm authorizer', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2026, 0, 1, 12));
    const authorize = await coldAuthorizer();
    expect(await outcome(authorize, 'admin-token-2')).toBe(true);

    // The operator removes the contractor's token.
    sm.put('reload/admin', JSON.stringify({ primary: 'admin-token-1' }));
    // API Gateway may answer from its authorizer cache for a while; the function has the rest.
    vi.setSystemTime(
      Date.UTC(2026, 0, 1, 12) + (KEY_CHANGE_DEADLINE_SECONDS - AUTHORIZER_CACHE_SECONDS) * 1000,
    );

    expect(await outcome(authorize, 'admin-token-2')).toBe(false);
    expect(await outcome(authorize, 'admin-token-1')).toBe(true);
  });

  it('a single Secrets Manager error does not lock out later requests', async () => {
    const authorize = await coldAuthorizer();
    sm.down = true;
    expect(await outcome(authorize, 'admin-token-1')).not.toBe(true);

    sm.down = false;
    expect(await outcome(authorize, 'admin-token-1')).toBe(true);
  });
});

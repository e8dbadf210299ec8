import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { platformFromEnv } from '../fixtures/platform.ts';

let handler: (event: APIGatewayRequestAuthorizerEventV2) => Promise<{ isAuthorized: boolean }>;

function event(routeKey: string, headers: Record<string, string>): APIGatewayRequestAuthorizerEventV2 {
  return {
    type: 'REQUEST',
    routeArn: 'arn',
    routeKey,
    headers,
    identitySource: [],
  } as unknown as APIGatewayRequestAuthorizerEventV2;
}

beforeAll(async () => {
  Object.assign(process.env, {
    INGEST_API_KEYS_SECRET_ARN: 'test/ingest',
    ADMIN_TOKENS_SECRET_ARN: 'test/admin',
    LOG_LEVEL: 'SILENT',
  });
  const { StaticSecretStore } = await import('../../layers/shared/src/adapters/aws/secrets-manager-store.ts');
  const secrets = new StaticSecretStore({
    'test/ingest': JSON.stringify({ primary: 'ingest-key-1' }),
    'test/admin': JSON.stringify({ primary: 'admin-token-1' }),
  });
  handler = (await import('../../functions/api/authorizer/index.ts')).handler.on(
    platformFromEnv({ secrets }),
  );
});

describe('HTTP API authorizer', () => {
  it('lets an ingest key through on POST /ingest and nothing else', async () => {
    expect(await handler(event('POST /ingest', { 'x-api-key': 'ingest-key-1' }))).toEqual({
      isAuthorized: true,
      context: { credential: 'ingest', credentialName: 'primary' },
    });
    expect(await handler(event('POST /ingest', { 'x-api-key': 'admin-token-1' }))).toEqual({
      isAuthorized: false,
    });
    expect(await handler(event('POST /ingest', {}))).toEqual({ isAuthorized: false });
  });

  it('needs an admin bearer token on admin routes; an ingest key does not do', async () => {
    expect(await handler(event('POST /suppressions', { authorization: 'Bearer admin-token-1' }))).toEqual({
      isAuthorized: true,
      context: { credential: 'admin', credentialName: 'primary' },
    });
    expect(await handler(event('POST /suppressions', { authorization: 'Bearer ingest-key-1' }))).toEqual({
      isAuthorized: false,
    });
    expect(await handler(event('GET /admin/oracle-calls', { 'x-api-key': 'admin-token-1' }))).toEqual({
      isAuthorized: false,
    });
  });

  it('refuses a route the registry does not protect', async () => {
    expect(await handler(event('GET /health', { authorization: 'Bearer admin-token-1' }))).toEqual({
      isAuthorized: false,
    });
  });
});

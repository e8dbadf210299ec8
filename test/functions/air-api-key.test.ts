/**
 * Token generation reaches AIR with the key from the AirApiKey secret in the shape the README
 * documents (`{"apiKey":"..."}`), through the same market dependencies the Lambda builds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../functions/platform.ts';
import { StaticSecretStore } from '../../layers/shared/src/adapters/aws/secrets-manager-store.ts';
import { type AirFixtureServer, startAirFixtureServer } from '../../local/air-fixture-server.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { platformFromEnv } from '../fixtures/platform.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:AirApiKey';
let air: AirFixtureServer;
let db: TestDatabase;
let platform: Platform | undefined;

beforeAll(async () => {
  [air, db] = await Promise.all([
    startAirFixtureServer({
      apiKey: 'air-key-from-secret',
      credentials: [
        {
          id: 'cred-1',
          holder: `0x${'ab'.repeat(20)}`,
          status: 'active',
          issued: 1,
          expires: null,
          tier: 'gold',
        },
      ],
    }),
    createTestDatabase({ max: 2 }),
  ]);
  Object.assign(process.env, {
    ORACLE_MODE: 'local',
    DATABASE_URL: db.url,
    AIR_API_URL: air.url,
    AIR_API_KEY_SECRET_ARN: SECRET_ARN,
    LOG_LEVEL: 'SILENT',
  });
});

afterAll(async () => {
  await platform?.close();
  await Promise.all([air.close(), db.close()]);
});

describe('the AIR client of the market functions', () => {
  it("sends the secret's apiKey, not its JSON, and AIR accepts it", async () => {
    platform = platformFromEnv({
      secrets: new StaticSecretStore({ [SECRET_ARN]: JSON.stringify({ apiKey: 'air-key-from-secret' }) }),
    });
    const { marketDependencies } = await import('../../functions/market-dependencies.ts');
    const client = await (await marketDependencies(platform)).air();
    const credentials = await client.listCredentials();
    expect(credentials.map((c) => c.id)).toEqual(['cred-1']);
    expect(air.requests).toEqual(['/credentials']);
  });
});

describe('airApiKeyFromSecret', () => {
  it('refuses a malformed secret without quoting it', async () => {
    const { airApiKeyFromSecret } = await import('../../layers/shared/src/adapters/air/air-api-key.ts');
    expect(() => airApiKeyFromSecret('{"apiKey": "s3cret-value"')).toThrow(
      'the AIR API key secret is not JSON; expected {"apiKey":"..."}',
    );
    expect(() => airApiKeyFromSecret('{"apiKey": "s3cret-value"')).not.toThrow(/s3cret/);
    expect(() => airApiKeyFromSecret('{"key": "s3cret-value"}')).toThrow(
      'the AIR API key secret: apiKey is missing; expected {"apiKey":"..."}',
    );
    expect(() => airApiKeyFromSecret('{"key": "s3cret-value"}')).not.toThrow(/s3cret/);
  });
});

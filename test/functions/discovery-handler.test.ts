import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../functions/platform.ts';
import { StaticSecretStore } from '../../layers/shared/src/adapters/aws/secrets-manager-store.ts';
import type { DiscoveryResult } from '../../layers/shared/src/services/attention/discovery.ts';
import { sampleChannels, startTwitchFixture, type TwitchFixture } from '../../local/twitch-fixture.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { platformFromEnv } from '../fixtures/platform.ts';

let db: TestDatabase;
let twitch: TwitchFixture;
let handler: (event: unknown) => Promise<DiscoveryResult>;
let platform: Platform;

beforeAll(async () => {
  [db, twitch] = await Promise.all([
    createTestDatabase({ max: 2 }),
    startTwitchFixture({ channels: sampleChannels(40) }),
  ]);
  Object.assign(process.env, {
    ORACLE_MODE: 'local',
    DATABASE_URL: db.url,
    TWITCH_SECRET_ARN: 'twitch-app',
    TWITCH_AUTH_URL: twitch.authUrl,
    TWITCH_HELIX_URL: twitch.helixUrl,
    LOG_LEVEL: 'SILENT',
  });
  platform = platformFromEnv({
    secrets: new StaticSecretStore({
      'twitch-app': JSON.stringify({ clientId: twitch.clientId, clientSecret: twitch.clientSecret }),
    }),
  });
  handler = (await import('../../functions/scheduled/discovery/index.ts')).handler.on(platform);
});

afterAll(async () => {
  await platform.close();
  await Promise.all([db.close(), twitch.close()]);
});

describe('scheduled discovery handler', () => {
  it('runs a daily discovery with the credentials from the secret and then a liveness pass', async () => {
    const daily = await handler({ mode: 'daily' });
    expect(daily.outcome).toBe('succeeded');
    expect(daily.added.length).toBeGreaterThan(20);
    const liveness = await handler({ mode: 'liveness' });
    expect(liveness).toMatchObject({ mode: 'liveness', outcome: 'succeeded', added: [] });
    const rows = await db.sql<{ mode: string; outcome: string }[]>`
      select mode, outcome from attention.discovery_runs order by id`;
    expect(rows).toEqual([
      { mode: 'daily', outcome: 'succeeded' },
      { mode: 'liveness', outcome: 'succeeded' },
    ]);
  });

  it('rejects an event whose mode is neither daily nor liveness', async () => {
    await expect(handler({ mode: 'weekly' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('throws after recording a failed run, so the schedule retries it', async () => {
    twitch.scenario.failNext(100, 503);
    await expect(handler({ mode: 'liveness' })).rejects.toMatchObject({ code: 'DEPENDENCY_FAILED' });
    twitch.scenario.failNext(0);
    const [last] = await db.sql<{ outcome: string; error: string }[]>`
      select outcome, error from attention.discovery_runs order by id desc limit 1`;
    expect(last).toMatchObject({ outcome: 'failed' });
    expect(last!.error).toMatch(/503/);
  });
});

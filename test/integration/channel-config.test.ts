/**
 * Channel configuration without SQL (issue 18, item 1): the admin routes set, list and clear a
 * channel's token group, category override and blocklisting, validated and audited; a blocklisted
 * channel is untracked at the next liveness pass and never sealed again. Through the local HTTP
 * server (admin tokens checked as the authorizer does), discovery against the Twitch fixture and
 * sealing against the test database.
 */
import { spawnSync } from 'node:child_process';
import { hostname, userInfo } from 'node:os';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../functions/platform.ts';
import { StaticSecretStore } from '../../layers/shared/src/adapters/aws/secrets-manager-store.ts';
import { HelixClient } from '../../layers/shared/src/adapters/twitch/helix-client.ts';
import { TokenBucket } from '../../layers/shared/src/adapters/twitch/rate-limiter.ts';
import { SILENT_TELEMETRY } from '../../layers/shared/src/ports/telemetry.ts';
import { runDiscovery, trackedChannels } from '../../layers/shared/src/services/attention/discovery.ts';
import { writeIngestBatch } from '../../layers/shared/src/services/attention/ingest-writer.ts';
import { sealEpoch } from '../../layers/shared/src/services/attention/sealing.ts';
import { type LocalHttpServer, startHttpServer } from '../../local/http-server.ts';
import { ROUTES } from '../../local/routes.ts';
import { sampleChannels, startTwitchFixture, type TwitchFixture } from '../../local/twitch-fixture.ts';
import { testAttentionSettings } from '../fixtures/attention-settings.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { makeEvent } from '../fixtures/events.ts';
import { platformFromEnv } from '../fixtures/platform.ts';
import { stampedFetch, virtualTimer } from '../fixtures/virtual-time.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = 'token-of-oncall';
// A mint for a group the operator added: what makes it a declared token group.
const MINTS = { FANS: { mint: '11111111111111111111111111111111', epochUnit: 'hours' } };

let t: TestDatabase;
let http: LocalHttpServer;
let platform: Platform;
let twitch: TwitchFixture;

beforeAll(async () => {
  t = await createTestDatabase();
  Object.assign(process.env, {
    ORACLE_MODE: 'local',
    LOG_LEVEL: 'SILENT',
    DATABASE_URL: t.url,
    TOKEN_GROUP_MINTS: JSON.stringify(MINTS),
  });
  platform = platformFromEnv();
  http = await startHttpServer({
    routes: ROUTES,
    platform: Promise.resolve(platform),
    secrets: new StaticSecretStore({
      'channels/ingest': JSON.stringify({ partner: 'key-of-partner' }),
      'channels/admin': JSON.stringify({ oncall: TOKEN }),
    }),
    ingestKeysSecretId: 'channels/ingest',
    adminTokensSecretId: 'channels/admin',
  });
});

afterAll(async () => {
  await platform?.close();
  await http.close();
  await twitch?.close();
  await t.close();
});

interface Answer {
  readonly before?: Record<string, unknown> | null;
  readonly after?: Record<string, unknown>;
  readonly channels?: unknown[];
  readonly declaredTokenGroups?: string[];
  readonly error?: { readonly message: string };
}

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${http.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

const audit = (channel: string) => t.sql`
  select actor, action, before, after from creator.admin_audit_log where target_id = ${channel} order by id`;

describe('channel configuration', () => {
  it('sets a token group and a category override, lists them, and audits each change', async () => {
    const set = await call('PUT', '/admin/channels/Milo_Stream', {
      tokenGroup: 'MILO',
      categoryOverride: 'music',
    });
    expect(set.status).toBe(200);
    expect(set.body['before']).toBeNull();
    expect(set.body['after']).toMatchObject({
      channel: 'milo_stream',
      tokenGroup: 'MILO',
      categoryOverride: 'music',
      blocked: false,
    });

    // Fields not given keep their value; a group the deployment declared a mint for is accepted.
    const moved = await call('PUT', '/admin/channels/milo_stream', { tokenGroup: 'FANS' });
    expect(moved.body['after']).toMatchObject({ tokenGroup: 'FANS', categoryOverride: 'music' });

    const list = await call('GET', '/admin/channels');
    expect(list.body['declaredTokenGroups']).toEqual(['CLS', 'FANS', 'MILO', 'OTHER']);
    expect(list.body['channels']).toEqual([
      expect.objectContaining({ channel: 'milo_stream', tokenGroup: 'FANS' }),
    ]);

    expect(await audit('milo_stream')).toEqual([
      {
        actor: 'oncall',
        action: 'channel.set',
        before: null,
        after: expect.objectContaining({ tokenGroup: 'MILO', categoryOverride: 'music' }),
      },
      {
        actor: 'oncall',
        action: 'channel.set',
        before: expect.objectContaining({ tokenGroup: 'MILO' }),
        after: expect.objectContaining({ tokenGroup: 'FANS' }),
      },
    ]);
  });

  it('refuses a bad login, an undeclared token group or an unknown category with a 400 and writes nothing', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['/admin/channels/_underscore', { tokenGroup: 'CLS' }, /^channel/],
      ['/admin/channels/abc', { tokenGroup: 'CLS' }, /^channel/],
      [
        '/admin/channels/good_channel',
        { tokenGroup: 'WHALES' },
        /^tokenGroup must be a declared token group/,
      ],
      ['/admin/channels/good_channel', { tokenGroup: 'cls' }, /^tokenGroup/],
      ['/admin/channels/good_channel', { categoryOverride: 'sports' }, /^categoryOverride/],
      ['/admin/channels/good_channel', {}, /nothing to set/],
    ];
    for (const [path, body, message] of cases) {
      const response = await call('PUT', path, body);
      expect(response.status, path).toBe(400);
      expect(response.body.error?.message).toMatch(message);
    }
    const [row] = await t.sql<{ n: number }[]>`
      select count(*)::int as n from attention.channel_config where channel <> 'milo_stream'`;
    expect(row?.n).toBe(0);
    expect((await call('DELETE', '/admin/channels/never_configured')).status).toBe(404);
  });

  it('untracks a blocklisted channel at the next liveness pass and never seals it again', async () => {
    const timer = virtualTimer();
    twitch = await startTwitchFixture({
      channels: sampleChannels(30, timer.t),
      now: timer.now,
      trustClockHeader: true,
    });
    const helix = new HelixClient({
      clientId: twitch.clientId,
      clientSecret: twitch.clientSecret,
      authUrl: twitch.authUrl,
      helixUrl: twitch.helixUrl,
      timer,
      fetch: stampedFetch(timer),
      limiter: new TokenBucket({ timer, perMinute: 700 }),
    });
    const deps = { db: t.db, helix, now: timer.now, telemetry: SILENT_TELEMETRY };
    await runDiscovery(deps, 'daily');
    expect(await trackedChannels(t.db)).toContain('streamer_005');

    const blocked = await call('PUT', '/admin/channels/streamer_005', {
      blocked: true,
      reason: 'CLS_BLOCKLIST',
    });
    expect(blocked.body['after']).toMatchObject({ blocked: true, tracked: true });
    const liveness = await runDiscovery(deps, 'liveness');
    expect(liveness.removed).toEqual(['streamer_005']);
    expect(await trackedChannels(t.db)).not.toContain('streamer_005');
    expect((await call('GET', '/admin/channels?blocked=true')).body['channels']).toEqual([
      expect.objectContaining({
        channel: 'streamer_005',
        blocked: true,
        tracked: false,
        reason: 'CLS_BLOCKLIST',
      }),
    ]);

    // Events that still reach it (a partner's key, a message in flight) are never sealed.
    const epochStart = Math.floor(timer.t / 3_600_000) * 3_600_000;
    await writeIngestBatch(
      t.sql,
      [
        makeEvent({ channel: 'streamer_005', user: 'viewer_one', ts: epochStart + 60_000 }),
        makeEvent({ channel: 'streamer_006', user: 'viewer_one', ts: epochStart + 60_000 }),
      ],
      new Date(epochStart + 120_000),
    );
    const sealing = { sql: t.sql, settings: testAttentionSettings(), telemetry: SILENT_TELEMETRY };
    const result = await sealEpoch(sealing, epochStart / 1000, new Date(epochStart + 3_600_000 + 600_000));
    expect(result.sealed.map((s) => s.channel)).toEqual(['streamer_006']);
    const again = await sealEpoch(sealing, epochStart / 1000, new Date(epochStart + 7_200_000));
    expect(again.sealed).toEqual([]);
    const [sealed] = await t.sql<{ n: number }[]>`
      select count(*)::int as n from attention.sealed_epochs where channel = 'streamer_005'`;
    expect(sealed?.n).toBe(0);

    // Cleared, it is off the blocklist: discovery may track it again.
    expect((await call('DELETE', '/admin/channels/streamer_005')).body['before']).toMatchObject({
      blocked: true,
    });
    expect((await audit('streamer_005')).map((e) => e['action'])).toEqual(['channel.set', 'channel.clear']);
  });

  it('is set from the CLI too, audited as the OS user at this host', () => {
    const cli = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'bin/oracle.ts',
        'channels',
        'set',
        'cls_streamer',
        '--token-group',
        'CLS',
        '--block',
      ],
      {
        cwd: ROOT,
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: process.env['HOME'] ?? '/tmp',
          LOG_LEVEL: 'SILENT',

          DATABASE_URL: t.url,
        },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(cli.status, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/^configured: cls_streamer +CLS .*blocked/);
    return audit('cls_streamer').then((entries) =>
      expect(entries).toEqual([
        {
          actor: `cli:${userInfo().username}@${hostname()}`,
          action: 'channel.set',
          before: null,
          after: expect.objectContaining({ tokenGroup: 'CLS', blocked: true }),
        },
      ]),
    );
  });
});

import { eq as eqOf } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { channelConfig, channels, discoveryRuns } from '../../drizzle/schema/attention.ts';
import { HelixClient } from '../../layers/shared/src/adapters/twitch/helix-client.ts';
import { TokenBucket } from '../../layers/shared/src/adapters/twitch/rate-limiter.ts';
import { METRIC } from '../../layers/shared/src/metric-names.ts';
import { metrics } from '../../layers/shared/src/observability.ts';
import { runDiscovery, trackedChannels } from '../../layers/shared/src/services/attention/discovery.ts';
import {
  type FixtureChannel,
  fixtureChannel,
  sampleChannels,
  startTwitchFixture,
  type TwitchFixture,
} from '../../local/twitch-fixture.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { stampedFetch, virtualTimer } from '../fixtures/virtual-time.ts';

describe('channel discovery', () => {
  let t: TestDatabase;
  let twitch: TwitchFixture | undefined;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.sql`truncate attention.channels, attention.channel_config, attention.discovery_runs`;
  });
  afterEach(async () => {
    await twitch?.close();
    twitch = undefined;
    vi.restoreAllMocks();
  });

  async function setup(options: { channels?: FixtureChannel[]; limit?: number } = {}) {
    const timer = virtualTimer();
    const limit = options.limit ?? 800;
    twitch = await startTwitchFixture({
      channels: options.channels ?? sampleChannels(120, timer.t),
      now: timer.now,
      trustClockHeader: true,
      rateLimitPerMinute: limit,
    });
    const helix = new HelixClient({
      clientId: twitch.clientId,
      clientSecret: twitch.clientSecret,
      authUrl: twitch.authUrl,
      helixUrl: twitch.helixUrl,
      timer,
      fetch: stampedFetch(timer),
      limiter: new TokenBucket({ timer, perMinute: Math.floor(limit * 0.95) }),
    });
    const deps = { db: t.db, helix, now: timer.now };
    return { twitch, helix, timer, deps };
  }

  async function runs() {
    return t.db.select().from(discoveryRuns).orderBy(discoveryRuns.id);
  }

  it('tracks the top 100 live streams with at least 25 viewers and 10 minutes live', async () => {
    const { twitch, deps } = await setup();
    const result = await runDiscovery(deps, 'daily');

    const top100 = [...twitch.channels.values()].sort((a, b) => b.viewers - a.viewers).slice(0, 100);
    const expected = top100
      .filter((c) => c.viewers >= 25 && deps.now() - c.startedAtMs >= 10 * 60_000)
      .map((c) => c.login)
      .sort();
    expect(expected.length).toBeGreaterThan(50);
    expect(expected.length).toBeLessThan(100);
    expect(await trackedChannels(t.db)).toEqual(expected);
    expect(result).toMatchObject({ outcome: 'succeeded', seen: 100, tracked: expected.length });
    expect([...result.added].sort()).toEqual(expected);
  });

  it('stores followers, viewers, uptime and the category of the Twitch game', async () => {
    const { twitch, deps } = await setup();
    await runDiscovery(deps, 'daily');
    const source = twitch.channels.get('streamer_002')!;
    const [row] = await t.db.select().from(channels).where(eqChannel('streamer_002'));
    expect(row).toMatchObject({
      broadcasterId: source.id,
      followers: source.followers,
      viewers: source.viewers,
      gameName: 'Crypto',
      category: 'crypto',
      tokenGroup: 'OTHER',
      tracked: true,
      offlineSince: null,
    });
    expect(row!.startedAt!.getTime()).toBe(Math.floor(source.startedAtMs / 1000) * 1000);
  });

  it('takes the token group and a category override from channel configuration and skips the blocklist', async () => {
    const { deps } = await setup();
    await t.db.insert(channelConfig).values([
      { channel: 'streamer_001', tokenGroup: 'MILO' },
      { channel: 'streamer_003', tokenGroup: 'CLS', categoryOverride: 'makers' },
      { channel: 'streamer_004', blocked: true, reason: 'spam' },
    ]);
    await runDiscovery(deps, 'daily');
    const rows = new Map((await t.db.select().from(channels)).map((r) => [r.channel, r]));
    expect(rows.get('streamer_001')).toMatchObject({ tokenGroup: 'MILO', category: 'default' });
    expect(rows.get('streamer_003')).toMatchObject({ tokenGroup: 'CLS', category: 'makers' });
    expect(rows.has('streamer_004')).toBe(false);
  });

  it('records every run with its counts and outcome', async () => {
    const { deps } = await setup();
    const result = await runDiscovery(deps, 'daily');
    const [run] = await runs();
    expect(run).toMatchObject({
      id: result.runId,
      mode: 'daily',
      outcome: 'succeeded',
      channelsSeen: 100,
      channelsAdded: result.added.length,
      channelsRemoved: 0,
      error: null,
    });
    expect(run!.finishedAt).not.toBeNull();
    expect(run!.helixRequests).toBe(result.helixRequests);
    expect(run!.helixRequests).toBeGreaterThan(result.added.length);
  });

  it('stops tracking a channel after it has been offline for 5 minutes, not at its first miss', async () => {
    const { twitch, timer, deps } = await setup();
    await runDiscovery(deps, 'daily');
    twitch.setLive('streamer_002', false);

    timer.t += 5 * 60_000;
    const first = await runDiscovery(deps, 'liveness');
    expect(first.removed).toEqual([]);
    expect(await trackedChannels(t.db)).toContain('streamer_002');

    timer.t += 5 * 60_000;
    const second = await runDiscovery(deps, 'liveness');
    expect(second.removed).toEqual(['streamer_002']);
    expect(await trackedChannels(t.db)).not.toContain('streamer_002');
    const recorded = await runs();
    expect(recorded.map((r) => [r.mode, r.outcome, r.channelsRemoved])).toEqual([
      ['daily', 'succeeded', 0],
      ['liveness', 'succeeded', 0],
      ['liveness', 'succeeded', 1],
    ]);
  });

  it('keeps tracking a channel that comes back before 5 minutes offline', async () => {
    const { twitch, timer, deps } = await setup();
    await runDiscovery(deps, 'daily');
    twitch.setLive('streamer_002', false);
    timer.t += 5 * 60_000;
    await runDiscovery(deps, 'liveness');
    twitch.setLive('streamer_002', true);
    timer.t += 5 * 60_000;
    await runDiscovery(deps, 'liveness');
    twitch.setLive('streamer_002', false);
    timer.t += 4 * 60_000;
    const result = await runDiscovery(deps, 'liveness');
    expect(result.removed).toEqual([]);
    expect(await trackedChannels(t.db)).toContain('streamer_002');
  });

  it('keeps a tracked channel that left the top 100 while it stays live', async () => {
    const { twitch, timer, deps } = await setup({
      channels: [fixtureChannel('small_streamer', { viewers: 30, nowMs: Date.UTC(2025, 10, 25, 12) })],
    });
    await runDiscovery(deps, 'daily');
    for (let i = 0; i < 100; i++) {
      twitch.addChannel(fixtureChannel(`big_streamer_${i}`, { viewers: 10_000 + i, nowMs: timer.t }));
    }
    timer.t += 86_400_000;
    const result = await runDiscovery(deps, 'daily');
    expect(result.removed).toEqual([]);
    expect(await trackedChannels(t.db)).toContain('small_streamer');
  });

  it('untracks a tracked channel as soon as it is blocklisted', async () => {
    const { deps } = await setup();
    await runDiscovery(deps, 'daily');
    await t.db.insert(channelConfig).values({ channel: 'streamer_005', blocked: true });
    const result = await runDiscovery(deps, 'liveness');
    expect(result.removed).toEqual(['streamer_005']);
  });

  it('finishes under the rate-limit scenario, stays under the limit and records success', async () => {
    const { twitch, deps } = await setup({ limit: 60 });
    twitch.scenario.rateLimitNext(3, 20_000);
    const result = await runDiscovery(deps, 'daily');
    expect(result.outcome).toBe('succeeded');
    expect(twitch.requests.filter((r) => r.status === 429)).toHaveLength(3);
    expect(twitch.maxRequestsInWindow(60_000)).toBeLessThanOrEqual(60);
    expect((await runs()).map((r) => r.outcome)).toEqual(['succeeded']);
  });

  it('finishes under the 5xx scenario and records success', async () => {
    const { twitch, deps } = await setup();
    twitch.scenario.failNext(3, 503);
    const result = await runDiscovery(deps, 'daily');
    expect(result.outcome).toBe('succeeded');
    expect(twitch.requests.filter((r) => r.status === 503)).toHaveLength(3);
    expect((await runs()).map((r) => r.outcome)).toEqual(['succeeded']);
  });

  it('records a run that Twitch keeps failing as failed and raises the discovery-failure metric', async () => {
    const { twitch, deps } = await setup();
    const addMetric = vi.spyOn(metrics, 'addMetric');
    twitch.scenario.failNext(1000, 500);
    const result = await runDiscovery(deps, 'daily');
    expect(result.outcome).toBe('failed');
    const [run] = await runs();
    expect(run).toMatchObject({ outcome: 'failed', channelsAdded: 0 });
    expect(run!.error).toMatch(/HTTP 500/);
    expect(run!.finishedAt).not.toBeNull();
    expect(addMetric).toHaveBeenCalledWith(METRIC.discoveryFailure, 'Count', 1);
    expect(await trackedChannels(t.db)).toEqual([]);
  });
});

function eqChannel(channel: string) {
  return eqOf(channels.channel, channel);
}

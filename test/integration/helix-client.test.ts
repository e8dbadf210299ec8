import { afterEach, describe, expect, it } from 'vitest';
import { HelixClient } from '../../layers/shared/src/adapters/twitch/helix-client.ts';
import { TokenBucket } from '../../layers/shared/src/adapters/twitch/rate-limiter.ts';
import { DependencyError } from '../../layers/shared/src/errors.ts';
import { sampleChannels, startTwitchFixture, type TwitchFixture } from '../../local/twitch-fixture.ts';
import { stampedFetch, virtualTimer } from '../fixtures/virtual-time.ts';

let fixture: TwitchFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function setup(options: { channels?: number; perMinute?: number; fixtureLimit?: number } = {}) {
  const timer = virtualTimer();
  fixture = await startTwitchFixture({
    channels: sampleChannels(options.channels ?? 150, timer.t),
    now: timer.now,
    trustClockHeader: true,
    ...(options.fixtureLimit === undefined ? {} : { rateLimitPerMinute: options.fixtureLimit }),
  });
  const client = new HelixClient({
    clientId: fixture.clientId,
    clientSecret: fixture.clientSecret,
    authUrl: fixture.authUrl,
    helixUrl: fixture.helixUrl,
    timer,
    fetch: stampedFetch(timer),
    limiter: new TokenBucket({
      timer,
      ...(options.perMinute === undefined ? {} : { perMinute: options.perMinute }),
    }),
  });
  return { fixture, client, timer };
}

describe('HelixClient', () => {
  it('asks for an app token once and reuses it across calls', async () => {
    const { fixture, client } = await setup();
    await client.topStreams(10);
    await client.followerCount(fixture.channels.get('streamer_001')!.id);
    await client.games(['499634']);
    expect(fixture.requests.filter((r) => r.path === '/oauth2/token')).toHaveLength(1);
  });

  it('returns the top live streams by viewers, following the pagination cursor past 100', async () => {
    const { fixture, client } = await setup({ channels: 150 });
    fixture.setLive('streamer_001', false);
    const streams = await client.topStreams(120);
    expect(streams).toHaveLength(120);
    expect(streams.some((s) => s.userLogin === 'streamer_001')).toBe(false);
    const viewers = streams.map((s) => s.viewerCount);
    expect(viewers).toEqual([...viewers].sort((a, b) => b - a));
    expect(fixture.requests.filter((r) => r.path === '/helix/streams')).toHaveLength(2);
  });

  it('reads the follower total, users, games and live streams by login', async () => {
    const { fixture, client } = await setup();
    const channel = fixture.channels.get('streamer_002')!;
    expect(await client.followerCount(channel.id)).toBe(channel.followers);
    expect((await client.users({ logins: ['streamer_002'] })).map((u) => u.id)).toEqual([channel.id]);
    expect(await client.games(['499634', '26936'])).toEqual([
      { id: '499634', name: 'Crypto' },
      { id: '26936', name: 'Music' },
    ]);
    fixture.setLive('streamer_003', false);
    const live = await client.streamsByLogin(['streamer_002', 'streamer_003']);
    expect(live.map((s) => s.userLogin)).toEqual(['streamer_002']);
  });

  it('validates a user token and answers undefined for an invalid one', async () => {
    const { fixture, client } = await setup();
    const token = fixture.issueUserToken({
      login: 'viewer_one',
      userId: '4242',
      scopes: ['user:read:email'],
    });
    expect(await client.validateUserToken(token)).toEqual({
      clientId: fixture.clientId,
      login: 'viewer_one',
      userId: '4242',
      scopes: ['user:read:email'],
      expiresInSeconds: 14_400,
    });
    expect(await client.validateUserToken('not-a-token')).toBeUndefined();
  });

  it('exchanges an authorization code once, for the redirect URI it was issued for', async () => {
    const { fixture, client } = await setup();
    const redirectUri = 'https://claims.example.test/';
    const codeFor = async (login: string) => {
      const url = new URL(fixture.authorizeUrl);
      for (const [k, v] of Object.entries({
        response_type: 'code',
        client_id: fixture.clientId,
        redirect_uri: redirectUri,
        scope: '',
        state: 's',
        login,
      }))
        url.searchParams.set(k, v);
      const location = (await fetch(url, { redirect: 'manual' })).headers.get('location') ?? '';
      return new URL(location).searchParams.get('code') ?? '';
    };
    const code = await codeFor('exchanged_viewer');
    const token = await client.exchangeAuthorizationCode(code, redirectUri);
    expect(await client.validateUserToken(token ?? '')).toMatchObject({
      clientId: client.clientId,
      login: 'exchanged_viewer',
      userId: fixture.userOf('exchanged_viewer').id,
    });
    expect(await client.exchangeAuthorizationCode(code, redirectUri)).toBeUndefined();
    const other = await codeFor('exchanged_viewer');
    expect(await client.exchangeAuthorizationCode(other, 'https://elsewhere.example.test/')).toBeUndefined();
    // Wrong app credentials are the operator's problem, not a refused code.
    const misconfigured = new HelixClient({
      clientId: fixture.clientId,
      clientSecret: 'wrong-secret-value',
      authUrl: fixture.authUrl,
      helixUrl: fixture.helixUrl,
    });
    const error = await misconfigured
      .exchangeAuthorizationCode(await codeFor('exchanged_viewer'), redirectUri)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as Error).message).not.toContain('wrong-secret-value');
  });

  it('waits until Ratelimit-Reset after a 429 and then succeeds', async () => {
    const { fixture, client, timer } = await setup();
    await client.topStreams(1);
    fixture.scenario.rateLimitNext(2, 30_000);
    const before = timer.now();
    await client.topStreams(1);
    const retried = fixture.requests.filter((r) => r.path === '/helix/streams');
    expect(retried.map((r) => r.status)).toEqual([200, 429, 429, 200]);
    expect(retried[3]!.atMs).toBeGreaterThanOrEqual(Math.ceil((before + 30_000) / 1000) * 1000);
  });

  it('retries a 5xx with backoff and returns the answer that follows', async () => {
    const { fixture, client } = await setup();
    await client.topStreams(1);
    fixture.scenario.failNext(2, 502);
    const streams = await client.topStreams(5);
    expect(streams).toHaveLength(5);
    expect(fixture.requests.slice(-3).map((r) => r.status)).toEqual([502, 502, 200]);
  });

  it('gives up after its bounded retries with a DependencyError', async () => {
    const { fixture, client } = await setup();
    await client.topStreams(1);
    fixture.scenario.failNext(10, 503);
    await expect(client.topStreams(5)).rejects.toBeInstanceOf(DependencyError);
    expect(fixture.requests.filter((r) => r.status === 503)).toHaveLength(4);
  });

  it('stays under the per-minute limit across many calls without being rate limited', async () => {
    // The client keeps the same 5% headroom below the server's limit as its production default.
    const { fixture, client } = await setup({ perMinute: 57, fixtureLimit: 60, channels: 30 });
    const ids = [...fixture.channels.values()].map((c) => c.id);
    await Promise.all([...ids, ...ids, ...ids, ...ids].map((id) => client.followerCount(id)));
    expect(fixture.requests.length).toBeGreaterThan(120);
    expect(fixture.requests.filter((r) => r.status === 429)).toEqual([]);
    expect(fixture.maxRequestsInWindow(60_000)).toBeLessThanOrEqual(60);
  });

  it('renews an app token Twitch no longer accepts', async () => {
    const { fixture, client } = await setup();
    await client.topStreams(1);
    fixture.revokeAppTokens();
    expect(await client.topStreams(1)).toHaveLength(1);
    expect(fixture.requests.filter((r) => r.path === '/oauth2/token')).toHaveLength(2);
  });

  it('reports refused credentials without repeating the secret', async () => {
    const { fixture } = await setup();
    const client = new HelixClient({
      clientId: fixture.clientId,
      clientSecret: 'wrong-secret-value',
      authUrl: fixture.authUrl,
      helixUrl: fixture.helixUrl,
    });
    const error = await client.topStreams(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyError);
    expect(
      JSON.stringify({ message: (error as Error).message, details: (error as DependencyError).details }),
    ).not.toContain('wrong-secret-value');
  });
});

/**
 * A Twitch Helix and OAuth stand-in on 127.0.0.1 for tests and local runs. Payload shapes
 * follow the Twitch API reference (data arrays, `pagination.cursor`, `total` on followers,
 * `Ratelimit-Limit/Remaining/Reset` headers), and it enforces the rate limit itself: more
 * than `rateLimitPerMinute` requests in a rolling minute get a 429, as Twitch does.
 *
 *   const twitch = await startTwitchFixture({ channels: sampleChannels(120) });
 *   new HelixClient({ clientId: twitch.clientId, clientSecret: twitch.clientSecret,
 *                     authUrl: twitch.authUrl, helixUrl: twitch.helixUrl });
 *   twitch.scenario.rateLimitNext(3); twitch.scenario.failNext(2, 503); twitch.setLive('somechannel', false);
 *   await twitch.close();
 *
 * The OAuth endpoints (app tokens, the authorization-code flow, validation) are in
 * ./twitch-oauth-fixture.ts.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type FixtureUser,
  type FixtureUserToken,
  fixtureUserId,
  TwitchOAuthFixture,
} from './twitch-oauth-fixture.ts';

export type { FixtureUser, FixtureUserToken } from './twitch-oauth-fixture.ts';

export interface FixtureChannel {
  readonly login: string;
  readonly id: string;
  readonly displayName: string;
  readonly gameId: string;
  readonly gameName: string;
  viewers: number;
  /** Unix ms. */
  startedAtMs: number;
  followers: number;
  live: boolean;
  readonly title: string;
  readonly language: string;
}

export interface TwitchFixtureOptions {
  readonly channels?: readonly FixtureChannel[];
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** Requests allowed per rolling minute before 429. @default 800 */
  readonly rateLimitPerMinute?: number;
  /** The fixture's clock (unix ms); tests share a virtual clock with the client. @default Date.now */
  readonly now?: () => number;
  /**
   * Take a request's time from its `X-Fixture-Clock` header (unix ms) when present: a test
   * whose virtual clock jumps while requests are in flight stamps each request as it is sent,
   * which is what Twitch would see with no network latency. @default false
   */
  readonly trustClockHeader?: boolean;
  /** Redirect URIs registered for the app (the authorize and token endpoints check them). @default any */
  readonly redirectUris?: readonly string[];
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly atMs: number;
  readonly status: number;
}

export interface TwitchFixture {
  readonly url: string;
  /** TWITCH_HELIX_URL for clients: `${url}/helix`. */
  readonly helixUrl: string;
  /** TWITCH_AUTH_URL for clients: `${url}/oauth2`. */
  readonly authUrl: string;
  readonly port: number;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly channels: Map<string, FixtureChannel>;
  readonly requests: readonly RecordedRequest[];
  readonly scenario: {
    /** The next `count` Helix requests get 429 with Ratelimit-Reset `resetInMs` from now. */
    rateLimitNext(count: number, resetInMs?: number): void;
    /** The next `count` requests (any route) get this 5xx status. */
    failNext(count: number, status?: number): void;
  };
  setLive(login: string, live: boolean): void;
  /** Every app token issued so far stops being accepted (Twitch revokes them at times). */
  revokeAppTokens(): void;
  addChannel(channel: FixtureChannel): void;
  /**
   * A user access token that /oauth2/validate accepts, as if the user had signed in to an app:
   * this fixture's app unless `clientId` names another one.
   */
  issueUserToken(token: Omit<FixtureUserToken, 'expiresInSeconds'> & { expiresInSeconds?: number }): string;
  /** Twitch signs `login` in as this user id from now on (a rename, or a login reused by another account). */
  setUser(login: string, id?: string): FixtureUser;
  /** The user signed in under `login` (created with a stable id on first use). */
  userOf(login: string): FixtureUser;
  /** Twitch's authorize endpoint for clients: `${url}/oauth2/authorize`. */
  readonly authorizeUrl: string;
  /** Most requests seen in any `windowMs` window (the limit is about a rolling minute). */
  maxRequestsInWindow(windowMs?: number): number;
  /** Requests per calendar minute, keyed by the minute's start (unix ms). */
  requestsPerMinute(): Map<number, number>;
  close(): Promise<void>;
}

/** Realistic games, including those that map to our categories. */
export const FIXTURE_GAMES: readonly { id: string; name: string }[] = [
  { id: '509658', name: 'Just Chatting' },
  { id: '499634', name: 'Crypto' },
  { id: '26936', name: 'Music' },
  { id: '509670', name: 'Science & Technology' },
  { id: '509673', name: 'Makers & Crafting' },
  { id: '21779', name: 'League of Legends' },
  { id: '32982', name: 'Grand Theft Auto V' },
  { id: '33214', name: 'Fortnite' },
];

const numericId = fixtureUserId;

/**
 * `count` channels with a spread of viewers (some under 25), uptimes (some under 10 minutes)
 * and games, deterministic for a given count and `nowMs`.
 */
export function sampleChannels(count: number, nowMs: number = Date.now()): FixtureChannel[] {
  return Array.from({ length: count }, (_, i) => {
    const login = `streamer_${String(i + 1).padStart(3, '0')}`;
    const game = FIXTURE_GAMES[i % FIXTURE_GAMES.length]!;
    return {
      login,
      id: numericId(login),
      displayName: login.replace(/^s/, 'S'),
      gameId: game.id,
      gameName: game.name,
      // Every 7th channel is under the viewer floor, every 11th has just gone live.
      viewers: i % 7 === 6 ? 10 + (i % 15) : 40_000 - i * 300,
      startedAtMs: nowMs - (i % 11 === 10 ? 4 : 30 + i) * 60_000,
      followers: 1000 + i * 137,
      live: true,
      title: `Stream number ${i + 1}`,
      language: 'en',
    };
  });
}

export function fixtureChannel(
  login: string,
  fields: Partial<Omit<FixtureChannel, 'login'>> & { nowMs?: number } = {},
): FixtureChannel {
  const game = FIXTURE_GAMES[0]!;
  const { nowMs, ...rest } = fields;
  return {
    login,
    id: numericId(login),
    displayName: login,
    gameId: game.id,
    gameName: game.name,
    viewers: 500,
    startedAtMs: (nowMs ?? Date.now()) - 60 * 60_000,
    followers: 10_000,
    live: true,
    title: `${login} live`,
    language: 'en',
    ...rest,
  };
}

function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

function decodeCursor(cursor: string | null): number {
  if (cursor === null) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown };
    return typeof parsed.o === 'number' && parsed.o >= 0 ? parsed.o : 0;
  } catch {
    return 0;
  }
}

export async function startTwitchFixture(options: TwitchFixtureOptions = {}): Promise<TwitchFixture> {
  const now = options.now ?? Date.now;
  const clientId = options.clientId ?? randomBytes(15).toString('hex');
  const clientSecret = options.clientSecret ?? randomBytes(15).toString('hex');
  const limit = options.rateLimitPerMinute ?? 800;
  const channels = new Map<string, FixtureChannel>();
  for (const c of options.channels ?? []) channels.set(c.login, { ...c });
  const oauth = new TwitchOAuthFixture({
    clientId,
    clientSecret,
    now,
    ...(options.redirectUris === undefined ? {} : { redirectUris: options.redirectUris }),
  });
  const requests: RecordedRequest[] = [];
  let forced429 = 0;
  let forced429ResetMs = 1000;
  let forced5xx = 0;
  let forced5xxStatus = 503;

  const inLastMinute = (at: number) => requests.filter((r) => r.atMs > at - 60_000 && r.atMs <= at);

  function rateHeaders(at: number): Record<string, string> {
    const window = inLastMinute(at);
    const oldest = window[0]?.atMs ?? at;
    return {
      'Ratelimit-Limit': String(limit),
      'Ratelimit-Remaining': String(Math.max(0, limit - window.length)),
      'Ratelimit-Reset': String(Math.ceil((oldest + 60_000) / 1000)),
    };
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const parts: Buffer[] = [];
    for await (const chunk of req) parts.push(chunk as Buffer);
    return Buffer.concat(parts).toString('utf8');
  }

  function helixRoute(url: URL, at: number): { status: number; body: unknown } {
    const q = url.searchParams;
    switch (url.pathname) {
      case '/helix/streams': {
        const first = Math.min(100, Math.max(1, Number(q.get('first') ?? '20') || 20));
        const logins = new Set(q.getAll('user_login').map((l) => l.toLowerCase()));
        const ids = new Set(q.getAll('user_id'));
        const live = [...channels.values()]
          .filter((c) => c.live)
          .filter((c) => (logins.size === 0 && ids.size === 0) || logins.has(c.login) || ids.has(c.id))
          .sort((a, b) => b.viewers - a.viewers || a.login.localeCompare(b.login));
        const offset = decodeCursor(q.get('after'));
        const page = live.slice(offset, offset + first);
        const more = offset + first < live.length;
        return {
          status: 200,
          body: {
            data: page.map((c) => ({
              id: numericId(`stream:${c.login}:${c.startedAtMs}`),
              user_id: c.id,
              user_login: c.login,
              user_name: c.displayName,
              game_id: c.gameId,
              game_name: c.gameName,
              type: 'live',
              title: c.title,
              tags: ['English'],
              viewer_count: c.viewers,
              started_at: new Date(c.startedAtMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
              language: c.language,
              thumbnail_url: `https://static-cdn.jtvnw.net/previews-ttv/live_user_${c.login}-{width}x{height}.jpg`,
              tag_ids: [],
              is_mature: false,
            })),
            pagination: more ? { cursor: encodeCursor(offset + first) } : {},
          },
        };
      }
      case '/helix/users': {
        const ids = new Set(q.getAll('id'));
        const logins = new Set(q.getAll('login').map((l) => l.toLowerCase()));
        if (ids.size + logins.size > 100) {
          return { status: 400, body: { error: 'Bad Request', status: 400, message: 'too many ids' } };
        }
        const found = [...channels.values()].filter((c) => ids.has(c.id) || logins.has(c.login));
        return {
          status: 200,
          body: {
            data: found.map((c) => ({
              id: c.id,
              login: c.login,
              display_name: c.displayName,
              type: '',
              broadcaster_type: 'partner',
              description: '',
              profile_image_url: `https://static-cdn.jtvnw.net/jtv_user_pictures/${c.login}-profile_image-300x300.png`,
              offline_image_url: '',
              view_count: 0,
              created_at: new Date(at - 5 * 365 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
            })),
          },
        };
      }
      case '/helix/channels/followers': {
        const broadcasterId = q.get('broadcaster_id');
        if (!broadcasterId) {
          return {
            status: 400,
            body: {
              error: 'Bad Request',
              status: 400,
              message: 'Missing required parameter "broadcaster_id"',
            },
          };
        }
        const channel = [...channels.values()].find((c) => c.id === broadcasterId);
        // An app token sees only the total, never the followers themselves.
        return { status: 200, body: { total: channel?.followers ?? 0, data: [], pagination: {} } };
      }
      case '/helix/games': {
        const ids = new Set(q.getAll('id'));
        const names = new Set(q.getAll('name').map((n) => n.toLowerCase()));
        const games = FIXTURE_GAMES.filter((g) => ids.has(g.id) || names.has(g.name.toLowerCase()));
        return {
          status: 200,
          body: {
            data: games.map((g) => ({
              id: g.id,
              name: g.name,
              box_art_url: `https://static-cdn.jtvnw.net/ttv-boxart/${g.id}-{width}x{height}.jpg`,
              igdb_id: '',
            })),
          },
        };
      }
      default:
        return { status: 404, body: { error: 'Not Found', status: 404, message: '' } };
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const stamped = Number(req.headers['x-fixture-clock']);
    const at = options.trustClockHeader === true && Number.isFinite(stamped) && stamped > 0 ? stamped : now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const record = (status: number) => requests.push({ method, path: url.pathname, atMs: at, status });

    if (forced5xx > 0) {
      forced5xx--;
      record(forced5xxStatus);
      await readBody(req);
      return send(res, forced5xxStatus, {
        error: 'Service Unavailable',
        status: forced5xxStatus,
        message: '',
      });
    }

    if (url.pathname.startsWith('/oauth2/')) {
      const form = new URLSearchParams(method === 'POST' ? await readBody(req) : '');
      for (const [k, v] of url.searchParams) if (!form.has(k)) form.set(k, v);
      const answer = oauth.answer(method, url, { authorization: req.headers.authorization }, form);
      record(answer.status);
      if (answer.location !== undefined) {
        res.writeHead(answer.status, { Location: answer.location, 'Content-Length': 0 });
        return void res.end();
      }
      if (answer.html !== undefined) {
        res.writeHead(answer.status, {
          'Content-Type': 'text/html; charset=utf-8',
          'Content-Length': Buffer.byteLength(answer.html),
        });
        return void res.end(answer.html);
      }
      return send(res, answer.status, answer.body);
    }

    if (url.pathname.startsWith('/helix/')) {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!oauth.isAppToken(token) && !oauth.isUserToken(token)) {
        record(401);
        return send(res, 401, { error: 'Unauthorized', status: 401, message: 'Invalid OAuth token' });
      }
      if (req.headers['client-id'] !== clientId) {
        record(401);
        return send(res, 401, {
          error: 'Unauthorized',
          status: 401,
          message: 'Client ID and OAuth token do not match',
        });
      }
      if (forced429 > 0 || inLastMinute(at).length >= limit) {
        const reset = forced429 > 0 ? Math.ceil((at + forced429ResetMs) / 1000) : undefined;
        if (forced429 > 0) forced429--;
        const headers = rateHeaders(at);
        if (reset !== undefined) headers['Ratelimit-Reset'] = String(reset);
        headers['Ratelimit-Remaining'] = '0';
        record(429);
        return send(res, 429, { error: 'Too Many Requests', status: 429, message: '' }, headers);
      }
      const { status, body } = helixRoute(url, at);
      record(status);
      return send(res, status, body, rateHeaders(at));
    }

    record(404);
    send(res, 404, { error: 'Not Found', status: 404, message: '' });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        send(res, 500, { error: 'Internal Server Error', status: 500, message: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    helixUrl: `http://127.0.0.1:${port}/helix`,
    authUrl: `http://127.0.0.1:${port}/oauth2`,
    authorizeUrl: `http://127.0.0.1:${port}/oauth2/authorize`,
    port,
    clientId,
    clientSecret,
    channels,
    requests,
    scenario: {
      rateLimitNext(count, resetInMs = 1000) {
        forced429 = count;
        forced429ResetMs = resetInMs;
      },
      failNext(count, status = 503) {
        forced5xx = count;
        forced5xxStatus = status;
      },
    },
    setLive(login, live) {
      const channel = channels.get(login);
      if (channel === undefined) throw new Error(`fixture has no channel ${login}`);
      channel.live = live;
    },
    revokeAppTokens() {
      oauth.revokeAppTokens();
    },
    addChannel(channel) {
      channels.set(channel.login, { ...channel });
    },
    issueUserToken(token) {
      return oauth.issueUserToken(token);
    },
    setUser(login, id) {
      return oauth.setUser(login, id);
    },
    userOf(login) {
      return oauth.userOf(login);
    },
    maxRequestsInWindow(windowMs = 60_000) {
      const times = requests.map((r) => r.atMs).sort((a, b) => a - b);
      let max = 0;
      let start = 0;
      for (let end = 0; end < times.length; end++) {
        while (times[end]! - times[start]! >= windowMs) start++;
        max = Math.max(max, end - start + 1);
      }
      return max;
    },
    requestsPerMinute() {
      const perMinute = new Map<number, number>();
      for (const r of requests) {
        const minute = Math.floor(r.atMs / 60_000) * 60_000;
        perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
      }
      return perMinute;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      });
    },
  };
}

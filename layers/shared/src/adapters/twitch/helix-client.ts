/**
 * Twitch Helix over fetch: an app access token by client credentials, a token bucket shared
 * by every call (Helix allows 800 points a minute per app token), 429 answered by waiting
 * until `Ratelimit-Reset`, 5xx and network failures retried with backoff a bounded number
 * of times. Every failure it gives up on is a DependencyError; no error or log carries the
 * client secret or a token.
 */
import { chunks } from '../../core/chunks.ts';
import { DependencyError } from '../../errors.ts';
import type { HelixGame, HelixStream, HelixUser, TokenInfo, TwitchHelix } from '../../ports/twitch-helix.ts';
import { systemTimer, type Timer, TokenBucket } from './rate-limiter.ts';

export interface HelixClientOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The OAuth base (TWITCH_AUTH_URL). @default https://id.twitch.tv/oauth2 */
  readonly authUrl?: string;
  /** The Helix base (TWITCH_HELIX_URL). @default https://api.twitch.tv/helix */
  readonly helixUrl?: string;
  /** Shared by all calls of this client (and of any other client given the same bucket). */
  readonly limiter?: TokenBucket;
  readonly timer?: Timer;
  readonly fetch?: typeof fetch;
  /** Retries after a 5xx or a network failure. @default 3 */
  readonly maxRetries?: number;
  /** First retry delay; doubles per retry. @default 500 */
  readonly backoffBaseMs?: number;
  /** 429s in a row before giving up. @default 5 */
  readonly maxRateLimitWaits?: number;
  /** An attempt that has not answered by then counts as a network failure. @default 10_000 */
  readonly requestTimeoutMs?: number;
}

const PAGE_SIZE = 100;
/** Renew the app token this long before Twitch says it expires. */
const TOKEN_MARGIN_MS = 60_000;

interface AppToken {
  value: string;
  expiresAtMs: number;
}

type Json = Record<string, unknown>;

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function dataArray(body: Json, path: string): Json[] {
  if (!Array.isArray(body['data'])) throw new DependencyError(`Twitch ${path} answered without a data array`);
  return body['data'].filter((item): item is Json => typeof item === 'object' && item !== null);
}

export class HelixClient implements TwitchHelix {
  private readonly authUrl: string;
  private readonly helixUrl: string;
  private readonly limiter: TokenBucket;
  private readonly timer: Timer;
  private readonly fetchFn: typeof fetch;
  private readonly maxRetries: number;
  private readonly backoffBaseMs: number;
  private readonly maxRateLimitWaits: number;
  private token: AppToken | undefined;
  private tokenRequest: Promise<AppToken> | undefined;
  private requests = 0;

  constructor(private readonly options: HelixClientOptions) {
    this.authUrl = (options.authUrl ?? 'https://id.twitch.tv/oauth2').replace(/\/+$/, '');
    this.helixUrl = (options.helixUrl ?? 'https://api.twitch.tv/helix').replace(/\/+$/, '');
    this.timer = options.timer ?? systemTimer;
    this.limiter = options.limiter ?? new TokenBucket({ timer: this.timer });
    this.fetchFn = options.fetch ?? fetch;
    this.maxRetries = options.maxRetries ?? 3;
    this.backoffBaseMs = options.backoffBaseMs ?? 500;
    this.maxRateLimitWaits = options.maxRateLimitWaits ?? 5;
  }

  get requestCount(): number {
    return this.requests;
  }

  get clientId(): string {
    return this.options.clientId;
  }

  async topStreams(limit: number): Promise<HelixStream[]> {
    const streams: HelixStream[] = [];
    let cursor: string | undefined;
    while (streams.length < limit) {
      const params = new URLSearchParams({ first: String(Math.min(PAGE_SIZE, limit - streams.length)) });
      if (cursor !== undefined) params.set('after', cursor);
      const body = await this.helix('/streams', params);
      const page = dataArray(body, '/streams').map(toStream);
      streams.push(...page);
      cursor = str((body['pagination'] as Json | undefined)?.['cursor']) || undefined;
      if (cursor === undefined || page.length === 0) break;
    }
    return streams.slice(0, limit);
  }

  async streamsByLogin(logins: readonly string[]): Promise<HelixStream[]> {
    const out: HelixStream[] = [];
    for (const chunk of chunks(logins, PAGE_SIZE)) {
      const params = new URLSearchParams({ first: String(PAGE_SIZE) });
      for (const login of chunk) params.append('user_login', login);
      out.push(...dataArray(await this.helix('/streams', params), '/streams').map(toStream));
    }
    return out;
  }

  async users(query: { ids?: readonly string[]; logins?: readonly string[] }): Promise<HelixUser[]> {
    const keys = [
      ...(query.ids ?? []).map((v) => ['id', v] as const),
      ...(query.logins ?? []).map((v) => ['login', v] as const),
    ];
    const out: HelixUser[] = [];
    for (const chunk of chunks(keys, PAGE_SIZE)) {
      const params = new URLSearchParams();
      for (const [k, v] of chunk) params.append(k, v);
      out.push(...dataArray(await this.helix('/users', params), '/users').map(toUser));
    }
    return out;
  }

  async followerCount(broadcasterId: string): Promise<number> {
    // With an app token this route returns only `total`, which is all we need.
    const params = new URLSearchParams({ broadcaster_id: broadcasterId, first: '1' });
    const body = await this.helix('/channels/followers', params);
    if (typeof body['total'] !== 'number')
      throw new DependencyError('Twitch followers answered without a total');
    return body['total'];
  }

  async games(ids: readonly string[]): Promise<HelixGame[]> {
    const out: HelixGame[] = [];
    for (const chunk of chunks(ids, PAGE_SIZE)) {
      const params = new URLSearchParams();
      for (const id of chunk) params.append('id', id);
      const page = dataArray(await this.helix('/games', params), '/games');
      out.push(...page.map((g) => ({ id: str(g['id']), name: str(g['name']) })));
    }
    return out;
  }

  async validateUserToken(token: string): Promise<TokenInfo | undefined> {
    const response = await this.send(`${this.authUrl}/validate`, () => ({
      method: 'GET',
      headers: { Authorization: `OAuth ${token}` },
    }));
    if (response.status === 401) return undefined;
    const body = await this.json(response, '/oauth2/validate');
    return {
      clientId: str(body['client_id']),
      login: str(body['login']) || undefined,
      userId: str(body['user_id']) || undefined,
      scopes: Array.isArray(body['scopes'])
        ? body['scopes'].filter((s): s is string => typeof s === 'string')
        : [],
      expiresInSeconds: num(body['expires_in']),
    };
  }

  async exchangeAuthorizationCode(code: string, redirectUri: string): Promise<string | undefined> {
    const response = await this.postToken({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
    });
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      const body = (await response.json().catch(() => ({}))) as Json;
      // Twitch answers 400 for a bad code and for a bad client id alike; only the message tells
      // a viewer's stale code from the operator's wrong credentials.
      if (response.status === 403 || /client/i.test(str(body['message']))) {
        throw new DependencyError(`Twitch refused the client credentials (HTTP ${response.status})`, {
          details: { status: response.status },
        });
      }
      return undefined;
    }
    const value = str((await this.json(response, '/oauth2/token'))['access_token']);
    if (value === '') throw new DependencyError('Twitch /oauth2/token answered without an access_token');
    return value;
  }

  /** POST /oauth2/token with the app's credentials and the grant's own fields. */
  private postToken(grant: Record<string, string>): Promise<Response> {
    return this.send(`${this.authUrl}/token`, () => ({
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: this.options.clientId,
        client_secret: this.options.clientSecret,
        ...grant,
      }).toString(),
    }));
  }

  private async appToken(): Promise<AppToken> {
    if (this.token !== undefined && this.timer.now() < this.token.expiresAtMs - TOKEN_MARGIN_MS)
      return this.token;
    // Concurrent callers share one token request.
    this.tokenRequest ??= this.requestAppToken().finally(() => {
      this.tokenRequest = undefined;
    });
    return this.tokenRequest;
  }

  private async requestAppToken(): Promise<AppToken> {
    const response = await this.postToken({ grant_type: 'client_credentials' });
    if (response.status === 400 || response.status === 401 || response.status === 403) {
      throw new DependencyError(`Twitch refused the client credentials (HTTP ${response.status})`, {
        details: { status: response.status },
      });
    }
    const body = await this.json(response, '/oauth2/token');
    const value = str(body['access_token']);
    if (value === '') throw new DependencyError('Twitch /oauth2/token answered without an access_token');
    this.token = { value, expiresAtMs: this.timer.now() + num(body['expires_in']) * 1000 };
    return this.token;
  }

  private async helix(path: string, params: URLSearchParams): Promise<Json> {
    const url = `${this.helixUrl}${path}?${params.toString()}`;
    for (let renewed = false; ; renewed = true) {
      const token = await this.appToken();
      const response = await this.send(url, () => ({
        method: 'GET',
        headers: { Authorization: `Bearer ${token.value}`, 'Client-Id': this.options.clientId },
      }));
      if (response.status === 401 && !renewed) {
        // An app token can be revoked before it expires; get a new one once.
        this.token = undefined;
        await response.body?.cancel();
        continue;
      }
      return this.json(response, path);
    }
  }

  private async json(response: Response, path: string): Promise<Json> {
    if (!response.ok) {
      await response.body?.cancel();
      throw new DependencyError(`Twitch ${path} answered HTTP ${response.status}`, {
        details: { status: response.status, path },
      });
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (typeof body !== 'object' || body === null)
      throw new DependencyError(`Twitch ${path} answered non-JSON`);
    return body as Json;
  }

  /**
   * One logical request: waits for the shared bucket before every attempt, waits out 429s
   * until Ratelimit-Reset, retries 5xx and network failures with backoff. Answers the first
   * response that is neither.
   */
  private async send(url: string, init: () => RequestInit): Promise<Response> {
    const path = new URL(url).pathname;
    let failures = 0;
    let rateLimited = 0;
    for (;;) {
      await this.limiter.take();
      this.requests++;
      let response: Response | undefined;
      let networkError: unknown;
      try {
        response = await this.fetchFn(url, {
          ...init(),
          signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 10_000),
        });
      } catch (error) {
        networkError = error;
      }
      if (response?.status === 429) {
        await response.body?.cancel();
        if (++rateLimited > this.maxRateLimitWaits) {
          throw new DependencyError(`Twitch ${path} kept answering 429`, { details: { path } });
        }
        const resetSeconds = Number(response.headers.get('Ratelimit-Reset'));
        // A reset already past (clocks differ) still gets a short pause, so retries do not spin.
        const resetMs = Number.isFinite(resetSeconds) && resetSeconds > 0 ? resetSeconds * 1000 : 0;
        this.limiter.pauseUntil(Math.max(resetMs, this.timer.now() + 250));
        continue;
      }
      if (response !== undefined && response.status < 500) return response;
      await response?.body?.cancel();
      if (++failures > this.maxRetries) {
        const what = response === undefined ? 'failed to answer' : `answered HTTP ${response.status}`;
        throw new DependencyError(`Twitch ${path} ${what} after ${failures} attempts`, {
          cause: networkError,
          details: { path, ...(response === undefined ? {} : { status: response.status }) },
        });
      }
      await this.timer.sleep(this.backoffBaseMs * 2 ** (failures - 1));
    }
  }
}

function toStream(s: Json): HelixStream {
  return {
    id: str(s['id']),
    userId: str(s['user_id']),
    userLogin: str(s['user_login']),
    userName: str(s['user_name']),
    gameId: str(s['game_id']),
    gameName: str(s['game_name']),
    type: str(s['type']),
    title: str(s['title']),
    viewerCount: num(s['viewer_count']),
    startedAt: str(s['started_at']),
    language: str(s['language']),
  };
}

function toUser(u: Json): HelixUser {
  return {
    id: str(u['id']),
    login: str(u['login']),
    displayName: str(u['display_name']),
    broadcasterType: str(u['broadcaster_type']),
    createdAt: str(u['created_at']),
  };
}

/**
 * A malformed request is refused before anything the function depends on is built: every HTTP
 * function runs here on a platform whose database, secrets, queues, event bus and Twitch client
 * fail (and are recorded) when touched. A malformed request gets the 400 naming its problem with
 * nothing touched; a well-formed one reaches the dependencies and gets the 503 of the failure.
 * A route that acts for a signed-in session authenticates first: a request presenting no session
 * is answered 401 with nothing touched, and one presenting a session has it looked up in the
 * database, as it always had: its bad input keeps the status it had
 * (test/functions/session-routes-order.test.ts has the statuses on a working database).
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { API_ROUTES } from '../../functions/api/contract/routes.ts';
import type { HttpEvent, HttpResult } from '../../functions/api/http.ts';
import type { Entry } from '../../functions/handlers.ts';
import type { Platform } from '../../functions/platform.ts';
import { type Config, loadConfig } from '../../layers/shared/src/config.ts';
import { DependencyError } from '../../layers/shared/src/errors.ts';
import { loadMarketConfig } from '../../layers/shared/src/market-config.ts';
import type { RateLimiter } from '../../layers/shared/src/ports/rate-limiter.ts';
import { inThreadTreeHasher } from '../../layers/shared/src/services/attention/tree-hashing.ts';
import { FUNCTIONS, routeKeyOf } from '../../lib/functions.ts';
import { makeHttpEvent } from '../fixtures/http-event.ts';

const ENV = {
  LOG_LEVEL: 'SILENT',
  DATABASE_URL: 'postgres://nobody:nothing@127.0.0.1:1/unreachable',
  ORACLE_CALLS_QUEUE_URL: 'http://127.0.0.1:1/000000000000/oracle-calls.fifo',
  INGEST_QUEUE_URL: 'http://127.0.0.1:1/000000000000/ingest',
  RATE_LIMIT_TABLE: 'rate-limits',
  EVM_SIGNER_ADDRESS: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  API_ORIGIN: 'https://api.example.com',
  TWITCH_SECRET_ARN: 'twitch-app',
  TWITCH_REDIRECT_URIS: 'https://claims.example.com/signed-in',
  EVM_CHAIN_ID: '31337',
};

const ADMIN = { credential: 'admin', credentialName: 'ops-admin' } as const;
const TOKEN = '0x5fbdb2315678afecb367f032d93f642f64180aa3';
const FPMM = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const PLAYER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const EMAIL_TOKEN = 'a'.repeat(43);
const json = (body: unknown) => JSON.stringify(body);

type EventSpec = Parameters<typeof makeHttpEvent>[0];

interface RouteCase {
  /** Refused with a 400 whose message starts with this field. */
  readonly malformed: EventSpec & { readonly field: string };
  /** Reaches the dependencies (optional where another route of the function shows it). */
  readonly wellFormed?: EventSpec;
}

/** Every route that reads input, with no session: a bad request of each, and a good one. */
const CASES: Record<string, RouteCase> = {
  'GET /claims/{epoch}/{channel}/{user}': {
    malformed: { pathParameters: { epoch: 'soon', channel: 'music_chan', user: 'alice_1' }, field: 'epoch' },
    wellFormed: { pathParameters: { epoch: '1750003200', channel: 'music_chan', user: 'alice_1' } },
  },
  'GET /claims/{user}': {
    malformed: { pathParameters: { user: 'not a login!' }, field: 'user' },
    wellFormed: { pathParameters: { user: 'alice_1' } },
  },
  'GET /epochs': {
    malformed: { query: { limit: '0' }, field: 'limit' },
    wellFormed: { query: {} },
  },
  'GET /epochs/{epoch}': { malformed: { pathParameters: { epoch: 'soon' }, field: 'epoch' } },
  'GET /epochs/{epoch}/channels/{channel}': {
    malformed: { pathParameters: { epoch: 'soon', channel: 'music_chan' }, field: 'epoch' },
  },
  'POST /admin/ingest-keys/{keyId}/void': {
    malformed: { pathParameters: { keyId: 'irc' }, credential: ADMIN, field: 'keyId' },
    wellFormed: { pathParameters: { keyId: 'partner-a' }, credential: ADMIN },
  },
  'POST /suppressions': {
    malformed: { body: json({ reason: 'asked' }), credential: ADMIN, field: 'user' },
    wellFormed: { body: json({ user: 'alice_1', reason: 'asked' }), credential: ADMIN },
  },
  'GET /wallets/{user}': {
    malformed: { pathParameters: { user: 'not a login!' }, field: 'user' },
    wellFormed: { pathParameters: { user: 'alice_1' } },
  },
  'GET /auth/twitch/authorize': {
    malformed: { query: { redirectUri: 'elsewhere' }, field: 'redirectUri' },
    wellFormed: { query: {} },
  },
  'POST /auth/twitch/session': { malformed: { body: json({ code: 1 }), field: 'code' } },
  'GET /admin/audit': {
    malformed: { query: { before: '-1' }, credential: ADMIN, field: 'before' },
    wellFormed: { query: {}, credential: ADMIN },
  },
  'GET /admin/recovery': {
    malformed: { query: { limit: '0' }, credential: ADMIN, field: 'limit' },
    wellFormed: { query: {}, credential: ADMIN },
  },
  'GET /admin/channels': {
    malformed: { query: { blocked: 'maybe' }, credential: ADMIN, field: 'blocked' },
    wellFormed: { query: {}, credential: ADMIN },
  },
  'PUT /admin/channels/{channel}': {
    malformed: {
      pathParameters: { channel: 'music_chan' },
      body: '{"blocked": tru',
      credential: ADMIN,
      field: 'request body',
    },
  },
  'DELETE /admin/channels/{channel}': {
    malformed: { pathParameters: { channel: 'not a channel!' }, credential: ADMIN, field: 'channel' },
  },
  'GET /creators/{address}/metrics': {
    malformed: { pathParameters: { address: 'xyz' }, field: 'address' },
    wellFormed: { pathParameters: { address: TOKEN } },
  },
  'GET /creators/{address}/milestones': {
    malformed: { pathParameters: { address: 'xyz' }, field: 'address' },
  },
  'GET /creators/{address}/coin': { malformed: { pathParameters: { address: 'xyz' }, field: 'address' } },
  'GET /admin/sync-logs': {
    malformed: { query: { status: 'exploded' }, credential: ADMIN, field: 'status' },
  },
  'GET /admin/sync-health': { malformed: { query: { limit: '0' }, credential: ADMIN, field: 'limit' } },
  // The service reads these with its own schemas (the CLI shares them): its messages are the answer.
  'GET /admin/oracle-calls': {
    malformed: { query: { status: 'exploded' }, credential: ADMIN, field: 'query: status' },
    wellFormed: { query: {}, credential: ADMIN },
  },
  'GET /admin/oracle-calls/{id}': {
    malformed: { pathParameters: { id: 'one' }, credential: ADMIN, field: 'call id' },
  },
  'POST /admin/oracle-calls/{id}/retry': {
    malformed: { pathParameters: { id: '0' }, credential: ADMIN, field: 'call id' },
    wellFormed: { pathParameters: { id: '7' }, credential: ADMIN },
  },
  'GET /admin/alerts': {
    malformed: { query: { limit: '0' }, credential: ADMIN, field: 'query: limit' },
  },
  'POST /admin/fpmm/{fpmm}/raffle-probability': {
    malformed: {
      pathParameters: { fpmm: FPMM },
      body: json({ seasonId: 1, player: PLAYER, probabilityBps: 20_000 }),
      credential: ADMIN,
      field: 'probabilityBps',
    },
    wellFormed: {
      pathParameters: { fpmm: FPMM },
      body: json({ seasonId: 1, player: PLAYER, probabilityBps: 2500 }),
      credential: ADMIN,
    },
  },
  'POST /admin/fpmm/{fpmm}/market-sentiment': {
    malformed: { pathParameters: { fpmm: 'xyz' }, body: json({}), credential: ADMIN, field: 'fpmm' },
  },
  'GET /api/prices/{tokenAddress}': {
    malformed: { pathParameters: { tokenAddress: 'abc' }, field: 'tokenAddress' },
    wellFormed: { pathParameters: { tokenAddress: TOKEN } },
  },
  'GET /api/twap/{tokenAddress}/{window}': {
    malformed: { pathParameters: { tokenAddress: TOKEN, window: 'forever' }, field: 'window' },
    wellFormed: { pathParameters: { tokenAddress: TOKEN, window: '1h' } },
  },
  'GET /api/analytics/tokens/rankings': {
    malformed: { query: { kind: 'best' }, field: 'kind' },
    wellFormed: { query: {} },
  },
  'GET /api/analytics/trends': {
    malformed: { query: { movers: '50' }, field: 'movers' },
    wellFormed: { query: {} },
  },
  'GET /api/analytics/volume/{tokenAddress}': {
    malformed: { pathParameters: { tokenAddress: 'abc' }, field: 'tokenAddress' },
    wellFormed: { pathParameters: { tokenAddress: TOKEN } },
  },
  'POST /graphql': {
    malformed: { body: json({ variables: {} }), field: 'query' },
    wellFormed: { body: json({ query: '{ tokens { address } }' }) },
  },
  'GET /api/generate/claimable/{address}': {
    malformed: { pathParameters: { address: 'abc' }, field: 'address' },
    wellFormed: { pathParameters: { address: TOKEN } },
  },
  'GET /api/notifications/verify/email': {
    malformed: { query: { token: 'short' }, field: 'token' },
    wellFormed: { query: { token: EMAIL_TOKEN } },
  },
  'POST /api/notifications/verify/email': {
    malformed: { body: json({ token: 'short' }), field: 'token' },
    wellFormed: { body: json({ token: EMAIL_TOKEN }) },
  },
  'POST /api/auth/session': {
    malformed: { body: json({ message: 'hello', signature: '0x00' }), field: 'signature' },
    wellFormed: { body: json({ message: 'hello', signature: `0x${'1'.repeat(130)}` }) },
  },
};

/**
 * Routes that act for a signed-in session: they authenticate first (a database read), then read
 * their input, as before the handler factories; a malformed request reaches the database.
 */
const SESSION_ROUTES = Object.entries(API_ROUTES)
  .filter(([, contract]) => contract.session !== undefined)
  .map(([key]) => key);

/** POST /ingest counts every request against its key's quota before it reads the body (by design). */
const COUNTED_BEFORE_READ = ['POST /ingest'];

function readsInput(routeKey: string): boolean {
  const c = API_ROUTES[routeKey];
  return (
    c !== undefined &&
    (c.params !== undefined || c.query !== undefined || c.headers !== undefined || c.body !== undefined)
  );
}

const HTTP_FUNCTIONS = FUNCTIONS.flatMap((spec) =>
  spec.trigger.kind === 'http'
    ? [{ name: spec.name, entry: spec.entry, routes: spec.trigger.routes.map(routeKeyOf) }]
    : [],
);

interface Stand {
  readonly platform: Platform;
  /** What was asked of the platform beyond its configuration and the per-IP limit. */
  readonly touched: string[];
  /** The per-IP limit's counts. */
  readonly limited: string[];
}

function standIn(config: Config): Stand {
  const touched: string[] = [];
  const limited: string[] = [];
  const unreachable = (what: string) => new DependencyError(`${what} is unreachable`);
  const touch = (what: string) => {
    touched.push(what);
  };
  const market = loadMarketConfig(process.env);
  const limiter: RateLimiter = {
    hit: async (key) => {
      limited.push(key);
      return { allowed: true, count: 1, retryAfterSeconds: 60 };
    },
    hitEach: async (key, windows) => {
      limited.push(key);
      return windows.map(() => ({ allowed: true, count: 1, retryAfterSeconds: 60 }));
    },
  };
  const failingQueue = {
    send: () => Promise.reject(unreachable('the queue')),
    sendBatch: () => Promise.reject(unreachable('the queue')),
  };
  const platform: Platform = {
    config,
    market,
    database: () => {
      touch('database');
      return Promise.reject(unreachable('the database'));
    },
    get secrets() {
      touch('secrets');
      return { getSecret: (id: string) => Promise.reject(unreachable(`secret ${id}`)) };
    },
    queue: (_url, name) => {
      touch(`queue ${name}`);
      return failingQueue as unknown as ReturnType<Platform['queue']>;
    },
    eventBus: () => {
      touch('event bus');
      return { publish: () => Promise.reject(unreachable('the event bus')) } as unknown as ReturnType<
        Platform['eventBus']
      >;
    },
    twitchHelix: () => {
      touch('twitch');
      return Promise.reject(unreachable('Twitch'));
    },
    get treeHasher() {
      touch('tree hasher');
      return inThreadTreeHasher;
    },
    rateLimiter: () => limiter,
    close: async () => {},
  };
  return { platform, touched, limited };
}

type Handler = (event: HttpEvent) => Promise<HttpResult>;
/** The function's handler on a fresh stand-in platform (a platform's dependencies are built once). */
async function onStandIn(entry: string): Promise<{ stand: Stand; handler: Handler }> {
  const stand = standIn(loadConfig(process.env));
  const module = (await import(`../../${entry}`)) as { handler: Entry<HttpEvent, HttpResult> };
  return { stand, handler: module.handler.on(stand.platform) };
}

function functionOf(routeKey: string): string {
  const fn = HTTP_FUNCTIONS.find((f) => f.routes.includes(routeKey));
  if (fn === undefined) throw new Error(`no function serves ${routeKey}`);
  return fn.entry;
}

function errorOf(result: HttpResult): { code: string; message: string } {
  return (JSON.parse(result.body) as { error: { code: string; message: string } }).error;
}

beforeAll(() => {
  Object.assign(process.env, ENV);
});

describe('every HTTP route is accounted for', () => {
  it('each route that reads input has a malformed case here, or authenticates a session first', () => {
    const routes = HTTP_FUNCTIONS.flatMap((f) => f.routes);
    const unaccounted = routes.filter(
      (key) =>
        readsInput(key) &&
        CASES[key] === undefined &&
        !SESSION_ROUTES.includes(key) &&
        !COUNTED_BEFORE_READ.includes(key),
    );
    expect(unaccounted).toEqual([]);
    expect(Object.keys(CASES).filter((key) => !routes.includes(key))).toEqual([]);
  });

  it('each function with such a route has a well-formed case that reaches its dependencies', () => {
    const withCases = HTTP_FUNCTIONS.filter((f) => f.routes.some((key) => CASES[key] !== undefined));
    const without = withCases.filter((f) => !f.routes.some((key) => CASES[key]?.wellFormed !== undefined));
    expect(without.map((f) => f.name)).toEqual([]);
  });
});

describe('a malformed request, with the database and secrets failing when touched', () => {
  it.each(Object.entries(CASES))('%s: 400 naming the problem, nothing touched', async (route, c) => {
    const { field, ...spec } = c.malformed;
    const { stand, handler } = await onStandIn(functionOf(route));
    const result = await handler(makeHttpEvent({ route, ...spec }));
    expect(result.statusCode, result.body).toBe(400);
    const error = errorOf(result);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message.startsWith(field), error.message).toBe(true);
    expect(stand.touched).toEqual([]);
  });

  it('is refused by the per-IP limit first, where its route has one', async () => {
    const route = 'POST /graphql';
    const { stand, handler } = await onStandIn(functionOf(route));
    const refusing: RateLimiter = {
      hit: async () => ({ allowed: false, count: 121, retryAfterSeconds: 42 }),
      hitEach: async () => [],
    };
    (stand.platform as { rateLimiter: () => RateLimiter }).rateLimiter = () => refusing;
    const result = await handler(makeHttpEvent({ route, body: json({ variables: {} }) }));
    expect(result.statusCode).toBe(429);
    expect(result.headers?.['retry-after']).toBe('42');
    expect(stand.touched).toEqual([]);
  });

  it('POST /ingest: counted against the key before the body is read, with neither database nor secrets', async () => {
    const route = 'POST /ingest';
    const { stand, handler } = await onStandIn(functionOf(route));
    const result = await handler(makeHttpEvent({ route, body: '{"events": [', credential: ADMIN }));
    expect(result.statusCode, result.body).toBe(400);
    expect(errorOf(result).message).toBe('request body is not valid JSON');
    expect(stand.limited.length).toBeGreaterThan(0);
    expect(stand.touched).toEqual(['queue INGEST_QUEUE_URL']);
  });

  it.each(SESSION_ROUTES.filter(readsInput))(
    '%s: authenticated first, so the database is asked as before',
    async (route) => {
      const { stand, handler } = await onStandIn(functionOf(route));
      const result = await handler(
        makeHttpEvent({ route, body: '{"malformed": ', headers: { authorization: 'Bearer some-session' } }),
      );
      expect(result.statusCode, result.body).toBe(503);
      expect(stand.touched).toContain('database');
    },
  );
});

describe('a request to a session route that presents no session, with everything failing when touched', () => {
  it.each(SESSION_ROUTES)('%s: 401 with nothing touched', async (route) => {
    const { stand, handler } = await onStandIn(functionOf(route));
    for (const headers of [{}, { authorization: 'Basic c29tZW9uZQ==' }, { authorization: 'Bearer ' }]) {
      const result = await handler(makeHttpEvent({ route, body: '{"malformed": ', headers }));
      expect(result.statusCode, result.body).toBe(401);
      expect(errorOf(result).code).toBe('UNAUTHORIZED');
      expect(errorOf(result).message).toMatch(
        /^(sign in with Twitch first|this route acts for a market user)/,
      );
    }
    expect(stand.touched).toEqual([]);
  });
});

describe('a well-formed request, with the database and secrets failing when touched', () => {
  const wellFormed = Object.entries(CASES).flatMap(([route, c]) =>
    c.wellFormed === undefined ? [] : [[route, c.wellFormed] as const],
  );
  it.each(wellFormed)('%s: reaches its dependencies and answers 503', async (route, spec) => {
    const { stand, handler } = await onStandIn(functionOf(route));
    const result = await handler(makeHttpEvent({ route, ...spec }));
    expect(result.statusCode, result.body).toBe(503);
    expect(errorOf(result).code).toBe('DEPENDENCY_FAILED');
    expect(stand.touched.length).toBeGreaterThan(0);
  });
});

describe('one reading of the request', () => {
  it('the hot claims route is parsed once: before the dependencies, and the handler gets that reading', async () => {
    const { ATTENTION_ROUTES } = await import('../../functions/api/contract/attention.ts');
    const module = await import('../../functions/api/claims/index.ts');
    const route = 'GET /claims/{epoch}/{channel}/{user}';
    const params = ATTENTION_ROUTES[route].params;
    const parses = vi.spyOn(params, 'safeParse');
    const asked: unknown[] = [];
    const view = { index: 0, amount: '5' };
    const deps = {
      claims: {
        cachedClaim: (...args: unknown[]) => {
          asked.push(args);
          return view;
        },
      },
    } as unknown as Parameters<typeof module.handle>[1];
    const { stand } = await onStandIn('functions/api/claims/index.ts');
    const handler = module.handler.on(stand.platform, deps);
    const result = await handler(
      makeHttpEvent({
        route,
        pathParameters: { epoch: '1750003200', channel: 'music_chan', user: 'alice_1' },
      }),
    );
    expect(result.statusCode, result.body).toBe(200);
    expect(JSON.parse(result.body)).toEqual(view);
    expect(asked).toHaveLength(1);
    expect(parses).toHaveBeenCalledTimes(1);
    // The next request is read afresh.
    await handler(
      makeHttpEvent({ route, pathParameters: { epoch: '1750003200', channel: 'music_chan', user: 'bob_2' } }),
    );
    expect(parses).toHaveBeenCalledTimes(2);
    parses.mockRestore();
  });

  it('an admin oracle-call route is read once: before the dependencies, and the handler gets that reading', async () => {
    const { listAlertsQuery } = await import('../../layers/shared/src/services/delivery/admin-oracle-api.ts');
    const module = await import('../../functions/api/admin-oracle-calls/index.ts');
    const parses = vi.spyOn(listAlertsQuery, 'safeParse');
    const filters: unknown[] = [];
    const deps = {
      alerts: {
        policy: { threshold: 3 },
        getActiveFailures: async () => [],
        listAlerts: async (filter: unknown) => {
          filters.push(filter);
          return [];
        },
      },
    } as unknown as Parameters<typeof module.handle>[1];
    const { stand } = await onStandIn('functions/api/admin-oracle-calls/index.ts');
    const handler = module.handler.on(stand.platform, deps);
    const result = await handler(
      makeHttpEvent({ route: 'GET /admin/alerts', query: { limit: '5' }, credential: ADMIN }),
    );
    expect(result.statusCode, result.body).toBe(200);
    expect(filters).toEqual([{ limit: 5 }]);
    expect(parses).toHaveBeenCalledTimes(1);
    parses.mockRestore();
  });
});

/**
 * M5 (issue 17): the per-IP limit existed only on /ingest, so one address could flood every other
 * public write route (each request a database write, a signature check or a GraphQL execution)
 * as fast as the stage-wide throttle allowed. Each route is flooded from one address through its
 * real handler, counted in DynamoDB (dynalite); another address must still get the route's own
 * answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PER_IP_LIMITS } from '../../functions/api/contract/per-ip-limits.ts';
import type { HttpEvent, HttpResult } from '../../functions/api/http.ts';
import { handler as claimRouteHandler } from '../../functions/api/market/generate-claim/index.ts';
import { handler as graphqlRouteHandler } from '../../functions/api/market/graphql/index.ts';
import { handler as preferencesRouteHandler } from '../../functions/api/market/notifications-preferences/index.ts';
import { handler as subscribeRouteHandler } from '../../functions/api/market/notifications-subscribe/index.ts';
import { makeHttpEvent } from '../fixtures/http-event.ts';
import { startWalletsApi, type WalletsApiUnderTest } from '../fixtures/wallets-api.ts';

/** A flood is twice the route's limit and one more: whichever two windows it spans, one overflows. */
const limitOf = (routeKey: string) => PER_IP_LIMITS[routeKey]?.limit ?? 100;

let api: WalletsApiUnderTest;

beforeAll(async () => {
  api = await startWalletsApi({ deployment: { stage: 'prod', apiOrigin: 'https://api.example' } });
});

afterAll(async () => {
  await api?.close();
});

interface PublicWriteRoute {
  readonly routeKey: string;
  send(event: HttpEvent): Promise<HttpResult>;
  request(sourceIp: string): HttpEvent;
}

function post(path: string, body: unknown, sourceIp: string, pathParameters?: Record<string, string>) {
  return makeHttpEvent({
    method: 'POST',
    path,
    body: JSON.stringify(body),
    sourceIp,
    ...(pathParameters === undefined ? {} : { pathParameters }),
  });
}

const ROUTES: readonly PublicWriteRoute[] = [
  {
    routeKey: 'GET /auth/twitch/authorize',
    send: (event) => api.handler(event),
    request: (ip) => makeHttpEvent({ method: 'GET', path: '/auth/twitch/authorize', sourceIp: ip }),
  },
  {
    routeKey: 'POST /auth/twitch/session',
    send: (event) => api.handler(event),
    request: (ip) => post('/auth/twitch/session', { code: 'not-a-code', state: 'not-a-state' }, ip),
  },
  {
    routeKey: 'POST /wallets/bind',
    send: (event) => api.handler(event),
    request: (ip) => post('/wallets/bind', { wallet: 'x' }, ip),
  },
  {
    routeKey: 'POST /api/generate/claim/{credentialId}',
    send: (event) => claimRouteHandler.on(api.platform)(event),
    request: (ip) => ({
      ...post('/api/generate/claim/cred-flood', {}, ip, { credentialId: 'cred-flood' }),
      routeKey: 'POST /api/generate/claim/{credentialId}',
    }),
  },
  {
    routeKey: 'POST /api/notifications/subscribe',
    send: (event) => subscribeRouteHandler.on(api.platform)(event),
    request: (ip) => post('/api/notifications/subscribe', { userId: 'flooder' }, ip),
  },
  {
    routeKey: 'POST /api/notifications/preferences',
    send: (event) => preferencesRouteHandler.on(api.platform)(event),
    request: (ip) => post('/api/notifications/preferences', { userId: 'flooder' }, ip),
  },
  {
    routeKey: 'POST /graphql',
    send: (event) => graphqlRouteHandler.on(api.platform)(event),
    request: (ip) => post('/graphql', { query: '{ __typename }' }, ip),
  },
];

let octet = 0;
/** A fresh documentation-range address per test, so no test spends another's allowance. */
const nextAddress = () => `192.0.2.${++octet}`;

describe('a flood of one public write route from one address', () => {
  for (const route of ROUTES) {
    it(`a flood from one address on ${route.routeKey} is refused after its limit while another address still passes`, async () => {
      const flooder = nextAddress();
      const first = await route.send(route.request(flooder));
      expect(first.statusCode).not.toBe(429);
      const answers: HttpResult[] = [first];
      const flood = 2 * limitOf(route.routeKey) + 1;
      for (let i = 1; i < flood; i++) answers.push(await route.send(route.request(flooder)));

      const refused = answers.filter((a) => a.statusCode === 429);
      expect(refused.length).toBeGreaterThan(0);
      // The flood spans at most two windows of the route's limit.
      expect(flood - refused.length).toBeLessThanOrEqual(2 * limitOf(route.routeKey));
      const error = (JSON.parse(refused[0]?.body ?? '{}') as { error?: { code?: string; message?: string } })
        .error;
      expect(error?.code).toBe('RATE_LIMITED');
      expect(error?.message).toContain(route.routeKey);
      expect(Number(refused[0]?.headers?.['retry-after'])).toBeGreaterThan(0);

      const bystander = await route.send(route.request(nextAddress()));
      expect(bystander.statusCode).toBe(first.statusCode);
    });
  }
});

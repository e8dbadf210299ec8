import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as overviewRouteHandler } from '../../functions/api/market/analytics-overview/index.ts';
import { handler as rankingsRouteHandler } from '../../functions/api/market/analytics-rankings/index.ts';
import { handler as volumeRouteHandler } from '../../functions/api/market/analytics-volume/index.ts';
import { handler as claimRouteHandler } from '../../functions/api/market/generate-claim/index.ts';
import { handler as claimableRouteHandler } from '../../functions/api/market/generate-claimable/index.ts';
import { handler as statsRouteHandler } from '../../functions/api/market/generate-stats/index.ts';
import { handler as graphqlRouteHandler } from '../../functions/api/market/graphql/index.ts';
import { handler as historyRouteHandler } from '../../functions/api/market/notifications-history/index.ts';
import { handler as preferencesRouteHandler } from '../../functions/api/market/notifications-preferences/index.ts';
import { handler as subscribeRouteHandler } from '../../functions/api/market/notifications-subscribe/index.ts';
import { handler as pricesRouteHandler } from '../../functions/api/market/prices/index.ts';
import { handler as twapRouteHandler } from '../../functions/api/market/twap/index.ts';
import { type MarketDependencies, signInSettings } from '../../functions/market-dependencies.ts';
import { InProcessEventBus } from '../../layers/shared/src/adapters/events/in-process-event-bus.ts';
import { loadMarketConfig } from '../../layers/shared/src/market-config.ts';
import type { Minter } from '../../layers/shared/src/ports/minter.ts';
import type { WorkQueue } from '../../layers/shared/src/ports/work-queue.ts';
import { computeTokenRankings } from '../../layers/shared/src/services/market/analytics.ts';
import { conformingBody } from '../fixtures/api-contract.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { sessionHeaders } from '../fixtures/market-api.ts';
import { routeWithDeps } from '../fixtures/route-with-deps.ts';

const overviewRoute = routeWithDeps(overviewRouteHandler);
const rankingsRoute = routeWithDeps(rankingsRouteHandler);
const volumeRoute = routeWithDeps(volumeRouteHandler);
const claimRoute = routeWithDeps(claimRouteHandler);
const claimableRoute = routeWithDeps(claimableRouteHandler);
const statsRoute = routeWithDeps(statsRouteHandler);
const graphqlRoute = routeWithDeps(graphqlRouteHandler);
const historyRoute = routeWithDeps(historyRouteHandler);
const preferencesRoute = routeWithDeps(preferencesRouteHandler);
const subscribeRoute = routeWithDeps(subscribeRouteHandler);
const pricesRoute = routeWithDeps(pricesRouteHandler);
const twapRoute = routeWithDeps(twapRouteHandler);

const TOKEN = `0x${'ab'.repeat(20)}`;
let t: TestDatabase;
let deps: MarketDependencies;
const mints: string[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  const config = loadMarketConfig({});
  const minter: Minter = {
    mint: async (request) => {
      mints.push(request.claimId);
      return { txHash: '0xfeed', status: 'minted' };
    },
  };
  deps = {
    sql: t.sql,
    chainId: 31337,
    config,
    emission: { baseRatePerSecond: 10n, tierMultiplierBps: {}, defaultMultiplierBps: 10_000 },
    bus: new InProcessEventBus(),
    signInSettings: () => signInSettings(config),
    // Verifications go to the queue's consumer; these tests read the outbox instead.
    notificationQueue: () => ({ send: async () => ({ messageId: 'not-sent' }) }) as unknown as WorkQueue,
    air: async () => {
      throw new Error('not used');
    },
    minter: async () => minter,
    now: () => 1_750_000_000,
  };
});
afterAll(() => t.close());

function event(options: {
  path?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'test',
    rawPath: '/',
    rawQueryString: '',
    headers: options.headers ?? {},
    isBase64Encoded: false,
    requestContext: { requestId: 'r1', http: { method: 'GET', path: '/', sourceIp: '127.0.0.1' } },
    ...(options.path === undefined ? {} : { pathParameters: options.path }),
    ...(options.query === undefined ? {} : { queryStringParameters: options.query }),
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  } as unknown as APIGatewayProxyEventV2;
}

const errorOf = (body: string) => (JSON.parse(body) as { error: { code: string; message: string } }).error;

describe('market routes', () => {
  it('rejects a token that is not an address with 400 naming the field', async () => {
    const response = await pricesRoute.handle(event({ path: { tokenAddress: 'abc' } }), deps);
    expect(response.statusCode).toBe(400);
    expect(errorOf(response.body).message).toMatch(/^tokenAddress: /);
  });

  it('rejects a TWAP window it cannot read with 400 naming the window', async () => {
    const response = await twapRoute.handle(
      event({ path: { tokenAddress: TOKEN, window: '3 weeks' } }),
      deps,
    );
    expect(response.statusCode).toBe(400);
    expect(errorOf(response.body).message).toMatch(/^window: /);
  });

  it('answers 404 for a token no pool lists', async () => {
    const response = await pricesRoute.handle(event({ path: { tokenAddress: TOKEN } }), deps);
    expect(response.statusCode).toBe(404);
  });

  it('rejects an unknown ranking kind with 400 naming the parameter', async () => {
    const response = await rankingsRoute.handle(event({ query: { kind: 'best' } }), deps);
    expect(response.statusCode).toBe(400);
    expect(errorOf(response.body).message).toMatch(/^kind: /);
  });

  it('rejects a price alert without a threshold and writes nothing', async () => {
    const response = await subscribeRoute.handle(
      event({
        headers: await sessionHeaders(t.sql, Wallet.createRandom(), deps.now()),
        body: { trigger: 'price_alert', params: { token: TOKEN }, email: 'u1@example.test' },
      }),
      deps,
    );
    expect(response.statusCode).toBe(400);
    expect(errorOf(response.body).message).toMatch(/^params\.above: /);
    const rows = await t.sql`select 1 from market.notification_subscriptions`;
    expect(rows).toHaveLength(0);
  });

  it('subscribes once however often the same subscription is sent', async () => {
    const headers = await sessionHeaders(t.sql, Wallet.createRandom(), deps.now());
    const body = { trigger: 'token_minted', email: 'u2@example.test' };
    const first = await subscribeRoute.handle(event({ body, headers }), deps);
    const second = await subscribeRoute.handle(event({ body, headers }), deps);
    expect([first.statusCode, second.statusCode]).toEqual([201, 200]);
    expect(JSON.parse(first.body).subscriptionId).toBe(JSON.parse(second.body).subscriptionId);
  });

  it('rejects quiet hours outside the day with 400 naming the field', async () => {
    const response = await preferencesRoute.handle(
      event({
        headers: await sessionHeaders(t.sql, Wallet.createRandom(), deps.now()),
        body: { channels: ['email'], quietHours: { startMinute: 1500, endMinute: 60 } },
      }),
      deps,
    );
    expect(response.statusCode).toBe(400);
    expect(errorOf(response.body).message).toMatch(/^quietHours\.startMinute: /);
  });

  it('claims with an idempotency key once: the repeat answers 200 with the same claim', async () => {
    const holder = Wallet.createRandom();
    await t.sql`insert into market.claimable_balances (credential_id, holder, accrued, claimed, accrued_until)
                values ('cred-1', ${holder.address.toLowerCase()}, ${(2n * 10n ** 18n).toString()}, 0, 1)`;
    const session = await sessionHeaders(t.sql, holder, deps.now());
    const request = event({
      path: { credentialId: 'cred-1' },
      headers: { 'Idempotency-Key': 'k-1', ...session },
    });
    const first = await claimRoute.handle(request, deps);
    const again = await claimRoute.handle(request, deps);
    expect([first.statusCode, again.statusCode]).toEqual([201, 200]);
    expect(JSON.parse(first.body)).toMatchObject({ amount: '2000000000000000000', status: 'minted' });
    expect(JSON.parse(again.body).claimId).toBe(JSON.parse(first.body).claimId);
    expect(mints).toHaveLength(1);
  });

  it('answers a too-deep GraphQL query with 400 and the reason', async () => {
    const response = await graphqlRoute.handle(
      event({
        body: { query: '{ tokens { pools { baseToken { pools { baseToken { pools { address } } } } } } }' },
      }),
      deps,
    );
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).errors[0].message).toBe('query depth 7 exceeds the limit of 6');
  });

  it('lists the signed-in user notification history, empty for a new user', async () => {
    const user = Wallet.createRandom();
    const response = await historyRoute.handle(
      event({
        path: { userId: user.address },
        headers: await sessionHeaders(t.sql, user, deps.now()),
      }),
      deps,
    );
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ userId: user.address.toLowerCase(), notifications: [] });
  });
});

describe('the market answers', () => {
  const NOW = 1_750_000_000;
  const POOL = `0x${'cd'.repeat(20)}`;
  const QUOTE = `0x${'ef'.repeat(20)}`;

  beforeAll(async () => {
    await t.sql`insert into market.pools (chain_id, address, token0, token1, base_token, quote_token, created_block, created_tx)
                values (31337, ${POOL}, ${TOKEN}, ${QUOTE}, ${TOKEN}, ${QUOTE}, 1, '0x01')`;
    for (const block of [10, 11])
      await t.sql`insert into market.price_feeds (chain_id, pool_address, block_number, block_timestamp, reserve0, reserve1,
                    price0, price1, price0_cumulative, price1_cumulative, cumulative_timestamp)
                  values (31337, ${POOL}, ${block}, ${NOW - 100 + block}, 1000, 2500, 2.5, 0.4, 0, 0, ${NOW})`;
    await t.sql`insert into market.volume_metrics (chain_id, pool_address, bucket_start, base_token, base_volume, quote_volume, trades)
                values (31337, ${POOL}, ${NOW - 3600 - (NOW % 3600)}, ${TOKEN}, 10, 25, 2)`;
    await computeTokenRankings(t.sql, 31337, NOW);
    await t.sql`insert into market.generation_jobs (status, as_of, finished_at) values ('succeeded', ${NOW}, now())`;
  });

  it('have the shapes their route contracts (and so the API document) describe', async () => {
    const check = async (key: string, route: { handle: typeof pricesRoute.handle }, request = event({})) => {
      const response = await route.handle(request, deps);
      expect(response.statusCode, `${key}: ${response.body}`).toBeLessThan(300);
      return conformingBody(key, response);
    };
    expect(
      await check(
        'GET /api/prices/{tokenAddress}',
        pricesRoute,
        event({ path: { tokenAddress: TOKEN }, query: { history: '2' } }),
      ),
    ).toMatchObject({ price: expect.any(String), history: [{ blockNumber: 11 }, { blockNumber: 10 }] });
    await check('GET /api/analytics/overview', overviewRoute);
    await check('GET /api/analytics/tokens/rankings', rankingsRoute);
    await check(
      'GET /api/analytics/tokens/rankings',
      rankingsRoute,
      event({ query: { kind: 'credentials_by_tokens_generated' } }),
    );
    await check(
      'GET /api/analytics/volume/{tokenAddress}',
      volumeRoute,
      event({ path: { tokenAddress: TOKEN } }),
    );
    await check('GET /api/generate/claimable/{address}', claimableRoute, event({ path: { address: TOKEN } }));
    expect(await check('GET /api/generate/stats', statsRoute)).toMatchObject({
      jobs: 1,
      lastJobAt: expect.stringMatching(/^\d{4}-.*Z$/),
    });
    const user = Wallet.createRandom();
    const headers = await sessionHeaders(t.sql, user, deps.now());
    await check(
      'GET /api/notifications/history/{userId}',
      historyRoute,
      event({ path: { userId: user.address }, headers }),
    );
    await check(
      'POST /api/notifications/preferences',
      preferencesRoute,
      event({ body: { channels: ['email', 'email', 'sms'] }, headers }),
    );
    await check(
      'POST /api/notifications/subscribe',
      subscribeRoute,
      event({ body: { trigger: 'price_alert', params: { token: TOKEN, above: '3' } }, headers }),
    );
    await check('POST /graphql', graphqlRoute, event({ body: { query: '{ tokens { address } }' } }));
    const refused = await graphqlRoute.handle(event({ body: { query: '{ nope' } }), deps);
    expect(refused.statusCode).toBe(400);
    conformingBody('POST /graphql', refused);
  });

  it('refuses an Idempotency-Key longer than its contract allows, naming the header', async () => {
    const session = await sessionHeaders(t.sql, Wallet.createRandom(), deps.now());
    const response = await claimRoute.handle(
      event({
        path: { credentialId: 'cred-1' },
        headers: { 'Idempotency-Key': 'k'.repeat(201), ...session },
      }),
      deps,
    );
    expect(response.statusCode).toBe(400);
    expect(errorOf(response.body).message).toMatch(/^idempotency-key: /);
  });
});

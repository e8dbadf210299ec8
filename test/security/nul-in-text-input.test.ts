/**
 * Found by the route fuzz (fuzz-routes.test.ts): PostgreSQL text cannot hold the NUL character,
 * so a credential id or idempotency key carrying one reached the database and the route answered
 * 500. Input with NUL in any string is refused as input, naming the field.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as claimRouteHandler } from '../../functions/api/market/generate-claim/index.ts';
import { type MarketDependencies, signInSettings } from '../../functions/market-dependencies.ts';
import { InProcessEventBus } from '../../layers/shared/src/adapters/events/in-process-event-bus.ts';
import { loadMarketConfig } from '../../layers/shared/src/market-config.ts';
import type { WorkQueue } from '../../layers/shared/src/ports/work-queue.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { makeHttpEvent } from '../fixtures/http-event.ts';
import { sessionHeaders } from '../fixtures/market-api.ts';
import { routeWithDeps } from '../fixtures/route-with-deps.ts';

const claimRoute = routeWithDeps(claimRouteHandler);

let t: TestDatabase;
let deps: MarketDependencies;
let holder: Record<string, string>;
const NOW = 1_750_000_000;

beforeAll(async () => {
  t = await createTestDatabase();
  const config = loadMarketConfig({});
  deps = {
    sql: t.sql,
    chainId: 31337,
    config,
    emission: { baseRatePerSecond: 10n, tierMultiplierBps: {}, defaultMultiplierBps: 10_000 },
    bus: new InProcessEventBus(),
    signInSettings: () => signInSettings(config),
    notificationQueue: () => ({ send: async () => ({ messageId: 'not-sent' }) }) as unknown as WorkQueue,
    air: async () => {
      throw new Error('not reached: the request is refused first');
    },
    // The mint port: never asked, as no credential here accrued anything.
    minter: async () => ({
      mint: async () => {
        throw new Error('not reached: nothing accrued');
      },
    }),
    now: () => NOW,
  };
  // The claim route acts for a signed-in market user: the refusal asked for is of the input.
  holder = await sessionHeaders(t.sql, Wallet.createRandom(), NOW);
});
afterAll(() => t.close());

const claim = (credentialId: string, headers: Record<string, string> = {}): APIGatewayProxyEventV2 =>
  makeHttpEvent({
    method: 'POST',
    path: `/api/generate/claim/${encodeURIComponent(credentialId)}`,
    pathParameters: { credentialId: encodeURIComponent(credentialId) },
    headers: { ...holder, ...headers },
    body: '{}',
  });

const errorOf = (body: string) => (JSON.parse(body) as { error: { message: string } }).error;

describe('NUL characters in text input', () => {
  it('a claim for credential "\\u0000" answers 400 naming credentialId, not a 500 from the database', async () => {
    const result = await claimRoute.handle(claim('\u0000'), deps);
    expect(result.statusCode).toBe(400);
    expect(errorOf(result.body).message).toMatch(/^credentialId: /);
  });

  it('an idempotency key with a NUL is refused as input, naming the header, before it can reach the database', async () => {
    const result = await claimRoute.handle(claim('cred-1', { 'idempotency-key': 'key\u0000' }), deps);
    expect(result.statusCode).toBe(400);
    expect(errorOf(result.body).message).toMatch(/^idempotency-key: /);
  });
});

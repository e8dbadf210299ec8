import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as trendsRouteHandler } from '../../../functions/api/market/analytics-trends/index.ts';
import { handler as graphqlRouteHandler } from '../../../functions/api/market/graphql/index.ts';
import { type MarketDependencies, signInSettings } from '../../../functions/market-dependencies.ts';
import { InProcessEventBus } from '../../../layers/shared/src/adapters/events/in-process-event-bus.ts';
import { HOUR, hourBucket } from '../../../layers/shared/src/core/market/volume.ts';
import { loadMarketConfig } from '../../../layers/shared/src/market-config.ts';
import { type DynamoService, startDynamo } from '../../../local/services.ts';
import { conformingBody } from '../../fixtures/api-contract.ts';
import { createTestDatabase, type TestDatabase } from '../../fixtures/db.ts';
import { routeWithDeps } from '../../fixtures/route-with-deps.ts';

const trendsRoute = routeWithDeps(trendsRouteHandler);
const graphqlRoute = routeWithDeps(graphqlRouteHandler);

const CHAIN = 31337;
/** Chain time of the newest block: 50 minutes into an hour. */
const NOW = 1_750_003_000;
const BUCKET = hourBucket(NOW);
const DAY = 24 * HOUR;
const QUOTE = `0x${'ff'.repeat(20)}`;
const [A, B, C] = ['0x' + 'a1'.repeat(20), '0x' + 'b2'.repeat(20), '0x' + 'c3'.repeat(20)];
const [POOL_A, POOL_A_SMALL, POOL_B, POOL_C] = [
  '0x' + '0a'.repeat(20),
  '0x' + '1a'.repeat(20),
  '0x' + '0b'.repeat(20),
  '0x' + '0c'.repeat(20),
];

let t: TestDatabase;
let dynamo: DynamoService | undefined;
let deps: MarketDependencies;

/** One feed: the pool's reserves at `secondsAgo`, given as the token's side and the quote side. */
async function feed(pool: string, tokenIs0: boolean, secondsAgo: number, base: number, quote: number) {
  const [reserve0, reserve1] = tokenIs0 ? [base, quote] : [quote, base];
  await t.sql`insert into market.price_feeds (chain_id, pool_address, block_number, block_timestamp, reserve0, reserve1,
      price0, price1, price0_cumulative, price1_cumulative, cumulative_timestamp)
    values (${CHAIN}, ${pool}, ${NOW - secondsAgo}, ${NOW - secondsAgo}, ${reserve0}, ${reserve1},
      ${reserve1 / reserve0}, ${reserve0 / reserve1}, 0, 0, ${NOW - secondsAgo})`;
}

async function volume(pool: string, token: string, bucketsAgo: number, quote: number) {
  await t.sql`insert into market.volume_metrics (chain_id, pool_address, bucket_start, base_token, base_volume, quote_volume, trades)
    values (${CHAIN}, ${pool}, ${BUCKET - bucketsAgo * HOUR}, ${token}, ${quote * 10}, ${quote}, 1)`;
}

/**
 * Seeded history. A: 0.10 eight days ago, 0.12 just over a day ago, 0.15 two hours ago, 0.18
 * now (+20 % in 1 h, +50 % in 24 h, +80 % in 7 d), and a smaller second pool at 5.0 that must not
 * price it. B (token1 of its pool): 0.20, 0.20, 0.15, 0.10. C: listed two hours ago, 0.010 then 0.011.
 */
beforeAll(async () => {
  t = await createTestDatabase();
  // POST /graphql counts each caller address against its per-IP limit, in DynamoDB as deployed.
  dynamo = await startDynamo();
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    RATE_LIMIT_TABLE: dynamo.tables.rateLimits,
  });
  await t.sql`insert into market.chain_blocks (chain_id, number, hash, timestamp) values (${CHAIN}, ${NOW}, '0x01', ${NOW})`;
  for (const [address, symbol] of [
    [QUOTE, 'mUSD'],
    [A, 'AAA'],
    [B, 'BBB'],
    [C, 'CCC'],
  ] as const) {
    await t.sql`insert into market.tokens (chain_id, address, symbol, name, decimals, first_seen_block)
      values (${CHAIN}, ${address}, ${symbol}, ${symbol}, 18, 1)`;
  }
  for (const [pool, token0, token1, base] of [
    [POOL_A, A, QUOTE, A],
    [POOL_A_SMALL, A, QUOTE, A],
    [POOL_B, QUOTE, B, B],
    [POOL_C, C, QUOTE, C],
  ] as const) {
    await t.sql`insert into market.pools (chain_id, address, token0, token1, base_token, quote_token, created_block, created_tx)
      values (${CHAIN}, ${pool}, ${token0}, ${token1}, ${base}, ${QUOTE}, 1, '0x01')`;
  }
  for (const [ago, quote] of [
    [8 * DAY, 100],
    [2 * DAY, 110],
    [25 * HOUR, 120],
    [2 * HOUR, 150],
    [600, 180],
  ] as const)
    await feed(POOL_A, true, ago, 1000, quote);
  await feed(POOL_A_SMALL, true, 300, 10, 50);
  for (const [ago, quote] of [
    [8 * DAY, 200],
    [30 * HOUR, 200],
    [3 * HOUR, 150],
    [300, 100],
  ] as const)
    await feed(POOL_B, false, ago, 1000, quote);
  await feed(POOL_C, true, 2 * HOUR, 1000, 10);
  await feed(POOL_C, true, 60, 1000, 11);
  // A: 500 in the last 24 h against 250 before; 1,000 in 7 d against 2,000 the week before. B: new.
  await volume(POOL_A, A, 0, 300);
  await volume(POOL_A, A, 10, 200);
  await volume(POOL_A, A, 30, 250);
  await volume(POOL_A, A, 100, 250);
  await volume(POOL_A, A, 200, 2000);
  await volume(POOL_B, B, 1, 100);
  const config = loadMarketConfig({});
  deps = {
    sql: t.sql,
    chainId: CHAIN,
    config,
    emission: { baseRatePerSecond: 1n, tierMultiplierBps: {}, defaultMultiplierBps: 10_000 },
    bus: new InProcessEventBus(),
    signInSettings: () => signInSettings(config),
    notificationQueue: () => {
      throw new Error('not used');
    },
    air: async () => {
      throw new Error('not used');
    },
    minter: async () => {
      throw new Error('not used');
    },
    now: () => NOW + 999_999,
  };
});
afterAll(async () => {
  await dynamo?.stop();
  await t?.close();
});

function get(query: Record<string, string> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'GET /api/analytics/trends',
    rawPath: '/api/analytics/trends',
    rawQueryString: new URLSearchParams(query).toString(),
    headers: {},
    isBase64Encoded: false,
    requestContext: {
      requestId: 'r1',
      http: { method: 'GET', path: '/api/analytics/trends', sourceIp: '127.0.0.1' },
    },
    queryStringParameters: query,
  } as unknown as APIGatewayProxyEventV2;
}

interface Trend {
  token: string;
  symbol: string;
  pool: string;
  price: string;
  change1h: { changePercent: number; fromPrice: string; fromTimestamp: number } | null;
  change24h: { changePercent: number; fromPrice: string } | null;
  change7d: { changePercent: number } | null;
  volume24h: { currentQuote: string; previousQuote: string; changePercent: number | null; direction: string };
  volume7d: { changePercent: number | null; direction: string };
}
interface Trends {
  asOf: number;
  market: { volume24h: Trend['volume24h']; volume7d: Trend['volume7d'] };
  tokens: Trend[];
  gainers: Trend[];
  losers: Trend[];
}

describe('GET /api/analytics/trends', () => {
  it('measures each price change from the last price at or before 1 h, 24 h and 7 d ago, in chain time', async () => {
    const response = await trendsRoute.handle(get(), deps);
    expect(response.statusCode).toBe(200);
    const trends = conformingBody('GET /api/analytics/trends', response) as Trends;
    expect(trends.asOf).toBe(NOW);
    const [a, b, c] = ['AAA', 'BBB', 'CCC'].map((symbol) => trends.tokens.find((x) => x.symbol === symbol)!);
    expect(a).toMatchObject({ pool: POOL_A, price: '0.18' });
    expect(a?.change1h).toEqual({ changePercent: 20, fromPrice: '0.15', fromTimestamp: NOW - 2 * HOUR });
    expect(a?.change24h).toMatchObject({ changePercent: 50, fromPrice: '0.12' });
    expect(a?.change7d?.changePercent).toBe(80);
    expect([b?.change1h?.changePercent, b?.change24h?.changePercent, b?.change7d?.changePercent]).toEqual([
      -33.33, -50, -50,
    ]);
    expect(b?.price).toBe('0.1');
    // Listed two hours ago: no history reaches back a day.
    expect(c?.change1h?.changePercent).toBe(10);
    expect([c?.change24h, c?.change7d]).toEqual([null, null]);
  });

  it('compares volume with the window before, per token and for the market, and lists tokens by 24 h volume', async () => {
    const trends = JSON.parse((await trendsRoute.handle(get(), deps)).body) as Trends;
    expect(trends.tokens.map((x) => x.symbol)).toEqual(['AAA', 'BBB', 'CCC']);
    const [a, b, c] = trends.tokens;
    expect(a?.volume24h).toEqual({
      currentQuote: '500',
      previousQuote: '250',
      changePercent: 100,
      direction: 'up',
    });
    expect(a?.volume7d).toMatchObject({ changePercent: -50, direction: 'down' });
    expect(b?.volume24h).toMatchObject({ currentQuote: '100', changePercent: null, direction: 'new' });
    expect(c?.volume24h.direction).toBe('none');
    expect(trends.market.volume24h).toEqual({
      currentQuote: '600',
      previousQuote: '250',
      changePercent: 140,
      direction: 'up',
    });
    expect(trends.market.volume7d).toMatchObject({ changePercent: -45, direction: 'down' });
  });

  it('names the top movers over 24 h: risers first by rise, fallers by fall', async () => {
    const trends = JSON.parse(
      (await trendsRoute.handle(get({ limit: '1', movers: '1' }), deps)).body,
    ) as Trends;
    expect(trends.tokens.map((x) => x.symbol)).toEqual(['AAA']);
    expect(trends.gainers.map((x) => x.symbol)).toEqual(['AAA']);
    expect(trends.losers.map((x) => x.symbol)).toEqual(['BBB']);
  });

  it('answers 400 naming a bad limit or an unknown parameter', async () => {
    const bad = await trendsRoute.handle(get({ movers: '50' }), deps);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('movers must be between 1 and 20');
    expect((await trendsRoute.handle(get({ window: '1h' }), deps)).statusCode).toBe(400);
  });
});

describe('trends in GraphQL', () => {
  const post = async (query: string) => {
    const response = await graphqlRoute.handle(
      {
        ...get(),
        routeKey: 'POST /graphql',
        body: JSON.stringify({ query }),
      } as unknown as APIGatewayProxyEventV2,
      deps,
    );
    if (response.statusCode >= 500)
      throw new Error(`POST /graphql answered ${response.statusCode}: ${response.body}`);
    return JSON.parse(response.body) as {
      data?: { trends: Record<string, unknown> };
      errors?: { message: string }[];
    };
  };

  it('answers the same trends with the token behind each', async () => {
    const result = await post(`{
      trends {
        asOf
        volume24h { changePercent direction }
        tokens(limit: 2) { address change1h { changePercent } change24h { changePercent fromPrice } token { symbol decimals } }
        gainers { address change24h { changePercent } }
        losers(limit: 1) { token { symbol } }
      }
    }`);
    expect(result.errors).toBeUndefined();
    expect(result.data?.trends).toEqual({
      asOf: NOW,
      volume24h: { changePercent: 140, direction: 'up' },
      tokens: [
        {
          address: A,
          change1h: { changePercent: 20 },
          change24h: { changePercent: 50, fromPrice: '0.12' },
          token: { symbol: 'AAA', decimals: 18 },
        },
        {
          address: B,
          change1h: { changePercent: -33.33 },
          change24h: { changePercent: -50, fromPrice: '0.2' },
          token: { symbol: 'BBB', decimals: 18 },
        },
      ],
      gainers: [{ address: A, change24h: { changePercent: 50 } }],
      losers: [{ token: { symbol: 'BBB' } }],
    });
  });

  it('refuses a trends query past the cost limit before running it', async () => {
    const result = await post(
      '{ trends { tokens(limit: 100) { token { pools { baseToken { pools { address } } } } } } }',
    );
    expect(result.errors?.[0]?.message).toMatch(/exceeds the limit/);
    expect(result.data).toBeUndefined();
  });
});

import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeTokenRankings } from '../../../layers/shared/src/services/market/analytics.ts';
import { executeMarketQuery } from '../../../layers/shared/src/services/market/graphql/market-schema.ts';
import { createTestDatabase, type TestDatabase } from '../../fixtures/db.ts';

const CHAIN = 31337;
const NOW = 1_700_003_600;
const QUOTE = `0x${'ff'.repeat(20)}`;
const tokenAddress = (i: number) => `0x${i.toString(16).padStart(40, '0')}`;
const poolAddress = (i: number) => `0x${(1000 + i).toString(16).padStart(40, 'a')}`;

let t: TestDatabase;
let counted: postgres.Sql;
let statements = 0;

/** Thirty tokens, each with a pool against the quote token, a price and volume growing with its index. */
async function seedMarket(sql: postgres.Sql): Promise<void> {
  await sql`insert into market.tokens (chain_id, address, symbol, name, decimals, first_seen_block)
            values (${CHAIN}, ${QUOTE}, 'mUSD', 'Market USD', 18, 1)`;
  for (let i = 1; i <= 30; i++) {
    await sql`insert into market.tokens (chain_id, address, symbol, name, decimals, first_seen_block)
              values (${CHAIN}, ${tokenAddress(i)}, ${`T${i}`}, ${`Token ${i}`}, 18, 1)`;
    await sql`insert into market.pools (chain_id, address, token0, token1, base_token, quote_token, created_block, created_tx)
              values (${CHAIN}, ${poolAddress(i)}, ${tokenAddress(i)}, ${QUOTE}, ${tokenAddress(i)}, ${QUOTE}, 1, '0x01')`;
    await sql`insert into market.price_feeds (chain_id, pool_address, block_number, block_timestamp, reserve0, reserve1,
                price0, price1, price0_cumulative, price1_cumulative, cumulative_timestamp)
              values (${CHAIN}, ${poolAddress(i)}, 10, ${NOW}, 1000, ${1000 * i}, ${i}, ${1 / i}, 0, 0, ${NOW})`;
    await sql`insert into market.volume_metrics (chain_id, pool_address, bucket_start, base_token, base_volume, quote_volume, trades)
              values (${CHAIN}, ${poolAddress(i)}, ${NOW - 3600}, ${tokenAddress(i)}, ${i * 10}, ${i * 100}, ${i})`;
  }
  await computeTokenRankings(sql, CHAIN, NOW);
}

beforeAll(async () => {
  t = await createTestDatabase();
  await seedMarket(t.sql);
  counted = postgres(t.url, {
    max: 2,
    types: { bigint: postgres.BigInt },
    onnotice: () => {},
    debug: () => {
      statements++;
    },
  });
});

afterAll(async () => {
  await counted.end();
  await t.close();
});

const rankingsQuery = `query Top($limit: Int) {
  rankings(limit: $limit) {
    rank score
    token { symbol price { price } volume24h { quoteVolume trades } pools { address quoteToken { symbol } } }
  }
}`;

async function countStatements(limit: number) {
  statements = 0;
  const result = await executeMarketQuery(counted, CHAIN, { query: rankingsQuery, variables: { limit } });
  return { result, statements };
}

describe('POST /graphql', () => {
  it('answers a rankings query with the top tokens, their price and volume', async () => {
    const { result } = await countStatements(3);
    expect(result.errors).toBeUndefined();
    const rankings = (
      result.data as { rankings: { rank: number; token: { symbol: string; price: { price: string } } }[] }
    ).rankings;
    expect(rankings.map((row) => row.token.symbol)).toEqual(['T30', 'T29', 'T28']);
    expect(rankings[0]?.token.price.price).toBe('30');
  });

  it('runs the same bounded number of SQL statements for 5 ranked tokens as for 30', async () => {
    const few = await countStatements(5);
    const many = await countStatements(30);
    expect(few.result.errors).toBeUndefined();
    expect(many.result.errors).toBeUndefined();
    expect((many.result.data as { rankings: unknown[] }).rankings).toHaveLength(30);
    // rankings, chain time, tokens, then prices + volumes + pools in one wave, then quote tokens.
    expect(many.statements).toBe(few.statements);
    expect(many.statements).toBeLessThanOrEqual(7);
  });

  it('refuses a query nested deeper than the limit with an error saying so', async () => {
    const result = await executeMarketQuery(counted, CHAIN, {
      query: '{ tokens { pools { baseToken { pools { baseToken { pools { address } } } } } } }',
    });
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.message).toBe('query depth 7 exceeds the limit of 6');
    expect(result.errors?.[0]?.extensions?.['code']).toBe('QUERY_TOO_DEEP');
  });

  it('refuses a query whose fan-out costs more than the limit before running any SQL', async () => {
    statements = 0;
    const result = await executeMarketQuery(counted, CHAIN, {
      query:
        '{ tokens(limit: 100) { pools { baseToken { pools { quoteToken { symbol name decimals } } } } } }',
    });
    expect(result.errors?.[0]?.message).toBe('query cost 11101 exceeds the limit of 5000');
    expect(result.errors?.[0]?.extensions?.['code']).toBe('QUERY_TOO_COSTLY');
    expect(statements).toBe(0);
  });
});

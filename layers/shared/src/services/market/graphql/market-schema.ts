/**
 * `POST /graphql`: the market data as a graph (tokens, their price, 24 h volume and pools,
 * rankings, overview). Resolvers read through the per-request loaders; the query is checked
 * against the depth and cost limits before it runs.
 */
import {
  type ExecutionResult,
  execute,
  GraphQLError,
  GraphQLFloat,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import { tokensBySymbol } from '../../../adapters/db/market/pool-store.ts';
import type { Sql } from '../../../ports/sql.ts';
import { chainNow, getRankings, marketOverview, RANKING_KINDS, type RankingKind } from '../analytics.ts';
import { type MarketTrends, marketTrends, type TokenTrend } from '../trends.ts';
import {
  createMarketLoaders,
  type MarketLoaders,
  type PoolRecord,
  type TokenRecord,
} from './market-loaders.ts';
import { checkQueryLimits, DEFAULT_QUERY_LIMITS, type QueryLimits } from './query-limits.ts';

export interface GraphqlContext {
  readonly sql: Sql;
  readonly chainId: number;
  readonly now: number;
  readonly loaders: MarketLoaders;
}

const MAX_LIST = 100;
const clampLimit = (limit: unknown, fallback: number) =>
  Math.min(MAX_LIST, Math.max(1, typeof limit === 'number' ? limit : fallback));

const priceType = new GraphQLObjectType({
  name: 'Price',
  fields: {
    price: { type: new GraphQLNonNull(GraphQLString), description: 'Whole quote tokens per whole token' },
    pool: { type: new GraphQLNonNull(GraphQLString) },
    blockNumber: { type: new GraphQLNonNull(GraphQLInt) },
    timestamp: { type: new GraphQLNonNull(GraphQLInt) },
  },
});

const volumeType = new GraphQLObjectType({
  name: 'Volume',
  fields: {
    baseVolume: { type: new GraphQLNonNull(GraphQLString) },
    quoteVolume: { type: new GraphQLNonNull(GraphQLString) },
    trades: { type: new GraphQLNonNull(GraphQLInt) },
  },
});

// Token and Pool refer to each other: fields as thunks.
const tokenType: GraphQLObjectType<TokenRecord, GraphqlContext> = new GraphQLObjectType<
  TokenRecord,
  GraphqlContext
>({
  name: 'Token',
  fields: () => ({
    address: { type: new GraphQLNonNull(GraphQLString) },
    symbol: { type: GraphQLString },
    name: { type: GraphQLString },
    decimals: { type: new GraphQLNonNull(GraphQLInt) },
    price: { type: priceType, resolve: (token, _args, ctx) => ctx.loaders.price.load(token.address) },
    volume24h: {
      type: new GraphQLNonNull(volumeType),
      resolve: (token, _args, ctx) => ctx.loaders.volume24h.load(token.address),
    },
    pools: {
      type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(poolType))),
      resolve: (token, _args, ctx) => ctx.loaders.pools.load(token.address),
    },
  }),
});

const poolType: GraphQLObjectType<PoolRecord, GraphqlContext> = new GraphQLObjectType<
  PoolRecord,
  GraphqlContext
>({
  name: 'Pool',
  fields: () => ({
    address: { type: new GraphQLNonNull(GraphQLString) },
    baseToken: { type: tokenType, resolve: (pool, _args, ctx) => ctx.loaders.token.load(pool.baseToken) },
    quoteToken: { type: tokenType, resolve: (pool, _args, ctx) => ctx.loaders.token.load(pool.quoteToken) },
  }),
});

const rankingType = new GraphQLObjectType<
  { rank: number; subject: string; score: string; kind: RankingKind },
  GraphqlContext
>({
  name: 'Ranking',
  fields: {
    rank: { type: new GraphQLNonNull(GraphQLInt) },
    subject: { type: new GraphQLNonNull(GraphQLString) },
    score: { type: new GraphQLNonNull(GraphQLString) },
    token: {
      type: tokenType,
      resolve: (row, _args, ctx) =>
        row.kind === 'tokens_by_volume_24h' ? ctx.loaders.token.load(row.subject) : null,
    },
  },
});

const overviewType = new GraphQLObjectType({
  name: 'Overview',
  fields: {
    asOf: { type: new GraphQLNonNull(GraphQLInt) },
    tokens: { type: new GraphQLNonNull(GraphQLInt) },
    pools: { type: new GraphQLNonNull(GraphQLInt) },
    volume24hQuote: { type: new GraphQLNonNull(GraphQLString) },
    trades24h: { type: new GraphQLNonNull(GraphQLInt) },
    tvlQuote: { type: new GraphQLNonNull(GraphQLString) },
  },
});

const volumeTrendType = new GraphQLObjectType({
  name: 'VolumeTrend',
  fields: {
    currentQuote: { type: new GraphQLNonNull(GraphQLString), description: 'Quote volume in the window' },
    previousQuote: {
      type: new GraphQLNonNull(GraphQLString),
      description: 'Quote volume in the window before',
    },
    changePercent: { type: GraphQLFloat, description: 'Null when there was no volume before' },
    direction: { type: new GraphQLNonNull(GraphQLString), description: 'up, down, flat, new or none' },
  },
});

const priceChangeType = new GraphQLObjectType({
  name: 'PriceChange',
  fields: {
    changePercent: { type: new GraphQLNonNull(GraphQLFloat) },
    fromPrice: { type: new GraphQLNonNull(GraphQLString) },
    fromTimestamp: { type: new GraphQLNonNull(GraphQLInt) },
  },
});

const tokenTrendType = new GraphQLObjectType<TokenTrend, GraphqlContext>({
  name: 'TokenTrend',
  fields: () => ({
    token: { type: tokenType, resolve: (trend, _args, ctx) => ctx.loaders.token.load(trend.token) },
    address: { type: new GraphQLNonNull(GraphQLString), resolve: (trend) => trend.token },
    symbol: { type: GraphQLString },
    pool: { type: new GraphQLNonNull(GraphQLString) },
    price: { type: new GraphQLNonNull(GraphQLString) },
    timestamp: { type: new GraphQLNonNull(GraphQLInt) },
    change1h: { type: priceChangeType },
    change24h: { type: priceChangeType },
    change7d: { type: priceChangeType },
    volume24h: { type: new GraphQLNonNull(volumeTrendType) },
    volume7d: { type: new GraphQLNonNull(volumeTrendType) },
  }),
});

const trendList = (
  description: string,
  pick: (trends: MarketTrends) => readonly TokenTrend[],
  fallback: number,
) => ({
  type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(tokenTrendType))),
  description,
  args: { limit: { type: GraphQLInt } },
  resolve: (trends: MarketTrends, args: { limit?: number }) =>
    pick(trends).slice(0, clampLimit(args.limit, fallback)),
});

const trendsType = new GraphQLObjectType<MarketTrends, GraphqlContext>({
  name: 'Trends',
  fields: {
    asOf: { type: new GraphQLNonNull(GraphQLInt) },
    volume24h: { type: new GraphQLNonNull(volumeTrendType), resolve: (trends) => trends.market.volume24h },
    volume7d: { type: new GraphQLNonNull(volumeTrendType), resolve: (trends) => trends.market.volume7d },
    tokens: trendList('By 24 h volume, highest first', (trends) => trends.tokens, 20),
    gainers: trendList('Highest 24 h price rise first', (trends) => trends.gainers, 5),
    losers: trendList('Steepest 24 h price fall first', (trends) => trends.losers, 5),
  },
});

export const marketSchema = new GraphQLSchema({
  query: new GraphQLObjectType<unknown, GraphqlContext>({
    name: 'Query',
    fields: {
      token: {
        type: tokenType,
        args: { address: { type: new GraphQLNonNull(GraphQLString) } },
        resolve: (_root, args: { address: string }, ctx) =>
          ctx.loaders.token.load(args.address.toLowerCase()),
      },
      tokens: {
        type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(tokenType))),
        args: { limit: { type: GraphQLInt } },
        resolve: async (_root, args: { limit?: number }, ctx) => {
          const rows = await tokensBySymbol(ctx.sql, ctx.chainId, clampLimit(args.limit, 20));
          for (const row of rows) ctx.loaders.token.prime(row.address, row);
          return rows;
        },
      },
      rankings: {
        type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(rankingType))),
        args: { kind: { type: GraphQLString }, limit: { type: GraphQLInt } },
        resolve: async (_root, args: { kind?: string; limit?: number }, ctx) => {
          const kind = (args.kind ?? 'tokens_by_volume_24h') as RankingKind;
          if (!RANKING_KINDS.includes(kind)) {
            throw new GraphQLError(`kind: expected one of ${RANKING_KINDS.join(', ')}`, {
              extensions: { code: 'BAD_USER_INPUT' },
            });
          }
          const rows = await getRankings(ctx.sql, kind, clampLimit(args.limit, 10));
          return rows.map((row) => ({ ...row, kind }));
        },
      },
      overview: {
        type: new GraphQLNonNull(overviewType),
        resolve: (_root, _args, ctx) => marketOverview(ctx.sql, ctx.chainId, ctx.now),
      },
      trends: {
        type: new GraphQLNonNull(trendsType),
        description: 'Price changes over 1 h, 24 h and 7 d, volume trends and the top movers',
        // The lists below take what they show from the widest answer their limits allow.
        resolve: (_root, _args, ctx) =>
          marketTrends(ctx.sql, ctx.chainId, ctx.now, { limit: MAX_LIST, movers: MAX_LIST }),
      },
    },
  }),
});

export interface GraphqlRequest {
  readonly query: string;
  readonly variables?: Record<string, unknown> | undefined;
  readonly operationName?: string | undefined;
}

/** Parses, validates, checks limits and runs one request with fresh loaders. */
export async function executeMarketQuery(
  sql: Sql,
  chainId: number,
  request: GraphqlRequest,
  options: { limits?: QueryLimits; now?: number } = {},
): Promise<ExecutionResult> {
  let document: ReturnType<typeof parse>;
  try {
    document = parse(request.query);
  } catch (error) {
    return { errors: [error as GraphQLError] };
  }
  const limitError = checkQueryLimits(
    document,
    request.variables ?? {},
    options.limits ?? DEFAULT_QUERY_LIMITS,
  );
  if (limitError !== undefined) return { errors: [limitError] };
  const errors = validate(marketSchema, document, specifiedRules);
  if (errors.length > 0) return { errors };
  const now = options.now ?? (await chainNow(sql, chainId, Math.floor(Date.now() / 1000)));
  const contextValue: GraphqlContext = { sql, chainId, now, loaders: createMarketLoaders(sql, chainId, now) };
  return execute({
    schema: marketSchema,
    document,
    contextValue,
    variableValues: request.variables ?? null,
    operationName: request.operationName ?? null,
  });
}

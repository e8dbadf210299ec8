/** The token market's read routes: prices and TWAP, analytics, and GraphQL over the market data. */
import { MAX_WINDOW_SECONDS, parseWindow } from '../../../layers/shared/src/core/market/window.ts';
import { RANKING_KINDS } from '../../../layers/shared/src/services/market/analytics.ts';
import { decimalString, defineRoute, evmAddress, isoTime } from './route-contract.ts';
import { z } from './zod.ts';

const tokenAddress = evmAddress.openapi({ description: 'The base token' });
const price = z.string().openapi({ description: 'Quote per base token, decimal', example: '0.0125' });

const tokenPrice = z
  .object({
    tokenAddress: z.string(),
    poolAddress: z.string().openapi({ description: 'The most liquid pool of the token' }),
    quoteToken: z.string(),
    price,
    reserveBase: decimalString,
    reserveQuote: decimalString,
    blockNumber: z.number().int(),
    timestamp: z.number().int().openapi({ description: 'Block time, unix seconds' }),
  })
  .openapi('TokenPrice');

const volumeTrend = z
  .object({
    currentQuote: decimalString.openapi({ description: 'Quote volume in the window, base units' }),
    previousQuote: decimalString.openapi({ description: 'Quote volume in the window before it' }),
    changePercent: z.number().nullable().openapi({ description: 'Null when there was no volume before' }),
    direction: z.enum(['up', 'down', 'flat', 'new', 'none']),
  })
  .openapi('VolumeTrend');

const priceChange = z
  .object({
    changePercent: z.number().openapi({ description: 'Percent, two decimals' }),
    fromPrice: price,
    fromTimestamp: z.number().int().openapi({ description: 'When that price held (block time)' }),
  })
  .nullable()
  .openapi('PriceChange', {
    description: 'Null where the price history does not reach back over the window',
  });

const tokenTrend = z
  .object({
    token: z.string(),
    symbol: z.string().nullable(),
    pool: z.string().openapi({ description: 'The pool the token is priced from (most quote liquidity)' }),
    price,
    timestamp: z.number().int().openapi({ description: 'Block time of the price' }),
    change1h: priceChange,
    change24h: priceChange,
    change7d: priceChange,
    volume24h: volumeTrend,
    volume7d: volumeTrend,
  })
  .openapi('TokenTrend');

const graphqlResult = z
  .object({
    data: z.record(z.unknown()).nullable().optional(),
    errors: z
      .array(
        z
          .object({
            message: z.string(),
            locations: z.array(z.object({ line: z.number().int(), column: z.number().int() })).optional(),
            path: z.array(z.union([z.string(), z.number().int()])).optional(),
            extensions: z.record(z.unknown()).optional(),
          })
          .openapi({ description: 'A GraphQL error' }),
      )
      .optional(),
  })
  .openapi('GraphqlResult');
export const MARKET_DATA_ROUTES = {
  'GET /api/prices/{tokenAddress}': defineRoute({
    tag: 'market',
    summary: "A token's current price, from its most liquid pool",
    params: z.object({ tokenAddress }),
    query: z.object({
      history: z.coerce
        .number()
        .int()
        .min(0)
        .max(500)
        .default(0)
        .openapi({ description: 'Also return this many recent prices, newest first' }),
    }),
    responses: {
      200: {
        description: 'The price',
        schema: tokenPrice.extend({
          history: z
            .array(z.object({ blockNumber: z.number().int(), timestamp: z.number().int(), price }))
            .optional(),
        }),
      },
    },
    errors: { 400: 'the address or `history` is malformed', 404: 'no pool lists the token' },
  }),
  'GET /api/twap/{tokenAddress}/{window}': defineRoute({
    tag: 'market',
    summary: 'Time-weighted average price over a window ending at chain time',
    params: z.object({
      tokenAddress,
      window: z
        .string()
        .transform((text, ctx) => {
          const seconds = parseWindow(text);
          if (seconds === undefined) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              message: `expected seconds or a number with s, m, h or d, at most ${MAX_WINDOW_SECONDS} s (e.g. 30m, 24h)`,
            });
            return z.NEVER;
          }
          return seconds;
        })
        .openapi({ pattern: '^[0-9]{1,7}[smhd]?$', example: '24h' }),
    }),
    responses: {
      200: {
        description: 'The TWAP',
        schema: z.object({
          tokenAddress: z.string(),
          poolAddress: z.string(),
          windowSeconds: z.number().int(),
          start: z.number().int(),
          end: z.number().int(),
          twap: price,
          twapX112: decimalString.openapi({ description: 'The TWAP as a UQ112x112 fixed-point number' }),
        }),
      },
    },
    errors: {
      400: 'the address or window is malformed',
      404: 'no pool lists the token',
      422: 'the price history does not cover the window',
    },
  }),
  'GET /api/analytics/overview': defineRoute({
    tag: 'market',
    summary: 'Tokens, pools, 24 h volume and trades, TVL and the top token',
    responses: {
      200: {
        description: 'The overview',
        schema: z.object({
          asOf: z.number().int().openapi({ description: 'Chain time, unix seconds' }),
          tokens: z.number().int(),
          pools: z.number().int(),
          volume24hQuote: z.string(),
          trades24h: z.number().int(),
          tvlQuote: z.string(),
          topToken: z
            .object({ address: z.string(), symbol: z.string().nullable(), volume24hQuote: z.string() })
            .nullable(),
        }),
      },
    },
    errors: {},
  }),
  'GET /api/analytics/trends': defineRoute({
    tag: 'market',
    summary: 'Price change over 1 h, 24 h and 7 d, the volume trend, and the top movers',
    query: z
      .object({
        limit: z.coerce
          .number()
          .int('limit must be an integer')
          .min(1, 'limit must be between 1 and 100')
          .max(100, 'limit must be between 1 and 100')
          .default(20)
          .openapi({ description: 'Tokens listed, by 24 h volume' }),
        movers: z.coerce
          .number()
          .int('movers must be an integer')
          .min(1, 'movers must be between 1 and 20')
          .max(20, 'movers must be between 1 and 20')
          .default(5)
          .openapi({ description: 'Gainers and losers listed, each' }),
      })
      .strict(),
    responses: {
      200: {
        description: 'The trends at chain time',
        schema: z
          .object({
            asOf: z.number().int().openapi({ description: 'Chain time, unix seconds' }),
            market: z.object({ volume24h: volumeTrend, volume7d: volumeTrend }),
            tokens: z.array(tokenTrend),
            gainers: z.array(tokenTrend).openapi({ description: 'Highest 24 h price rise first' }),
            losers: z.array(tokenTrend).openapi({ description: 'Steepest 24 h price fall first' }),
          })
          .openapi('MarketTrends'),
      },
    },
    errors: { 400: '`limit` or `movers` is malformed, or a parameter is unknown' },
  }),
  'GET /api/analytics/tokens/rankings': defineRoute({
    tag: 'market',
    summary: 'The latest stored ranking',
    query: z.object({
      kind: z.enum(RANKING_KINDS).default('tokens_by_volume_24h'),
      limit: z.coerce.number().int().min(1).max(100).default(20),
    }),
    responses: {
      200: {
        description: 'The ranking',
        schema: z.object({
          kind: z.enum(RANKING_KINDS),
          rankings: z.array(
            z.object({
              rank: z.number().int(),
              subject: z.string().openapi({ description: 'A token address or a credential id' }),
              score: z.string(),
              symbol: z.string().nullable(),
              details: z.record(z.unknown()),
              computedAt: isoTime,
            }),
          ),
        }),
      },
    },
    errors: { 400: '`kind` or `limit` is malformed' },
  }),
  'GET /api/analytics/volume/{tokenAddress}': defineRoute({
    tag: 'market',
    summary: 'Hourly volume of a token over the last hours',
    params: z.object({ tokenAddress }),
    query: z.object({
      hours: z.coerce
        .number()
        .int()
        .min(1)
        .max(24 * 90)
        .default(24),
    }),
    responses: {
      200: {
        description: 'Totals and the hourly series',
        schema: z.object({
          token: z.string(),
          hours: z.number().int(),
          totalQuote: z.string(),
          totalBase: z.string(),
          trades: z.number().int(),
          series: z.array(
            z.object({
              bucketStart: z.number().int(),
              baseVolume: z.string(),
              quoteVolume: z.string(),
              trades: z.number().int(),
            }),
          ),
        }),
      },
    },
    errors: { 400: 'the address or `hours` is malformed' },
  }),
  'POST /graphql': defineRoute({
    tag: 'market',
    summary: 'GraphQL over the market data',
    description:
      'Queries are limited in depth and cost. A query refused before execution (syntax, validation, limits) answers 400 with GraphQL `errors`.',
    body: {
      schema: z.object({
        query: z.string().min(1).max(20_000),
        variables: z.record(z.unknown()).nullish(),
        operationName: z.string().nullish(),
      }),
      required: true,
    },
    responses: {
      200: { description: 'Executed (errors of single fields may be in `errors`)', schema: graphqlResult },
      400: { description: 'Refused before execution', schema: graphqlResult },
    },
    errors: { 400: 'the body is not a GraphQL request' },
  }),
} as const;

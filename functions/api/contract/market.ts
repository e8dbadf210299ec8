/** The token market's routes: prices and TWAP, analytics, GraphQL, token generation, notifications. */
import { MAX_WINDOW_SECONDS, parseWindow } from '../../../layers/shared/src/core/market/window.ts';
import type { ChannelName } from '../../../layers/shared/src/ports/notification-channel.ts';
import { RANKING_KINDS } from '../../../layers/shared/src/services/market/analytics.ts';
import { CHANNELS, TRIGGERS } from '../../../layers/shared/src/services/market/notifications.ts';
import { ADDRESS_PATTERN, decimalString, defineRoute, evmAddress, isoTime } from './route-contract.ts';
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

const minute = z.number().int().min(0).max(1439).openapi({ description: 'Minutes after UTC midnight' });

/**
 * The user a notification route acts for is the session's address. A request may still name it
 * (`userId`, as the source's routes did); naming another user is refused with 403.
 */
const userId = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .openapi({ description: "The signed-in address; if given, it must be the session's" });

const preferences = z.object({
  userId,
  channels: z
    .array(z.enum(CHANNELS as [ChannelName, ...ChannelName[]]))
    .min(1)
    .max(3),
  quietHours: z.object({ startMinute: minute, endMinute: minute }).nullable().default(null),
});

const subscription = z
  .object({
    userId,
    trigger: z.enum(TRIGGERS),
    params: z
      .record(z.string().max(200))
      .default({})
      .openapi({ description: 'For `price_alert`: `token` (address) and `above` and/or `below` (decimal)' }),
    email: z.string().email().optional(),
    phone: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 phone number')
      .optional(),
    pushEndpoint: z.string().url().optional(),
  })
  .superRefine((value, ctx) => {
    if (value.trigger !== 'price_alert') return;
    if (value.params['token'] === undefined || !ADDRESS_PATTERN.test(value.params['token']))
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['params', 'token'],
        message: 'a price alert needs a token address',
      });
    for (const key of ['above', 'below'] as const) {
      const threshold = value.params[key];
      if (threshold !== undefined && !/^\d+(\.\d+)?$/.test(threshold))
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['params', key],
          message: 'expected a decimal number',
        });
    }
    if (value.params['above'] === undefined && value.params['below'] === undefined)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['params', 'above'],
        message: 'a price alert needs above or below',
      });
  });

const tokenClaim = z.object({
  claimId: z.string(),
  credentialId: z.string(),
  holder: z.string(),
  amount: decimalString,
  status: z.enum(['pending', 'queued', 'minted', 'failed']),
  txHash: z.string().nullable(),
  created: z.boolean().openapi({ description: 'False when the request repeated an earlier claim' }),
});

const subscribed = z.object({
  subscriptionId: z.string(),
  created: z.boolean(),
  verificationsSent: z.number().int().openapi({
    description:
      'Verifications sent to the email or phone given (a link, a code): until confirmed, a contact receives nothing else',
  }),
});

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

export const MARKET_ROUTES = {
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
  'POST /api/generate/claim/{credentialId}': defineRoute({
    session: 'market',
    tag: 'market',
    summary: "Claim and mint what a credential accrued (the holder's session)",
    description:
      "Only the credential's holder, signed in with Ethereum, can claim, for at least the claim minimum (`EMISSION_CLAIM_MINIMUM` base units), and once per credential within the cooldown (`EMISSION_CLAIM_COOLDOWN_SECONDS`). An `Idempotency-Key` header (or `requestId` in the body) makes a retried request the same claim; without one, a repeat after the balance was emptied answers with the latest claim.",
    params: z.object({ credentialId: z.string().min(1).max(200) }),
    headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
    body: { schema: z.object({ requestId: z.string().min(1).max(200).optional() }), required: false },
    responses: {
      201: { description: 'Claimed', schema: tokenClaim },
      200: { description: 'A repeat: the earlier claim as it stands', schema: tokenClaim },
    },
    errors: {
      400: 'the credential id, key or body is malformed',
      403: "the session's address is not the credential's holder",
      404: 'the credential has no balance',
      409: 'the credential has nothing to claim, or less than the claim minimum',
      429: 'the credential was claimed within its cooldown (`Retry-After` says when it ends)',
    },
  }),
  'GET /api/generate/claimable/{address}': defineRoute({
    tag: 'market',
    summary: "What each of a holder's credentials can claim now",
    params: z.object({ address: evmAddress }),
    responses: {
      200: {
        description: 'Claimable amounts',
        schema: z.object({
          holder: z.string(),
          total: decimalString,
          credentials: z.array(
            z.object({
              credentialId: z.string(),
              claimable: decimalString,
              accruedUntil: z.number().int(),
            }),
          ),
        }),
      },
    },
    errors: { 400: 'the address is malformed' },
  }),
  'GET /api/generate/stats': defineRoute({
    tag: 'market',
    summary: 'Token generation statistics',
    responses: {
      200: {
        description: 'Statistics',
        schema: z.object({
          credentials: z.number().int(),
          activeCredentials: z.number().int(),
          tokensAccrued: decimalString,
          tokensClaimed: decimalString,
          claims: z.number().int(),
          claimsMinted: z.number().int(),
          jobs: z.number().int(),
          lastJobAt: isoTime.nullable(),
        }),
      },
    },
    errors: {},
  }),
  'POST /api/notifications/subscribe': defineRoute({
    session: 'market',
    tag: 'market',
    summary: 'Subscribe the signed-in user to a notification trigger',
    description:
      "Repeating a subscription changes nothing; contact fields given update the signed-in user's contacts. An email address or phone number receives nothing but its verification (a link by email, a code by SMS) until its owner confirms it (`/api/notifications/verify/*`); a verification is not sent again within a minute.",
    body: { schema: subscription, required: true },
    responses: {
      201: { description: 'Subscribed', schema: subscribed },
      200: { description: 'Already subscribed', schema: subscribed },
    },
    errors: {
      400: 'a field is malformed',
      403: '`userId` names another user than the session',
      409: 'the user holds as many subscriptions as one may (`NOTIFICATIONS_MAX_SUBSCRIPTIONS_PER_USER`)',
      429: 'this IP address created as many subscriptions today as one may, or too many verifications were sent today for this user or IP address',
    },
  }),
  'POST /api/notifications/unsubscribe': defineRoute({
    session: 'market',
    tag: 'market',
    summary: "End one of the signed-in user's subscriptions",
    body: { schema: z.object({ subscriptionId: z.string().min(1).max(64) }), required: true },
    responses: {
      200: {
        description: 'Ended',
        schema: z.object({ subscriptionId: z.string(), active: z.literal(false) }),
      },
    },
    errors: { 400: '`subscriptionId` is malformed', 404: 'the user has no such active subscription' },
  }),
  'GET /api/notifications/subscriptions': defineRoute({
    session: 'market',
    tag: 'market',
    summary: "The signed-in user's active subscriptions, newest first",
    responses: {
      200: {
        description: 'Subscriptions',
        schema: z.object({
          userId: z.string(),
          subscriptions: z.array(
            z.object({
              subscriptionId: z.string(),
              trigger: z.enum(TRIGGERS),
              params: z.record(z.string()),
              createdAt: isoTime,
            }),
          ),
        }),
      },
    },
    errors: {},
  }),
  'POST /api/notifications/preferences': defineRoute({
    session: 'market',
    tag: 'market',
    summary: "Set the signed-in user's channels and quiet hours",
    body: { schema: preferences, required: true },
    responses: {
      200: {
        description: 'The preferences as stored',
        schema: preferences.extend({
          userId: z.string(),
          quietHours: z.object({ startMinute: minute, endMinute: minute }).nullable(),
        }),
      },
    },
    errors: { 400: 'a field is malformed', 403: '`userId` names another user than the session' },
  }),
  'GET /api/notifications/history/{userId}': defineRoute({
    session: 'market',
    tag: 'market',
    summary: "The signed-in user's notifications, newest first, with their status",
    params: z.object({ userId: z.string().min(1).max(200) }),
    query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
    responses: {
      200: {
        description: 'Notifications',
        schema: z.object({
          userId: z.string(),
          notifications: z.array(
            z.object({
              id: z.number().int(),
              channel: z.string(),
              trigger: z.string(),
              subject: z.string(),
              status: z.string(),
              createdAt: isoTime,
              sentAt: isoTime.nullable(),
            }),
          ),
        }),
      },
    },
    errors: { 400: '`limit` is malformed', 403: '`userId` is another user than the session' },
  }),
} as const;

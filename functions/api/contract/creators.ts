/** The creator metrics oracle's routes: a creator's metrics, milestones and coin, and the sync log. */
import { ADDRESS_PATTERN, decimalString, defineRoute, isoTime } from './route-contract.ts';
import { z } from './zod.ts';

const address = z
  .string()
  .regex(ADDRESS_PATTERN, 'address must be 0x followed by 40 hex characters')
  .transform((a) => a.toLowerCase())
  .openapi({
    description: "The creator's wallet address",
    example: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
  });

const params = z.object({ address });

const notFound = 'no creator has the address';

const since = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), 'since must be an ISO-8601 time')
  .transform((s) => new Date(s))
  .optional()
  .openapi({ format: 'date-time' });

const before = z.coerce
  .number()
  .int('before must be an integer')
  .positive('before must be positive')
  .optional()
  .openapi({ description: "The previous page's `nextBefore`" });

const nextBefore = z
  .number()
  .int()
  .optional()
  .openapi({ description: 'Present when the page is full: pass it as `before`' });

/** A page size from 1 to 500, `fallback` when not given. */
const pageLimit = (fallback: number) =>
  z.coerce
    .number()
    .int('limit must be an integer')
    .min(1, 'limit must be between 1 and 500')
    .max(500, 'limit must be between 1 and 500')
    .default(fallback);

const marketCapTerm = z
  .object({
    value: decimalString.openapi({ description: '10 % of the coin market cap, attoFIL' }),
    reason: z.string().optional().openapi({
      description:
        'Why the term is 0: `no coin` (none launched), `no pool` (no pool pairs the coin with FIL), `no price oracle` (none configured)',
    }),
    priceAttoFilPerCoin: decimalString
      .optional()
      .openapi({ description: 'Spot price of one whole coin in its FIL pool' }),
    marketCapAttoFil: decimalString.optional(),
  })
  .openapi('MarketCapTerm', {
    description: 'The monthly revenue term of the creator coin: present with a price, or 0 with the reason',
  });

const healthLevel = z.enum(['ok', 'warning', 'critical']);

/** The sync's health as measured at one moment (core/creator/sync-health.ts). */
const syncHealth = z.object({
  level: healthLevel.openapi({
    description:
      'critical: success under 70 % or stale; warning: success under 90 %, 10+ failed calls in the last hour or slow responses',
  }),
  successRate: z.number().nullable().openapi({
    description:
      'Share of the calls completed in the last hour that succeeded (0–1); null when none completed',
  }),
  successLevel: healthLevel,
  failedCallsLastHour: z.number().int(),
  failedCallsAlarm: z.boolean().openapi({ description: '10 or more failed calls in the last hour' }),
  averageResponseMs: z
    .number()
    .int()
    .nullable()
    .openapi({ description: 'Mean time from enqueueing a call to its confirmation, over the last hour' }),
  slowResponses: z.boolean().openapi({ description: 'The average response time is 30 s or more' }),
  noRecentSuccessfulRun: z.boolean().openapi({ description: 'No sync run succeeded in the last 2 h' }),
  divergedCreatorsOverLimit: z.number().int().openapi({
    description: 'Creators whose on-chain metrics have differed from the database for more than 2 h',
  }),
  stale: z.boolean(),
  staleSeconds: z.number().int(),
});

export const CREATOR_ROUTES = {
  'GET /creators/{address}/metrics': defineRoute({
    tag: 'creators',
    summary: "A creator's metrics, live and as last confirmed on-chain",
    params,
    responses: {
      200: {
        description: 'Metrics',
        schema: z
          .object({
            address: z.string(),
            stageName: z.string(),
            asOf: isoTime,
            totalPlays: z.number().int(),
            followers: z.number().int(),
            likes: z.number().int(),
            comments: z.number().int(),
            tracksLast30Days: z.number().int(),
            engagementScore: z.object({
              score: z.number().openapi({ description: '0–100' }),
              playToFollowerRatio: z.number(),
              interactionRate: z.number(),
              contentConsistency: z.number(),
              scoreX100: z.number().int().openapi({ description: 'The score ×100, as sent on-chain' }),
            }),
            monthlyRevenue: z.object({
              totalAttoFil: decimalString,
              trackSalesAttoFil: decimalString,
              tipsAttoFil: decimalString,
              coinValueShareAttoFil: decimalString,
              marketCapTerm,
            }),
            onChain: z.object({
              confirmed: z
                .object({
                  totalPlays: z.number().int().nullable(),
                  followers: z.number().int().nullable(),
                  engagementScoreX100: z.number().int().nullable(),
                  monthlyRevenueAttoFil: decimalString.nullable(),
                  confirmedAt: isoTime.nullable(),
                  txHash: z.string().nullable(),
                })
                .nullable()
                .openapi({ description: 'Null until a metrics update is confirmed' }),
              syncPending: z.boolean(),
              divergedSince: isoTime.nullable(),
            }),
          })
          .openapi('CreatorMetrics'),
      },
    },
    errors: { 400: 'the address is malformed', 404: notFound },
  }),
  'GET /creators/{address}/milestones': defineRoute({
    tag: 'creators',
    summary: 'The milestones a creator reached, in order',
    params,
    responses: {
      200: {
        description: 'Milestones',
        schema: z.object({
          address: z.string(),
          stageName: z.string(),
          milestones: z.array(
            z.object({
              id: z.string(),
              kind: z.string(),
              threshold: decimalString,
              valueAtReach: decimalString,
              description: z.string(),
              reachedAt: isoTime.nullable(),
            }),
          ),
        }),
      },
    },
    errors: { 400: 'the address is malformed', 404: notFound },
  }),
  'GET /creators/{address}/coin': defineRoute({
    tag: 'creators',
    summary: "A creator's coin",
    params,
    responses: {
      200: {
        description: 'The coin',
        schema: z.object({
          address: z.string(),
          stageName: z.string(),
          name: z.string(),
          symbol: z.string(),
          decimals: z.literal(18),
          initialSupply: decimalString,
          status: z.string(),
          coinAddress: z.string().nullable(),
          txHash: z.string().nullable(),
          launchedAt: isoTime.nullable(),
          error: z.string().nullable(),
          marketCapTerm,
          intrinsicValue: z
            .object({
              valueAttoFil: decimalString.nullable().openapi({
                description: '`CreatorMetricsManager.calculateIntrinsicValue(creator)`, attoFIL',
              }),
              reason: z.string().optional().openapi({ description: 'Why the value is null' }),
            })
            .openapi({ description: "The contract's valuation of the creator, read on-chain" }),
        }),
      },
    },
    errors: { 400: 'the address is malformed', 404: 'no creator has the address, or it has no coin yet' },
  }),
  'GET /admin/sync-logs': defineRoute({
    tag: 'creators',
    summary: 'The creator sync log, newest first',
    query: z
      .object({
        operation: z.enum(['SYNC_RUN', 'UPDATE_METRICS', 'LAUNCH_COIN', 'REVENUE_DISTRIBUTION']).optional(),
        status: z.enum(['running', 'enqueued', 'success', 'failed', 'superseded', 'partial']).optional(),
        creator: z
          .string()
          .regex(ADDRESS_PATTERN, 'creator must be 0x followed by 40 hex characters')
          .transform((a) => a.toLowerCase())
          .optional(),
        since,
        before,
        limit: pageLimit(50),
      })
      .strict(),
    responses: {
      200: {
        description: 'Log rows',
        schema: z.object({
          logs: z.array(
            z.object({
              id: z.number().int(),
              runId: z.string(),
              operation: z.string(),
              creator: z.string().nullable(),
              requestId: z.string().nullable(),
              status: z.string(),
              txHash: z.string().nullable(),
              gasUsed: z.number().nullable(),
              blockNumber: z.number().int().nullable(),
              retries: z.number().int(),
              errorCode: z.string().nullable(),
              errorMessage: z.string().nullable(),
              durationMs: z.number().nullable(),
              details: z.unknown(),
              createdAt: isoTime.nullable(),
              completedAt: isoTime.nullable(),
            }),
          ),
          nextBefore,
        }),
      },
    },
    errors: { 400: 'a query parameter is malformed or unknown' },
  }),
  'GET /admin/sync-health': defineRoute({
    tag: 'creators',
    summary: "The creator sync's health now and as each run left it, newest run first",
    query: z
      .object({
        since,
        before,
        limit: pageLimit(24),
      })
      .strict(),
    responses: {
      200: {
        description: 'The current health and its history',
        schema: z
          .object({
            current: syncHealth.extend({ at: isoTime }),
            runs: z.array(
              z.object({
                id: z.number().int(),
                runId: z.string(),
                status: z.string(),
                durationMs: z.number().nullable(),
                startedAt: isoTime.nullable(),
                completedAt: isoTime.nullable(),
                health: syncHealth
                  .nullable()
                  .openapi({ description: 'Null for a run that stopped before measuring' }),
              }),
            ),
            nextBefore,
          })
          .openapi('CreatorSyncHealth'),
      },
    },
    errors: { 400: 'a query parameter is malformed or unknown' },
  }),
} as const;

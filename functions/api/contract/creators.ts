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
        since: z
          .string()
          .refine((s) => !Number.isNaN(Date.parse(s)), 'since must be an ISO-8601 time')
          .transform((s) => new Date(s))
          .optional()
          .openapi({ format: 'date-time' }),
        before: z.coerce
          .number()
          .int('before must be an integer')
          .positive('before must be positive')
          .optional()
          .openapi({ description: "The previous page's `nextBefore`" }),
        limit: z.coerce
          .number()
          .int('limit must be an integer')
          .min(1, 'limit must be between 1 and 500')
          .max(500, 'limit must be between 1 and 500')
          .default(50),
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
          nextBefore: z
            .number()
            .int()
            .optional()
            .openapi({ description: 'Present when the page is full: pass it as `before`' }),
        }),
      },
    },
    errors: { 400: 'a query parameter is malformed or unknown' },
  }),
} as const;

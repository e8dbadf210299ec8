/** The platform's own routes: health (public and admin) and this API's document. */
import { defineRoute } from './route-contract.ts';
import { z } from './zod.ts';

const publicHealthReport = z
  .object({
    status: z.enum(['ok', 'degraded']),
    dependencies: z.record(z.object({ up: z.boolean() }).strict()).openapi({
      description: 'By dependency: database, queues, evm, solana (those configured); up or down only',
    }),
  })
  .strict()
  .openapi('PublicHealthReport');

const healthReport = z
  .object({
    status: z.enum(['ok', 'degraded']),
    dependencies: z
      .record(
        z.object({
          up: z.boolean(),
          latencyMs: z.number(),
          error: z.string().optional().openapi({ description: 'Why the check failed' }),
        }),
      )
      .openapi({ description: 'By dependency: database, queues, evm, solana (those configured)' }),
  })
  .openapi('HealthReport');

export const PLATFORM_ROUTES = {
  'GET /health': defineRoute({
    tag: 'platform',
    summary: 'Every configured dependency, up or down',
    description:
      'Each container answers from its last probe for `HEALTH_CACHE_SECONDS` (default 5), so requests never reach the dependencies more than once per window. Why a dependency is down is on `GET /admin/health`.',
    responses: {
      200: { description: 'Every dependency is up', schema: publicHealthReport },
      503: { description: 'A dependency is down', schema: publicHealthReport },
    },
    errors: {},
  }),
  'GET /admin/health': defineRoute({
    tag: 'platform',
    summary: 'Every configured dependency, probed now, with latency and the error of each one down',
    responses: {
      200: { description: 'Every dependency is up', schema: healthReport },
      503: { description: 'A dependency is down', schema: healthReport },
    },
    errors: {},
  }),
  'GET /openapi.json': defineRoute({
    tag: 'platform',
    summary: 'This document',
    responses: {
      200: {
        description: 'The OpenAPI 3.1 document of the HTTP API',
        schema: z
          .object({ openapi: z.string(), info: z.record(z.unknown()), paths: z.record(z.unknown()) })
          .passthrough(),
      },
    },
    errors: {},
  }),
} as const;

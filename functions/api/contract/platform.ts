/** The platform's own routes: health and this API's document. */
import { defineRoute } from './route-contract.ts';
import { z } from './zod.ts';

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
    summary: 'Every configured dependency, up or down, with latency',
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

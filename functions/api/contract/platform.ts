/** The platform's own routes. */
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
} as const;

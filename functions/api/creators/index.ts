/**
 * Creator metrics API (API Gateway HTTP API, payload v2), one function for the routes:
 *   GET /creators/{address}/metrics     live metrics and what is confirmed on-chain
 *   GET /creators/{address}/milestones  milestones reached, in order
 *   GET /creators/{address}/coin        the creator coin (404 while none)
 *   GET /admin/sync-logs                oracle_sync_logs, newest first (admin; the authorizer checks)
 */
import { z } from 'zod';
import { loadConfig } from '../../../layers/shared/src/config.ts';
import { NotFoundError, ValidationError } from '../../../layers/shared/src/errors.ts';
import {
  creatorCoinView,
  creatorMetricsView,
  creatorMilestonesView,
  listSyncLogs,
} from '../../../layers/shared/src/services/creator-queries.ts';
import { database } from '../../dependencies.ts';
import { type HttpEvent, httpHandler, json, pathParam } from '../http.ts';

loadConfig(process.env, { require: ['DATABASE_URL'] });

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function creatorAddress(event: HttpEvent): string {
  const address = pathParam(event, 'address');
  if (!ADDRESS.test(address)) {
    throw new ValidationError(
      `address must be 0x followed by 40 hex characters, got ${JSON.stringify(address.slice(0, 64))}`,
    );
  }
  return address.toLowerCase();
}

const syncLogQuery = z
  .object({
    operation: z.enum(['SYNC_RUN', 'UPDATE_METRICS', 'LAUNCH_COIN', 'REVENUE_DISTRIBUTION']).optional(),
    status: z.enum(['running', 'enqueued', 'success', 'failed', 'superseded', 'partial']).optional(),
    creator: z
      .string()
      .regex(ADDRESS, 'creator must be 0x followed by 40 hex characters')
      .transform((a) => a.toLowerCase())
      .optional(),
    since: z
      .string()
      .refine((s) => !Number.isNaN(Date.parse(s)), 'since must be an ISO-8601 time')
      .transform((s) => new Date(s))
      .optional(),
    before: z.coerce.number().int('before must be an integer').positive('before must be positive').optional(),
    limit: z.coerce
      .number()
      .int('limit must be an integer')
      .min(1, 'limit must be between 1 and 500')
      .max(500, 'limit must be between 1 and 500')
      .default(50),
  })
  .strict();

function route(event: HttpEvent): string {
  const key = event.routeKey ?? '';
  if (key !== '' && key !== '$default') return key;
  // Called without a route key (local server, a catch-all route): match the raw path.
  const path = event.rawPath ?? '';
  const method = event.requestContext?.http?.method ?? 'GET';
  const match = /^\/creators\/([^/]+)\/(metrics|milestones|coin)$/.exec(path);
  if (match !== null) {
    event.pathParameters = { ...event.pathParameters, address: match[1] ?? '' };
    return `${method} /creators/{address}/${match[2]}`;
  }
  return `${method} ${path}`;
}

export const handler = httpHandler(async (event) => {
  const { sql } = await database();
  switch (route(event)) {
    case 'GET /creators/{address}/metrics':
      return json(200, await creatorMetricsView(sql, creatorAddress(event), new Date()));
    case 'GET /creators/{address}/milestones':
      return json(200, await creatorMilestonesView(sql, creatorAddress(event)));
    case 'GET /creators/{address}/coin':
      return json(200, await creatorCoinView(sql, creatorAddress(event)));
    case 'GET /admin/sync-logs': {
      const parsed = syncLogQuery.safeParse(event.queryStringParameters ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ValidationError(`${issue?.path.join('.') || 'query'}: ${issue?.message ?? 'invalid'}`);
      }
      const { operation, status, creator, since, before, limit } = parsed.data;
      return json(
        200,
        await listSyncLogs(sql, {
          limit,
          ...(operation === undefined ? {} : { operation }),
          ...(status === undefined ? {} : { status }),
          ...(creator === undefined ? {} : { creator }),
          ...(since === undefined ? {} : { since }),
          ...(before === undefined ? {} : { before }),
        }),
      );
    }
    default:
      throw new NotFoundError(`no route ${route(event)}`);
  }
});

/**
 * Admin routes of the delivery engine (API Gateway HTTP API, payload v2; the authorizer checks
 * the admin token): GET /admin/oracle-calls, GET /admin/oracle-calls/{id},
 * POST /admin/oracle-calls/{id}/retry, GET /admin/alerts.
 */
import { loadConfig } from '../../../layers/shared/src/config.ts';
import { NotFoundError } from '../../../layers/shared/src/errors.ts';
import {
  type AdminOracleDeps,
  getCallRoute,
  listAlertsRoute,
  listCallsRoute,
  retryCallRoute,
} from '../../../layers/shared/src/services/delivery/admin-oracle-api.ts';
import { adminAlerts, oracleCallsQueue } from '../../delivery.ts';
import { database } from '../../dependencies.ts';
import { adminActor, type HttpEvent, type HttpResult, httpHandler, json } from '../http.ts';

loadConfig(process.env, { require: ['DATABASE_URL', 'ORACLE_CALLS_QUEUE_URL'] });

async function dependencies(): Promise<AdminOracleDeps> {
  const { sql } = await database();
  return { sql, queue: oracleCallsQueue(), alerts: await adminAlerts(), now: Date.now };
}

export const handler = httpHandler(async (event: HttpEvent): Promise<HttpResult> => {
  const method = event.requestContext?.http?.method ?? 'GET';
  const path = (event.rawPath ?? '/').replace(/\/+$/, '');
  const query = event.queryStringParameters ?? {};
  const deps = await dependencies();
  if (method === 'GET' && path === '/admin/oracle-calls') return json(200, await listCallsRoute(deps, query));
  if (method === 'GET' && path === '/admin/alerts') return json(200, await listAlertsRoute(deps, query));
  const retry = /^\/admin\/oracle-calls\/([^/]+)\/retry$/.exec(path);
  if (method === 'POST' && retry?.[1] !== undefined)
    return json(202, await retryCallRoute(deps, retry[1], adminActor(event)));
  const one = /^\/admin\/oracle-calls\/([^/]+)$/.exec(path);
  if (method === 'GET' && one?.[1] !== undefined) return json(200, await getCallRoute(deps, one[1]));
  throw new NotFoundError(`no route ${method} ${path}`);
});

/**
 * Admin routes of the delivery engine (API Gateway HTTP API, payload v2; the authorizer checks
 * the admin token), contracts in ../contract/delivery.ts: GET /admin/oracle-calls,
 * GET /admin/oracle-calls/{id}, POST /admin/oracle-calls/{id}/retry, GET /admin/alerts.
 * The query and the id are validated by the service with the schemas those contracts name (the
 * CLI shares them), so its messages (`call id: ...`) are the ones answered.
 */
import { NotFoundError } from '../../../layers/shared/src/errors.ts';
import {
  type AdminOracleDeps,
  getCallRoute,
  listAlertsRoute,
  listCallsRoute,
  parseAlertsQuery,
  parseCallId,
  parseCallsQuery,
  retryCallRoute,
} from '../../../layers/shared/src/services/delivery/admin-oracle-api.ts';
import { adminAlerts, oracleCallsQueue } from '../../delivery.ts';
import { httpRoute, type PlatformOf } from '../../handlers.ts';
import {
  adminActor,
  type HttpEvent,
  type HttpResult,
  json,
  pathParams,
  queryParams,
  type RequestReaders,
  requestReader,
} from '../http.ts';

export async function adminOracleDependencies(
  platform: PlatformOf<'DATABASE_URL' | 'ORACLE_CALLS_QUEUE_URL'>,
): Promise<AdminOracleDeps> {
  const { sql } = await platform.database();
  return { sql, queue: oracleCallsQueue(platform), alerts: await adminAlerts(platform), now: Date.now };
}

/**
 * Each route's input read as the service reads it (same messages), once per request: `httpRoute`
 * reads it before any dependency is built, and the handler gets that same reading.
 */
const readCallsQuery = requestReader((event) => parseCallsQuery(queryParams(event)));
const readCallId = requestReader((event) => parseCallId(callIdOf(event)));
const readRetry = requestReader((event) => {
  // In the order the retry reads them: the id's encoding, the admin token's name, the id.
  const id = callIdOf(event);
  const actor = adminActor(event);
  return { id: parseCallId(id), actor };
});
const readAlertsQuery = requestReader((event) => parseAlertsQuery(queryParams(event)));

export async function handle(event: HttpEvent, deps: AdminOracleDeps): Promise<HttpResult> {
  switch (event.routeKey) {
    case 'GET /admin/oracle-calls':
      return json(200, await listCallsRoute(deps, readCallsQuery(event)));
    case 'GET /admin/oracle-calls/{id}':
      return json(200, await getCallRoute(deps, readCallId(event)));
    case 'POST /admin/oracle-calls/{id}/retry': {
      const { id, actor } = readRetry(event);
      return json(202, await retryCallRoute(deps, id, actor));
    }
    case 'GET /admin/alerts':
      return json(200, await listAlertsRoute(deps, readAlertsQuery(event)));
    default:
      throw new NotFoundError(`no route ${event.routeKey}`);
  }
}

const routes: RequestReaders = {
  'GET /admin/oracle-calls': readCallsQuery,
  'GET /admin/oracle-calls/{id}': readCallId,
  'POST /admin/oracle-calls/{id}/retry': readRetry,
  'GET /admin/alerts': readAlertsQuery,
};

export const handler = httpRoute(adminOracleDependencies, handle, {
  require: ['DATABASE_URL', 'ORACLE_CALLS_QUEUE_URL'],
  routes,
});

function callIdOf(event: HttpEvent): string {
  return pathParams(event)['id'] ?? '';
}

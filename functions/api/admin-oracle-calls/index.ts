/**
 * Admin routes of the delivery engine (API Gateway HTTP API, payload v2; the authorizer checks
 * the admin token), contracts in ../contract/delivery.ts: GET /admin/oracle-calls,
 * GET /admin/oracle-calls/{id}, POST /admin/oracle-calls/{id}/retry, GET /admin/alerts.
 * The query and the id are validated by the service with the schemas those contracts name (the
 * CLI shares them), so its messages (`call id: ...`) are the ones answered.
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
import {
  adminActor,
  type HttpEvent,
  type HttpResult,
  httpHandler,
  json,
  pathParams,
  queryParams,
} from '../http.ts';

loadConfig(process.env, { require: ['DATABASE_URL', 'ORACLE_CALLS_QUEUE_URL'] });

async function dependencies(): Promise<AdminOracleDeps> {
  const { sql } = await database();
  return { sql, queue: oracleCallsQueue(), alerts: await adminAlerts(), now: Date.now };
}

export const handler = httpHandler(async (event: HttpEvent): Promise<HttpResult> => {
  switch (event.routeKey) {
    case 'GET /admin/oracle-calls':
      return json(200, await listCallsRoute(await dependencies(), queryParams(event)));
    case 'GET /admin/oracle-calls/{id}':
      return json(200, await getCallRoute(await dependencies(), callIdOf(event)));
    case 'POST /admin/oracle-calls/{id}/retry':
      return json(202, await retryCallRoute(await dependencies(), callIdOf(event), adminActor(event)));
    case 'GET /admin/alerts':
      return json(200, await listAlertsRoute(await dependencies(), queryParams(event)));
    default:
      throw new NotFoundError(`no route ${event.routeKey}`);
  }
});

function callIdOf(event: HttpEvent): string {
  return pathParams(event)['id'] ?? '';
}

/** GET /admin/recovery (admin): the recovery dashboard's daily snapshots. */
import { listRecoverySnapshots } from '../../../layers/shared/src/services/attention/recovery-snapshot.ts';
import { httpRoute } from '../../handlers.ts';
import { RECOVERY_ROUTES } from '../contract/recovery.ts';
import { type DatabaseDeps, databaseDependencies } from '../database-dependencies.ts';
import { type HttpEvent, type HttpResult, json, parseRequest } from '../http.ts';

export async function handle(event: HttpEvent, deps: DatabaseDeps): Promise<HttpResult> {
  const { query } = parseRequest(RECOVERY_ROUTES['GET /admin/recovery'], event);
  return json(200, { snapshots: await listRecoverySnapshots(deps.sql, query) });
}

export const handler = httpRoute(databaseDependencies, handle, {
  require: ['DATABASE_URL'],
  routes: RECOVERY_ROUTES,
});

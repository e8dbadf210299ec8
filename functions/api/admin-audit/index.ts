/** GET /admin/audit (admin): the admin audit log, filtered and paged. */
import { listAdminAudit } from '../../../layers/shared/src/services/platform/admin-audit.ts';
import { httpRoute } from '../../handlers.ts';
import { ADMIN_AUDIT_ROUTES } from '../contract/admin-audit.ts';
import { type DatabaseDeps, databaseDependencies } from '../database-dependencies.ts';
import { type HttpEvent, type HttpResult, json, parseRequest } from '../http.ts';

export async function handle(event: HttpEvent, deps: DatabaseDeps): Promise<HttpResult> {
  const { query } = parseRequest(ADMIN_AUDIT_ROUTES['GET /admin/audit'], event);
  const filter = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined));
  return json(200, await listAdminAudit(deps.sql, filter));
}

export const handler = httpRoute(databaseDependencies, handle, {
  require: ['DATABASE_URL'],
  routes: ADMIN_AUDIT_ROUTES,
});

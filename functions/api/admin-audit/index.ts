/** GET /admin/audit (admin): the admin audit log, filtered and paged. */
import { loadConfig } from '../../../layers/shared/src/config.ts';
import { listAdminAudit } from '../../../layers/shared/src/services/platform/admin-audit.ts';
import { database } from '../../dependencies.ts';
import { ADMIN_AUDIT_ROUTES } from '../contract/admin-audit.ts';
import { httpHandler, json, parseRequest } from '../http.ts';

loadConfig(process.env, { require: ['DATABASE_URL'] });

export const handler = httpHandler(async (event) => {
  const { query } = parseRequest(ADMIN_AUDIT_ROUTES['GET /admin/audit'], event);
  const { sql } = await database();
  const filter = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined));
  return json(200, await listAdminAudit(sql, filter));
});

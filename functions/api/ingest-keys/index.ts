/**
 * POST /admin/ingest-keys/{keyId}/void (admin): removes one ingest key's events, and what they
 * built, from epochs not yet sealed. The admin audit log records it (the counts and the name of
 * the admin token that did it) in the voiding's transaction; the answer says the same.
 */
import { logger } from '../../../layers/shared/src/observability.ts';
import { voidIngestKey } from '../../../layers/shared/src/services/attention/ingest-key-void.ts';
import { httpRoute } from '../../handlers.ts';
import { ATTENTION_ROUTES } from '../contract/attention.ts';
import { type DatabaseDeps, databaseDependencies } from '../database-dependencies.ts';
import { adminActor, type HttpEvent, type HttpResult, json, parseRequest } from '../http.ts';

export async function handle(event: HttpEvent, deps: DatabaseDeps): Promise<HttpResult> {
  const { params } = parseRequest(ATTENTION_ROUTES['POST /admin/ingest-keys/{keyId}/void'], event);
  const voidedBy = adminActor(event);
  const result = await voidIngestKey(deps.sql, params.keyId, voidedBy);
  const record = { ...result, voidedBy, voidedAt: new Date().toISOString() };
  logger.info('ingest key voided', record);
  return json(200, record);
}

export const handler = httpRoute(databaseDependencies, handle, {
  require: ['DATABASE_URL'],
  routes: ATTENTION_ROUTES,
});

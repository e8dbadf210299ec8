/**
 * POST /admin/ingest-keys/{keyId}/void (admin): removes one ingest key's events, and what they
 * built, from epochs not yet sealed. The admin audit log records it (the counts and the name of
 * the admin token that did it) in the voiding's transaction; the answer says the same.
 */
import { loadConfig } from '../../../layers/shared/src/config.ts';
import { logger } from '../../../layers/shared/src/observability.ts';
import { voidIngestKey } from '../../../layers/shared/src/services/attention/ingest-key-void.ts';
import { database } from '../../dependencies.ts';
import { ATTENTION_ROUTES } from '../contract/attention.ts';
import { adminActor, httpHandler, json, parseRequest } from '../http.ts';

loadConfig(process.env, { require: ['DATABASE_URL'] });

export const handler = httpHandler(async (event) => {
  const { params } = parseRequest(ATTENTION_ROUTES['POST /admin/ingest-keys/{keyId}/void'], event);
  const { sql } = await database();
  const voidedBy = adminActor(event);
  const result = await voidIngestKey(sql, params.keyId, voidedBy);
  const record = { ...result, voidedBy, voidedAt: new Date().toISOString() };
  logger.info('ingest key voided', record);
  return json(200, record);
});

/** POST /suppressions (admin): opt a viewer out; mapping and unsealed participation go at once. */
import { loadConfig } from '../../../layers/shared/src/config.ts';
import { suppressUser } from '../../../layers/shared/src/services/suppression.ts';
import { database } from '../../dependencies.ts';
import { ATTENTION_ROUTES } from '../contract/attention.ts';
import { adminActor, httpHandler, json, parseRequest } from '../http.ts';

loadConfig(process.env, { require: ['DATABASE_URL'] });

export const handler = httpHandler(async (event) => {
  const { body } = parseRequest(ATTENTION_ROUTES['POST /suppressions'], event);
  const { sql } = await database();
  const result = await suppressUser(sql, body.user, body.reason, adminActor(event));
  return json(result.alreadySuppressed ? 200 : 201, result);
});

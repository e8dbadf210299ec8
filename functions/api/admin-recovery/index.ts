/** GET /admin/recovery (admin): the recovery dashboard's daily snapshots. */
import { loadConfig } from '../../../layers/shared/src/config.ts';
import { listRecoverySnapshots } from '../../../layers/shared/src/services/attention/recovery-snapshot.ts';
import { database } from '../../dependencies.ts';
import { RECOVERY_ROUTES } from '../contract/recovery.ts';
import { httpHandler, json, parseRequest } from '../http.ts';

loadConfig(process.env, { require: ['DATABASE_URL'] });

export const handler = httpHandler(async (event) => {
  const { query } = parseRequest(RECOVERY_ROUTES['GET /admin/recovery'], event);
  const { sql } = await database();
  return json(200, { snapshots: await listRecoverySnapshots(sql, query) });
});

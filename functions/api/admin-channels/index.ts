/**
 * Channel configuration (admin): GET /admin/channels, PUT and DELETE /admin/channels/{channel}.
 * Every change is audited under the admin token's name.
 */
import { config, loadConfig } from '../../../layers/shared/src/config.ts';
import { NotFoundError } from '../../../layers/shared/src/errors.ts';
import {
  clearChannelSetting,
  declaredTokenGroups,
  listChannelSettings,
  setChannelSetting,
} from '../../../layers/shared/src/services/attention/channel-config.ts';
import { database } from '../../dependencies.ts';
import { CHANNEL_ROUTES } from '../contract/channels.ts';
import { adminActor, httpHandler, json, parseRequest } from '../http.ts';

loadConfig(process.env, { require: ['DATABASE_URL'] });

export const handler = httpHandler(async (event) => {
  const declaredGroups = declaredTokenGroups(config().TOKEN_GROUP_MINTS);
  switch (event.routeKey) {
    case 'GET /admin/channels': {
      const { query } = parseRequest(CHANNEL_ROUTES['GET /admin/channels'], event);
      const { sql } = await database();
      const channels = await listChannelSettings(sql, {
        ...(query.blocked === undefined ? {} : { blocked: query.blocked === 'true' }),
        ...(query.tokenGroup === undefined ? {} : { tokenGroup: query.tokenGroup }),
      });
      return json(200, { channels, declaredTokenGroups: declaredGroups });
    }
    case 'PUT /admin/channels/{channel}': {
      const { params, body } = parseRequest(CHANNEL_ROUTES['PUT /admin/channels/{channel}'], event);
      const { sql } = await database();
      const change = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
      return json(
        200,
        await setChannelSetting(sql, params.channel, change, { actor: adminActor(event), declaredGroups }),
      );
    }
    case 'DELETE /admin/channels/{channel}': {
      const { params } = parseRequest(CHANNEL_ROUTES['DELETE /admin/channels/{channel}'], event);
      const { sql } = await database();
      return json(200, await clearChannelSetting(sql, params.channel, adminActor(event)));
    }
    default:
      throw new NotFoundError(`no route ${event.routeKey}`);
  }
});

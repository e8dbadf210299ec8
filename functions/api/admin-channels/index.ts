/**
 * Channel configuration (admin): GET /admin/channels, PUT and DELETE /admin/channels/{channel}.
 * Every change is audited under the admin token's name.
 */
import { NotFoundError } from '../../../layers/shared/src/errors.ts';
import type { Sql } from '../../../layers/shared/src/ports/sql.ts';
import {
  clearChannelSetting,
  declaredTokenGroups,
  listChannelSettings,
  setChannelSetting,
} from '../../../layers/shared/src/services/attention/channel-config.ts';
import { httpRoute, type PlatformOf } from '../../handlers.ts';
import { CHANNEL_ROUTES } from '../contract/channels.ts';
import { adminActor, type HttpEvent, type HttpResult, json, parseRequest } from '../http.ts';

export interface AdminChannelsDeps {
  readonly sql: Sql;
  /** The token groups TOKEN_GROUP_MINTS declares: a channel may be put only in one of them. */
  readonly declaredGroups: string[];
}

export async function adminChannelsDependencies(
  platform: PlatformOf<'DATABASE_URL'>,
): Promise<AdminChannelsDeps> {
  return {
    sql: (await platform.database()).sql,
    declaredGroups: declaredTokenGroups(platform.config.TOKEN_GROUP_MINTS),
  };
}

export async function handle(event: HttpEvent, deps: AdminChannelsDeps): Promise<HttpResult> {
  const { sql, declaredGroups } = deps;
  switch (event.routeKey) {
    case 'GET /admin/channels': {
      const { query } = parseRequest(CHANNEL_ROUTES['GET /admin/channels'], event);
      const channels = await listChannelSettings(sql, {
        ...(query.blocked === undefined ? {} : { blocked: query.blocked === 'true' }),
        ...(query.tokenGroup === undefined ? {} : { tokenGroup: query.tokenGroup }),
      });
      return json(200, { channels, declaredTokenGroups: declaredGroups });
    }
    case 'PUT /admin/channels/{channel}': {
      const { params, body } = parseRequest(CHANNEL_ROUTES['PUT /admin/channels/{channel}'], event);
      const change = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
      return json(
        200,
        await setChannelSetting(sql, params.channel, change, { actor: adminActor(event), declaredGroups }),
      );
    }
    case 'DELETE /admin/channels/{channel}': {
      const { params } = parseRequest(CHANNEL_ROUTES['DELETE /admin/channels/{channel}'], event);
      return json(200, await clearChannelSetting(sql, params.channel, adminActor(event)));
    }
    default:
      throw new NotFoundError(`no route ${event.routeKey}`);
  }
}

export const handler = httpRoute(adminChannelsDependencies, handle, {
  require: ['DATABASE_URL'],
  routes: CHANNEL_ROUTES,
});

/** POST /api/notifications/preferences: the signed-in user's channels and quiet hours (minutes after UTC midnight). */
import { setPreferences } from '../../../../layers/shared/src/services/market/notifications.ts';
import { MARKET_ROUTES } from '../../contract/market.ts';
import { json, parseRequest } from '../../http.ts';
import { marketRoute, marketUser, sameUser } from '../market-http.ts';

export const route = marketRoute(async (event, deps) => {
  const userId = await marketUser(event, deps);
  const { body } = parseRequest(MARKET_ROUTES['POST /api/notifications/preferences'], event);
  sameUser(userId, body.userId);
  return json(
    200,
    await setPreferences(deps.sql, {
      userId,
      channels: [...new Set(body.channels)],
      quietHours: body.quietHours,
    }),
  );
});
export const handler = route.handler;

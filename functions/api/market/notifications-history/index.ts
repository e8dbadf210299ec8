/** GET /api/notifications/history/{userId}?limit=: the signed-in user's notifications, newest first. */
import { notificationHistory } from '../../../../layers/shared/src/services/market/notifications.ts';
import { MARKET_ROUTES } from '../../contract/market.ts';
import { json, parseRequest } from '../../http.ts';
import { marketRoute, marketUser, sameUser } from '../market-http.ts';

export const route = marketRoute(async (event, deps) => {
  const user = await marketUser(event, deps);
  const { params, query } = parseRequest(MARKET_ROUTES['GET /api/notifications/history/{userId}'], event);
  sameUser(user, params.userId);
  return json(200, { userId: user, notifications: await notificationHistory(deps.sql, user, query.limit) });
});
export const handler = route.handler;

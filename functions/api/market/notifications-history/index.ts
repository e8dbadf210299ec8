/** GET /api/notifications/history/{userId}?limit=: the user's notifications, newest first, with status. */
import { notificationHistory } from '../../../../layers/shared/src/services/market/notifications.ts';
import { MARKET_ROUTES } from '../../contract/market.ts';
import { json, parseRequest } from '../../http.ts';
import { marketRoute } from '../market-http.ts';

export const route = marketRoute(async (event, deps) => {
  const { params, query } = parseRequest(MARKET_ROUTES['GET /api/notifications/history/{userId}'], event);
  return json(200, {
    userId: params.userId,
    notifications: await notificationHistory(deps.sql, params.userId, query.limit),
  });
});
export const handler = route.handler;

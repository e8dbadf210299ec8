/** GET /api/notifications/history/{userId}?limit=: the signed-in user's notifications, newest first. */
import { notificationHistory } from '../../../../layers/shared/src/services/market/notifications.ts';
import { httpRoute } from '../../../handlers.ts';
import { type MarketDependencies, marketDependencies } from '../../../market-dependencies.ts';
import { MARKET_ROUTES } from '../../contract/market.ts';
import { type HttpEvent, type HttpResult, json, parseRequest } from '../../http.ts';
import { marketUser, sameUser } from '../market-http.ts';

export async function handle(event: HttpEvent, deps: MarketDependencies): Promise<HttpResult> {
  const user = await marketUser(event, deps);
  const { params, query } = parseRequest(MARKET_ROUTES['GET /api/notifications/history/{userId}'], event);
  sameUser(user, params.userId);
  return json(200, { userId: user, notifications: await notificationHistory(deps.sql, user, query.limit) });
}

export const handler = httpRoute(marketDependencies, handle, { market: true, routes: MARKET_ROUTES });

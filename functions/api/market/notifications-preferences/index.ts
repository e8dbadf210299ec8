/** POST /api/notifications/preferences: the signed-in user's channels and quiet hours (minutes after UTC midnight). */
import { setPreferences } from '../../../../layers/shared/src/services/market/notifications.ts';
import { httpRoute } from '../../../handlers.ts';
import { type MarketDependencies, marketDependencies } from '../../../market-dependencies.ts';
import { MARKET_ROUTES } from '../../contract/market.ts';
import { type HttpEvent, type HttpResult, json, parseRequest } from '../../http.ts';
import { marketUser, sameUser } from '../market-http.ts';

export async function handle(event: HttpEvent, deps: MarketDependencies): Promise<HttpResult> {
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
}

export const handler = httpRoute(marketDependencies, handle, { market: true, routes: MARKET_ROUTES });

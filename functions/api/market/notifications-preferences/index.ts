/** POST /api/notifications/preferences: a user's channels and quiet hours (minutes after UTC midnight). */
import { setPreferences } from '../../../../layers/shared/src/services/market/notifications.ts';
import { MARKET_ROUTES } from '../../contract/market.ts';
import { json, parseRequest } from '../../http.ts';
import { marketRoute } from '../market-http.ts';

export const route = marketRoute(async (event, deps) => {
  const { body } = parseRequest(MARKET_ROUTES['POST /api/notifications/preferences'], event);
  return json(200, await setPreferences(deps.sql, { ...body, channels: [...new Set(body.channels)] }));
});
export const handler = route.handler;

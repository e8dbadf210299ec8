/** GET /api/analytics/volume/{tokenAddress}?hours=: hourly volume of the token over the last hours. */
import { chainNow, tokenVolume } from '../../../../layers/shared/src/services/market/analytics.ts';
import { MARKET_ROUTES } from '../../contract/market.ts';
import { json, parseRequest } from '../../http.ts';
import { marketRoute } from '../market-http.ts';

export const route = marketRoute(async (event, deps) => {
  const { params, query } = parseRequest(MARKET_ROUTES['GET /api/analytics/volume/{tokenAddress}'], event);
  const now = await chainNow(deps.sql, deps.chainId, deps.now());
  return json(200, await tokenVolume(deps.sql, deps.chainId, params.tokenAddress, now, query.hours));
});
export const handler = route.handler;

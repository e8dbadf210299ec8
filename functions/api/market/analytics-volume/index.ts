/** GET /api/analytics/volume/{tokenAddress}?hours=: hourly volume of the token over the last hours. */
import { chainNow, tokenVolume } from '../../../../layers/shared/src/services/market/analytics.ts';
import { httpRoute } from '../../../handlers.ts';
import { type MarketDependencies, marketDependencies } from '../../../market-dependencies.ts';
import { MARKET_ROUTES } from '../../contract/market.ts';
import { type HttpEvent, type HttpResult, json, parseRequest } from '../../http.ts';

export async function handle(event: HttpEvent, deps: MarketDependencies): Promise<HttpResult> {
  const { params, query } = parseRequest(MARKET_ROUTES['GET /api/analytics/volume/{tokenAddress}'], event);
  const now = await chainNow(deps.sql, deps.chainId, deps.now());
  return json(200, await tokenVolume(deps.sql, deps.chainId, params.tokenAddress, now, query.hours));
}

export const handler = httpRoute(marketDependencies, handle, { market: true, routes: MARKET_ROUTES });

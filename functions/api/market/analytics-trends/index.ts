/** GET /api/analytics/trends?limit=&movers=: price changes over 1 h, 24 h and 7 d, volume trends, top movers. */
import { chainNow } from '../../../../layers/shared/src/services/market/analytics.ts';
import { marketTrends } from '../../../../layers/shared/src/services/market/trends.ts';
import { httpRoute } from '../../../handlers.ts';
import { type MarketDependencies, marketDependencies } from '../../../market-dependencies.ts';
import { MARKET_ROUTES } from '../../contract/market.ts';
import { type HttpEvent, type HttpResult, json, parseRequest } from '../../http.ts';

export async function handle(event: HttpEvent, deps: MarketDependencies): Promise<HttpResult> {
  const { limit, movers } = parseRequest(MARKET_ROUTES['GET /api/analytics/trends'], event).query;
  const now = await chainNow(deps.sql, deps.chainId, deps.now());
  return json(200, await marketTrends(deps.sql, deps.chainId, now, { limit, movers }));
}

export const handler = httpRoute(marketDependencies, handle, { market: true, routes: MARKET_ROUTES });

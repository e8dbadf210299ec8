/** GET /api/prices/{tokenAddress}: the token's current price from its most liquid pool, and recent history. */
import { currentPrice, priceHistory } from '../../../../layers/shared/src/services/market/price-oracle.ts';
import { httpRoute } from '../../../handlers.ts';
import { type MarketDependencies, marketDependencies } from '../../../market-dependencies.ts';
import { MARKET_ROUTES } from '../../contract/market.ts';
import { type HttpEvent, type HttpResult, json, parseRequest } from '../../http.ts';

export async function handle(event: HttpEvent, deps: MarketDependencies): Promise<HttpResult> {
  const { params, query } = parseRequest(MARKET_ROUTES['GET /api/prices/{tokenAddress}'], event);
  const price = await currentPrice(deps.sql, deps.chainId, params.tokenAddress);
  return json(200, {
    ...price,
    ...(query.history > 0
      ? { history: await priceHistory(deps.sql, deps.chainId, params.tokenAddress, query.history) }
      : {}),
  });
}

export const handler = httpRoute(marketDependencies, handle, { market: true, routes: MARKET_ROUTES });

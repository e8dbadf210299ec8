/** GET /api/prices/{tokenAddress}: the token's current price from its most liquid pool, and recent history. */
import { currentPrice, priceHistory } from '../../../../layers/shared/src/services/market/price-oracle.ts';
import { MARKET_ROUTES } from '../../contract/market.ts';
import { json, parseRequest } from '../../http.ts';
import { marketRoute } from '../market-http.ts';

export const route = marketRoute(async (event, deps) => {
  const { params, query } = parseRequest(MARKET_ROUTES['GET /api/prices/{tokenAddress}'], event);
  const price = await currentPrice(deps.sql, deps.chainId, params.tokenAddress);
  return json(200, {
    ...price,
    ...(query.history > 0
      ? { history: await priceHistory(deps.sql, deps.chainId, params.tokenAddress, query.history) }
      : {}),
  });
});
export const handler = route.handler;

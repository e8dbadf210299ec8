/** GET /api/twap/{tokenAddress}/{window}: the time-weighted average price over the window ending at chain time. */
import { computeTwap } from '../../../../layers/shared/src/services/market/price-oracle.ts';
import { MARKET_ROUTES } from '../../contract/market.ts';
import { json, parseRequest } from '../../http.ts';
import { marketRoute } from '../market-http.ts';

export const route = marketRoute(async (event, deps) => {
  const { tokenAddress, window } = parseRequest(
    MARKET_ROUTES['GET /api/twap/{tokenAddress}/{window}'],
    event,
  ).params;
  return json(200, await computeTwap(deps.sql, deps.chainId, tokenAddress, window));
});
export const handler = route.handler;

/** GET /api/twap/{tokenAddress}/{window}: the time-weighted average price over the window ending at chain time. */
import { computeTwap } from '../../../../layers/shared/src/services/market/price-oracle.ts';
import { httpRoute } from '../../../handlers.ts';
import { type MarketDependencies, marketDependencies } from '../../../market-dependencies.ts';
import { MARKET_ROUTES } from '../../contract/market.ts';
import { type HttpEvent, type HttpResult, json, parseRequest } from '../../http.ts';

export async function handle(event: HttpEvent, deps: MarketDependencies): Promise<HttpResult> {
  const { tokenAddress, window } = parseRequest(
    MARKET_ROUTES['GET /api/twap/{tokenAddress}/{window}'],
    event,
  ).params;
  return json(200, await computeTwap(deps.sql, deps.chainId, tokenAddress, window));
}

export const handler = httpRoute(marketDependencies, handle, { market: true, routes: MARKET_ROUTES });

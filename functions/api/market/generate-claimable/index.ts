/** GET /api/generate/claimable/{address}: what each of the holder's credentials can claim now. */
import { claimableFor } from '../../../../layers/shared/src/services/market/token-generator.ts';
import { httpRoute } from '../../../handlers.ts';
import { type MarketDependencies, marketDependencies } from '../../../market-dependencies.ts';
import { MARKET_ROUTES } from '../../contract/market.ts';
import { type HttpEvent, type HttpResult, json, parseRequest } from '../../http.ts';

export async function handle(event: HttpEvent, deps: MarketDependencies): Promise<HttpResult> {
  const { address } = parseRequest(MARKET_ROUTES['GET /api/generate/claimable/{address}'], event).params;
  return json(200, await claimableFor(deps.sql, address));
}

export const handler = httpRoute(marketDependencies, handle, { market: true, routes: MARKET_ROUTES });

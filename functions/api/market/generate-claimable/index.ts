/** GET /api/generate/claimable/{address}: what each of the holder's credentials can claim now. */
import { claimableFor } from '../../../../layers/shared/src/services/market/token-generator.ts';
import { MARKET_ROUTES } from '../../contract/market.ts';
import { json, parseRequest } from '../../http.ts';
import { marketRoute } from '../market-http.ts';

export const route = marketRoute(async (event, deps) => {
  const { address } = parseRequest(MARKET_ROUTES['GET /api/generate/claimable/{address}'], event).params;
  return json(200, await claimableFor(deps.sql, address));
});
export const handler = route.handler;

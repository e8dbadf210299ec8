/** GET /api/analytics/tokens/rankings?kind=&limit=: the latest stored ranking. */
import { getRankings } from '../../../../layers/shared/src/services/market/analytics.ts';
import { MARKET_ROUTES } from '../../contract/market.ts';
import { json, parseRequest } from '../../http.ts';
import { marketRoute } from '../market-http.ts';

export const route = marketRoute(async (event, deps) => {
  const { kind, limit } = parseRequest(MARKET_ROUTES['GET /api/analytics/tokens/rankings'], event).query;
  return json(200, { kind, rankings: await getRankings(deps.sql, kind, limit) });
});
export const handler = route.handler;

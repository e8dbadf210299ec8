/** GET /api/analytics/tokens/rankings?kind=&limit=: the latest stored ranking. */
import { getRankings } from '../../../../layers/shared/src/services/market/analytics.ts';
import { httpRoute } from '../../../handlers.ts';
import { type MarketDependencies, marketDependencies } from '../../../market-dependencies.ts';
import { MARKET_ROUTES } from '../../contract/market.ts';
import { type HttpEvent, type HttpResult, json, parseRequest } from '../../http.ts';

export async function handle(event: HttpEvent, deps: MarketDependencies): Promise<HttpResult> {
  const { kind, limit } = parseRequest(MARKET_ROUTES['GET /api/analytics/tokens/rankings'], event).query;
  return json(200, { kind, rankings: await getRankings(deps.sql, kind, limit) });
}

export const handler = httpRoute(marketDependencies, handle, { market: true, routes: MARKET_ROUTES });

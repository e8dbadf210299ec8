/** GET /api/analytics/overview: tokens, pools, 24 h volume and trades, TVL, the top token. */
import { chainNow, marketOverview } from '../../../../layers/shared/src/services/market/analytics.ts';
import { httpRoute } from '../../../handlers.ts';
import { type MarketDependencies, marketDependencies } from '../../../market-dependencies.ts';
import { type HttpEvent, type HttpResult, json } from '../../http.ts';

export async function handle(_event: HttpEvent, deps: MarketDependencies): Promise<HttpResult> {
  const now = await chainNow(deps.sql, deps.chainId, deps.now());
  return json(200, await marketOverview(deps.sql, deps.chainId, now));
}

export const handler = httpRoute(marketDependencies, handle, { market: true });

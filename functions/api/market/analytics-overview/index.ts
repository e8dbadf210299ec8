/** GET /api/analytics/overview: tokens, pools, 24 h volume and trades, TVL, the top token. */
import { chainNow, marketOverview } from '../../../../layers/shared/src/services/market/analytics.ts';
import { json } from '../../http.ts';
import { marketRoute } from '../market-http.ts';

export const route = marketRoute(async (_event, deps) => {
  const now = await chainNow(deps.sql, deps.chainId, deps.now());
  return json(200, await marketOverview(deps.sql, deps.chainId, now));
});
export const handler = route.handler;

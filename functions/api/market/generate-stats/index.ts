/** GET /api/generate/stats: credentials, tokens accrued and claimed, claims, jobs. */
import { generationStats } from '../../../../layers/shared/src/services/market/token-generator.ts';
import { httpRoute } from '../../../handlers.ts';
import { type MarketDependencies, marketDependencies } from '../../../market-dependencies.ts';
import { type HttpEvent, type HttpResult, json } from '../../http.ts';

export async function handle(_event: HttpEvent, deps: MarketDependencies): Promise<HttpResult> {
  return json(200, await generationStats(deps.sql));
}

export const handler = httpRoute(marketDependencies, handle, { market: true });

/** GET /api/generate/stats: credentials, tokens accrued and claimed, claims, jobs. */
import { generationStats } from '../../../../layers/shared/src/services/market/token-generator.ts';
import { json } from '../../http.ts';
import { marketRoute } from '../market-http.ts';

export const route = marketRoute(async (_event, deps) => json(200, await generationStats(deps.sql)));
export const handler = route.handler;

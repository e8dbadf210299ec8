/** GET /api/analytics/tokens/rankings?kind=&limit=: the latest stored ranking. */
import { z } from 'zod';
import { getRankings, RANKING_KINDS } from '../../../../layers/shared/src/services/market/analytics.ts';
import { json } from '../../http.ts';
import { marketRoute, parseInput, queryParams } from '../market-http.ts';

const query = z.object({
  kind: z.enum(RANKING_KINDS).default('tokens_by_volume_24h'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const route = marketRoute(async (event, deps) => {
  const { kind, limit } = parseInput(query, queryParams(event), 'query');
  return json(200, { kind, rankings: await getRankings(deps.sql, kind, limit) });
});
export const handler = route.handler;

/** GET /api/analytics/volume/{tokenAddress}?hours=: hourly volume of the token over the last hours. */
import { z } from 'zod';
import { chainNow, tokenVolume } from '../../../../layers/shared/src/services/market/analytics.ts';
import { json } from '../../http.ts';
import { ADDRESS_PATTERN, marketRoute, parseInput, pathParams, queryParams } from '../market-http.ts';

const params = z.object({
  tokenAddress: z.string().regex(ADDRESS_PATTERN, 'expected a 0x-prefixed 20-byte address'),
});
const query = z.object({
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(24),
});

export const route = marketRoute(async (event, deps) => {
  const { tokenAddress } = parseInput(params, pathParams(event), 'tokenAddress');
  const { hours } = parseInput(query, queryParams(event), 'query');
  const now = await chainNow(deps.sql, deps.chainId, deps.now());
  return json(200, await tokenVolume(deps.sql, deps.chainId, tokenAddress, now, hours));
});
export const handler = route.handler;

/** GET /api/prices/{tokenAddress}: the token's current price from its most liquid pool, and recent history. */
import { z } from 'zod';
import { currentPrice, priceHistory } from '../../../../layers/shared/src/services/market/price-oracle.ts';
import { json } from '../../http.ts';
import { ADDRESS_PATTERN, marketRoute, parseInput, pathParams, queryParams } from '../market-http.ts';

const params = z.object({
  tokenAddress: z.string().regex(ADDRESS_PATTERN, 'expected a 0x-prefixed 20-byte address'),
});
const query = z.object({ history: z.coerce.number().int().min(0).max(500).default(0) });

export const route = marketRoute(async (event, deps) => {
  const { tokenAddress } = parseInput(params, pathParams(event), 'tokenAddress');
  const { history } = parseInput(query, queryParams(event), 'query');
  const price = await currentPrice(deps.sql, deps.chainId, tokenAddress);
  return json(200, {
    ...price,
    ...(history > 0 ? { history: await priceHistory(deps.sql, deps.chainId, tokenAddress, history) } : {}),
  });
});
export const handler = route.handler;

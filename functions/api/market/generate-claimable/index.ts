/** GET /api/generate/claimable/{address}: what each of the holder's credentials can claim now. */
import { z } from 'zod';
import { claimableFor } from '../../../../layers/shared/src/services/market/token-generator.ts';
import { json } from '../../http.ts';
import { ADDRESS_PATTERN, marketRoute, parseInput, pathParams } from '../market-http.ts';

const params = z.object({
  address: z.string().regex(ADDRESS_PATTERN, 'expected a 0x-prefixed 20-byte address'),
});

export const route = marketRoute(async (event, deps) => {
  const { address } = parseInput(params, pathParams(event), 'address');
  return json(200, await claimableFor(deps.sql, address));
});
export const handler = route.handler;

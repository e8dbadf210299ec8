/** GET /api/twap/{tokenAddress}/{window}: the time-weighted average price over the window ending at chain time. */
import { z } from 'zod';
import { MAX_WINDOW_SECONDS, parseWindow } from '../../../../layers/shared/src/core/market/window.ts';
import { computeTwap } from '../../../../layers/shared/src/services/market/price-oracle.ts';
import { json } from '../../http.ts';
import { ADDRESS_PATTERN, marketRoute, parseInput, pathParams } from '../market-http.ts';

const params = z.object({
  tokenAddress: z.string().regex(ADDRESS_PATTERN, 'expected a 0x-prefixed 20-byte address'),
  window: z.string().transform((text, ctx) => {
    const seconds = parseWindow(text);
    if (seconds === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `expected seconds or a number with s, m, h or d, at most ${MAX_WINDOW_SECONDS} s (e.g. 30m, 24h)`,
      });
      return z.NEVER;
    }
    return seconds;
  }),
});

export const route = marketRoute(async (event, deps) => {
  const { tokenAddress, window } = parseInput(params, pathParams(event), 'path');
  return json(200, await computeTwap(deps.sql, deps.chainId, tokenAddress, window));
});
export const handler = route.handler;

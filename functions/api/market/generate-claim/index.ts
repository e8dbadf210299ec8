/**
 * POST /api/generate/claim/{credentialId}: the credential's holder, signed in with Ethereum,
 * claims and mints what it accrued: at least the claim minimum, and not again within the
 * credential's cooldown. An `Idempotency-Key` header (or `requestId` in the body) makes a retried
 * request the same claim.
 */
import { claimLimits } from '../../../../layers/shared/src/market-config.ts';
import { claimTokens } from '../../../../layers/shared/src/services/market/token-claims.ts';
import { httpRoute } from '../../../handlers.ts';
import { type MarketDependencies, marketDependencies } from '../../../market-dependencies.ts';
import { MARKET_ROUTES } from '../../contract/market.ts';
import { type HttpEvent, type HttpResult, json, parseRequest } from '../../http.ts';
import { marketUser } from '../market-http.ts';

export async function handle(event: HttpEvent, deps: MarketDependencies): Promise<HttpResult> {
  const claimant = await marketUser(event, deps);
  const { params, headers, body } = parseRequest(
    MARKET_ROUTES['POST /api/generate/claim/{credentialId}'],
    event,
  );
  const key = headers['idempotency-key'] ?? body.requestId;
  const result = await claimTokens(
    { sql: deps.sql, minter: await deps.minter(), bus: deps.bus, emission: deps.emission },
    params.credentialId,
    {
      now: deps.now(),
      claimant,
      ...claimLimits(deps.config),
      ...(key === undefined ? {} : { requestId: key }),
    },
  );
  return json(result.created ? 201 : 200, result);
}

export const handler = httpRoute(marketDependencies, handle, { market: true, routes: MARKET_ROUTES });

/**
 * POST /api/generate/claim/{credentialId}: claims and mints what the credential accrued. An
 * `Idempotency-Key` header (or `requestId` in the body) makes a retried request the same claim.
 */
import { claimTokens } from '../../../../layers/shared/src/services/market/token-generator.ts';
import { MARKET_ROUTES } from '../../contract/market.ts';
import { json, parseRequest } from '../../http.ts';
import { marketRoute } from '../market-http.ts';

export const route = marketRoute(async (event, deps) => {
  const { params, headers, body } = parseRequest(
    MARKET_ROUTES['POST /api/generate/claim/{credentialId}'],
    event,
  );
  const key = headers['idempotency-key'] ?? body.requestId;
  const result = await claimTokens(
    { sql: deps.sql, minter: await deps.minter(), bus: deps.bus, emission: deps.emission },
    params.credentialId,
    { now: deps.now(), ...(key === undefined ? {} : { requestId: key }) },
  );
  return json(result.created ? 201 : 200, result);
});
export const handler = route.handler;

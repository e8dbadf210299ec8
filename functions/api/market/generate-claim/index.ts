/**
 * POST /api/generate/claim/{credentialId}: claims and mints what the credential accrued. An
 * `Idempotency-Key` header (or `requestId` in the body) makes a retried request the same claim.
 */
import { z } from 'zod';
import { claimTokens } from '../../../../layers/shared/src/services/market/token-generator.ts';
import { header, json } from '../../http.ts';
import { marketRoute, optionalJsonBody, parseInput, pathParams } from '../market-http.ts';

const params = z.object({ credentialId: z.string().min(1).max(200) });
const body = z.object({ requestId: z.string().min(1).max(200).optional() });

export const route = marketRoute(async (event, deps) => {
  const { credentialId } = parseInput(params, pathParams(event), 'credentialId');
  const { requestId } = parseInput(body, optionalJsonBody(event), 'body');
  const key = header(event, 'idempotency-key') ?? requestId;
  const result = await claimTokens(
    { sql: deps.sql, minter: await deps.minter(), bus: deps.bus, emission: deps.emission },
    credentialId,
    { now: deps.now(), ...(key === undefined ? {} : { requestId: key }) },
  );
  return json(result.created ? 201 : 200, result);
});
export const handler = route.handler;

/** POST /graphql: market queries with depth and cost limits (a refused query answers 400 with the reason). */
import { z } from 'zod';
import { executeMarketQuery } from '../../../../layers/shared/src/services/market/graphql/market-schema.ts';
import { json, jsonBody } from '../../http.ts';
import { marketRoute, parseInput } from '../market-http.ts';

const body = z.object({
  query: z.string().min(1).max(20_000),
  variables: z.record(z.unknown()).nullish(),
  operationName: z.string().nullish(),
});

export const route = marketRoute(async (event, deps) => {
  const request = parseInput(body, jsonBody(event), 'body');
  const result = await executeMarketQuery(deps.sql, deps.chainId, {
    query: request.query,
    variables: request.variables ?? undefined,
    operationName: request.operationName ?? undefined,
  });
  // GraphQL over HTTP: a request refused before execution (syntax, validation, limits) is a 400.
  return json(result.data === undefined && result.errors !== undefined ? 400 : 200, result);
});
export const handler = route.handler;

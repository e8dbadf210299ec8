/** POST /graphql: market queries with depth and cost limits (a refused query answers 400 with the reason). */
import { executeMarketQuery } from '../../../../layers/shared/src/services/market/graphql/market-schema.ts';
import { httpRoute } from '../../../handlers.ts';
import { type MarketDependencies, marketDependencies } from '../../../market-dependencies.ts';
import { MARKET_ROUTES } from '../../contract/market.ts';
import { type HttpEvent, type HttpResult, json, parseRequest } from '../../http.ts';

export async function handle(event: HttpEvent, deps: MarketDependencies): Promise<HttpResult> {
  const { body } = parseRequest(MARKET_ROUTES['POST /graphql'], event);
  const result = await executeMarketQuery(deps.sql, deps.chainId, {
    query: body.query,
    variables: body.variables ?? undefined,
    operationName: body.operationName ?? undefined,
  });
  // GraphQL over HTTP: a request refused before execution (syntax, validation, limits) is a 400.
  return json(result.data === undefined && result.errors !== undefined ? 400 : 200, result);
}

export const handler = httpRoute(marketDependencies, handle, { market: true, routes: MARKET_ROUTES });

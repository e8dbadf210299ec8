/**
 * Shared by the market routes: the handler shape (`handle(event, deps)` for tests, `handler` for
 * Lambda). Input is validated with each route's contract (../contract/market.ts).
 */
import { marketConfig } from '../../../layers/shared/src/market-config.ts';
import { type MarketDependencies, marketDependencies } from '../../market-dependencies.ts';
import { type HttpEvent, type HttpResult, httpHandler } from '../http.ts';

// A malformed market setting fails the cold start with its name, not a request later.
marketConfig();

export type MarketHandle = (event: HttpEvent, deps: MarketDependencies) => Promise<HttpResult>;

/** `handle` answers with the same error shaping as `handler`, with the dependencies given. */
export function marketRoute(handle: MarketHandle): {
  handle: MarketHandle;
  handler: (event: HttpEvent) => Promise<HttpResult>;
} {
  return {
    handle: (event, deps) => httpHandler((e) => handle(e, deps))(event),
    handler: httpHandler(async (event) => handle(event, await marketDependencies())),
  };
}

/**
 * Epochs API (API Gateway HTTP API, payload v2):
 *   GET /epochs                              sealed epochs, newest first (?limit=1..500, ?before=<epoch>)
 *   GET /epochs/{epoch}                      its sealed channels and every tree (channel, category, carry)
 *   GET /epochs/{epoch}/channels/{channel}   one channel or pseudo-channel: seal, tree, publication
 */
import { NotFoundError } from '../../../layers/shared/src/errors.ts';
import { type ClaimsDeps, claimsDependencies } from '../../claims-dependencies.ts';
import { httpRoute } from '../../handlers.ts';
import { ATTENTION_ROUTES } from '../contract/attention.ts';
import { type HttpEvent, type HttpResult, json, parseRequest } from '../http.ts';

export async function handle(event: HttpEvent, deps: Pick<ClaimsDeps, 'claims'>): Promise<HttpResult> {
  const reader = deps.claims;
  switch (event.routeKey) {
    case 'GET /epochs': {
      const { limit, before } = parseRequest(ATTENTION_ROUTES['GET /epochs'], event).query;
      return json(200, {
        epochs: await reader.epochs({ limit, ...(before === undefined ? {} : { before }) }),
      });
    }
    case 'GET /epochs/{epoch}': {
      const { epoch } = parseRequest(ATTENTION_ROUTES['GET /epochs/{epoch}'], event).params;
      return json(200, await reader.epoch(epoch));
    }
    case 'GET /epochs/{epoch}/channels/{channel}': {
      const { epoch, channel } = parseRequest(
        ATTENTION_ROUTES['GET /epochs/{epoch}/channels/{channel}'],
        event,
      ).params;
      return json(200, await reader.epochChannel(epoch, channel));
    }
    default:
      throw new NotFoundError(`no route ${event.routeKey}`);
  }
}

export const handler = httpRoute(claimsDependencies, handle, {
  require: ['DATABASE_URL'],
  routes: ATTENTION_ROUTES,
});

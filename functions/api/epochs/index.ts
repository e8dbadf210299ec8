/**
 * Epochs API (API Gateway HTTP API, payload v2):
 *   GET /epochs                              sealed epochs, newest first (?limit=1..500, ?before=<epoch>)
 *   GET /epochs/{epoch}                      its sealed channels and every tree (channel, category, carry)
 *   GET /epochs/{epoch}/channels/{channel}   one channel or pseudo-channel: seal, tree, publication
 */
import { loadConfig } from '../../../layers/shared/src/config.ts';
import { NotFoundError } from '../../../layers/shared/src/errors.ts';
import { claimsReader } from '../claims/index.ts';
import { ATTENTION_ROUTES } from '../contract/attention.ts';
import { type HttpEvent, httpHandler, json, parseRequest } from '../http.ts';

loadConfig(process.env, { require: ['DATABASE_URL'] });

function route(event: HttpEvent): string {
  const key = event.routeKey ?? '';
  if (key !== '' && key !== '$default') return key;
  const method = event.requestContext?.http?.method ?? 'GET';
  const path = event.rawPath ?? '';
  if (path === '/epochs') return `${method} /epochs`;
  const channel = /^\/epochs\/([^/]+)\/channels\/([^/]+)$/.exec(path);
  if (channel !== null) {
    event.pathParameters = { ...event.pathParameters, epoch: channel[1] ?? '', channel: channel[2] ?? '' };
    return `${method} /epochs/{epoch}/channels/{channel}`;
  }
  const epoch = /^\/epochs\/([^/]+)$/.exec(path);
  if (epoch !== null) {
    event.pathParameters = { ...event.pathParameters, epoch: epoch[1] ?? '' };
    return `${method} /epochs/{epoch}`;
  }
  return `${method} ${path}`;
}

export const handler = httpHandler(async (event) => {
  const reader = await claimsReader();
  switch (route(event)) {
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
      throw new NotFoundError(`no route ${route(event)}`);
  }
});

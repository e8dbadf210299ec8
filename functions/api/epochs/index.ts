/**
 * Epochs API (API Gateway HTTP API, payload v2):
 *   GET /epochs                              sealed epochs, newest first (?limit=1..500, ?before=<epoch>)
 *   GET /epochs/{epoch}                      its sealed channels and every tree (channel, category, carry)
 *   GET /epochs/{epoch}/channels/{channel}   one channel or pseudo-channel: seal, tree, publication
 */
import { z } from 'zod';
import { loadConfig } from '../../../layers/shared/src/config.ts';
import { NotFoundError, ValidationError } from '../../../layers/shared/src/errors.ts';
import { claimsReader } from '../claims/index.ts';
import { type HttpEvent, httpHandler, json, pathParam } from '../http.ts';

loadConfig(process.env, { require: ['DATABASE_URL'] });

const listQuery = z
  .object({
    limit: z.coerce
      .number()
      .int('limit must be an integer')
      .min(1, 'limit must be between 1 and 500')
      .max(500, 'limit must be between 1 and 500')
      .default(48),
    before: z.coerce.number().int('before must be an integer').positive('before must be positive').optional(),
  })
  .strict();

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
      const parsed = listQuery.safeParse(event.queryStringParameters ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ValidationError(`${issue?.path.join('.') || 'query'}: ${issue?.message ?? 'invalid'}`);
      }
      const { limit, before } = parsed.data;
      return json(200, {
        epochs: await reader.epochs({ limit, ...(before === undefined ? {} : { before }) }),
      });
    }
    case 'GET /epochs/{epoch}':
      return json(200, await reader.epoch(pathParam(event, 'epoch')));
    case 'GET /epochs/{epoch}/channels/{channel}':
      return json(200, await reader.epochChannel(pathParam(event, 'epoch'), pathParam(event, 'channel')));
    default:
      throw new NotFoundError(`no route ${route(event)}`);
  }
});

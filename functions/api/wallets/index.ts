/**
 * Wallet binding API (API Gateway HTTP API, payload v2):
 *   POST /wallets/bind   { username, wallet, nonce, expiresAt, signature, twitchToken } → 201 binding
 *   GET  /wallets/{user} the wallet bound for a login or user_hash (404 when none)
 * The canonical message and the checks are described in services/wallet-binding.ts.
 */
import { z } from 'zod';
import { HelixClient } from '../../../layers/shared/src/adapters/twitch/helix-client.ts';
import { loadTwitchCredentials } from '../../../layers/shared/src/adapters/twitch/twitch-credentials.ts';
import { config, loadConfig } from '../../../layers/shared/src/config.ts';
import { NotFoundError, ValidationError } from '../../../layers/shared/src/errors.ts';
import { bindWallet, requireWalletBinding } from '../../../layers/shared/src/services/wallet-binding.ts';
import { database, secretStore } from '../../dependencies.ts';
import { type HttpEvent, httpHandler, json, jsonBody, pathParam } from '../http.ts';

loadConfig(process.env, { require: ['DATABASE_URL'] });

const text = (name: string) =>
  z
    .string({ required_error: `${name} is required`, invalid_type_error: `${name} must be a string` })
    .max(512);

const bindRequest = z
  .object({
    username: text('username'),
    wallet: text('wallet'),
    nonce: text('nonce'),
    expiresAt: text('expiresAt'),
    signature: text('signature'),
    twitchToken: text('twitchToken').min(1, 'twitchToken is required'),
  })
  .strict();

let helix: Promise<HelixClient> | undefined;

/** /oauth2/validate needs no app token; the app credentials are loaded where they are configured. */
function twitch(): Promise<HelixClient> {
  helix ??= (async () => {
    const settings = config();
    const credentials =
      settings.TWITCH_SECRET_ARN === undefined
        ? { clientId: '', clientSecret: '' }
        : await loadTwitchCredentials(secretStore(), settings.TWITCH_SECRET_ARN);
    return new HelixClient({
      ...credentials,
      authUrl: settings.TWITCH_AUTH_URL,
      helixUrl: settings.TWITCH_HELIX_URL,
    });
  })();
  helix.catch(() => {
    helix = undefined;
  });
  return helix;
}

function route(event: HttpEvent): string {
  const key = event.routeKey ?? '';
  if (key !== '' && key !== '$default') return key;
  const method = event.requestContext?.http?.method ?? 'GET';
  const path = event.rawPath ?? '';
  if (method === 'POST' && path === '/wallets/bind') return 'POST /wallets/bind';
  const match = /^\/wallets\/([^/]+)$/.exec(path);
  if (method === 'GET' && match !== null) {
    event.pathParameters = { ...event.pathParameters, user: match[1] ?? '' };
    return 'GET /wallets/{user}';
  }
  return `${method} ${path}`;
}

export const handler = httpHandler(async (event) => {
  const { sql } = await database();
  switch (route(event)) {
    case 'POST /wallets/bind': {
      const parsed = bindRequest.safeParse(jsonBody(event));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ValidationError(`${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
      }
      const client = await twitch();
      const binding = await bindWallet(
        { sql, validateTwitchToken: (token) => client.validateUserToken(token), now: () => new Date() },
        parsed.data,
      );
      return json(201, binding);
    }
    case 'GET /wallets/{user}':
      return json(200, await requireWalletBinding(sql, pathParam(event, 'user')));
    default:
      throw new NotFoundError(`no route ${route(event)}`);
  }
});

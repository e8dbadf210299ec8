/**
 * Wallet binding API (API Gateway HTTP API, payload v2):
 *   POST /wallets/bind   { username, wallet, nonce, expiresAt, signature, twitchToken } → 201 binding
 *   GET  /wallets/{user} the wallet bound for a login or user_hash (404 when none)
 * The canonical message and the checks are described in services/wallet-binding.ts.
 */
import { loadConfig } from '../../../layers/shared/src/config.ts';
import { NotFoundError } from '../../../layers/shared/src/errors.ts';
import { bindWallet, requireWalletBinding } from '../../../layers/shared/src/services/wallet-binding.ts';
import { database, twitchHelix } from '../../dependencies.ts';
import { ATTENTION_ROUTES } from '../contract/attention.ts';
import { type HttpEvent, httpHandler, json, parseRequest } from '../http.ts';

loadConfig(process.env, { require: ['DATABASE_URL'] });

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
      const { body } = parseRequest(ATTENTION_ROUTES['POST /wallets/bind'], event);
      const client = await twitchHelix('optional');
      const binding = await bindWallet(
        { sql, validateTwitchToken: (token) => client.validateUserToken(token), now: () => new Date() },
        body,
      );
      return json(201, binding);
    }
    case 'GET /wallets/{user}': {
      const { user } = parseRequest(ATTENTION_ROUTES['GET /wallets/{user}'], event).params;
      return json(200, await requireWalletBinding(sql, user));
    }
    default:
      throw new NotFoundError(`no route ${route(event)}`);
  }
});

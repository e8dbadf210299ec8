/**
 * Viewer sign-in and wallet binding API (API Gateway HTTP API, payload v2):
 *   GET  /auth/twitch/authorize  a fresh state and the Twitch authorize URL carrying it
 *   POST /auth/twitch/session    { code, state } → 201 a viewer session (services/twitch-sign-in.ts)
 *   POST /wallets/bind           { username, wallet, nonce, expiresAt, signature, twitchToken } → 201 binding
 *   GET  /wallets/{user}         the wallet bound for a login or user_hash (404 when none)
 * The canonical message and the checks are described in services/wallet-binding.ts.
 */
import { config, loadConfig } from '../../../layers/shared/src/config.ts';
import { NotFoundError } from '../../../layers/shared/src/errors.ts';
import {
  completeTwitchSignIn,
  startTwitchSignIn,
  type TwitchSignInDeps,
} from '../../../layers/shared/src/services/twitch-sign-in.ts';
import { bindWallet, requireWalletBinding } from '../../../layers/shared/src/services/wallet-binding.ts';
import { database, twitchHelix } from '../../dependencies.ts';
import { ATTENTION_ROUTES } from '../contract/attention.ts';
import { TWITCH_SIGN_IN_ROUTES } from '../contract/twitch-sign-in.ts';
import { type HttpEvent, httpHandler, json, parseRequest } from '../http.ts';

loadConfig(process.env, { require: ['DATABASE_URL', 'TWITCH_SECRET_ARN', 'TWITCH_REDIRECT_URIS'] });

const FIXED_ROUTES = ['GET /auth/twitch/authorize', 'POST /auth/twitch/session', 'POST /wallets/bind'];

function route(event: HttpEvent): string {
  const key = event.routeKey ?? '';
  if (key !== '' && key !== '$default') return key;
  const method = event.requestContext?.http?.method ?? 'GET';
  const path = event.rawPath ?? '';
  if (FIXED_ROUTES.includes(`${method} ${path}`)) return `${method} ${path}`;
  const match = /^\/wallets\/([^/]+)$/.exec(path);
  if (method === 'GET' && match !== null) {
    event.pathParameters = { ...event.pathParameters, user: match[1] ?? '' };
    return 'GET /wallets/{user}';
  }
  return `${method} ${path}`;
}

async function signInDeps(): Promise<TwitchSignInDeps> {
  const c = config();
  return {
    sql: (await database()).sql,
    twitch: await twitchHelix('required'),
    authUrl: c.TWITCH_AUTH_URL,
    redirectUris: c.TWITCH_REDIRECT_URIS,
    sessionTtlSeconds: c.VIEWER_SESSION_TTL_SECONDS,
    now: () => new Date(),
  };
}

export const handler = httpHandler(async (event) => {
  switch (route(event)) {
    case 'GET /auth/twitch/authorize': {
      const { query } = parseRequest(TWITCH_SIGN_IN_ROUTES['GET /auth/twitch/authorize'], event);
      return json(200, await startTwitchSignIn(await signInDeps(), query));
    }
    case 'POST /auth/twitch/session': {
      const { body } = parseRequest(TWITCH_SIGN_IN_ROUTES['POST /auth/twitch/session'], event);
      return json(201, await completeTwitchSignIn(await signInDeps(), body));
    }
    case 'POST /wallets/bind': {
      const { sql } = await database();
      const { body } = parseRequest(ATTENTION_ROUTES['POST /wallets/bind'], event);
      const client = await twitchHelix('optional');
      const binding = await bindWallet(
        { sql, validateTwitchToken: (token) => client.validateUserToken(token), now: () => new Date() },
        body,
      );
      return json(201, binding);
    }
    case 'GET /wallets/{user}': {
      const { sql } = await database();
      const { user } = parseRequest(ATTENTION_ROUTES['GET /wallets/{user}'], event).params;
      return json(200, await requireWalletBinding(sql, user));
    }
    default:
      throw new NotFoundError(`no route ${route(event)}`);
  }
});

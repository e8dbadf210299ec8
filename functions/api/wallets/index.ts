/**
 * Viewer sign-in and wallet binding API (API Gateway HTTP API, payload v2):
 *   GET  /auth/twitch/authorize  a fresh state and the Twitch authorize URL carrying it
 *   POST /auth/twitch/session    { code, state } → 201 a viewer session (services/attention/twitch-sign-in.ts)
 *   POST /wallets/bind           Authorization: Bearer <viewer session>,
 *                                { wallet, nonce, expiresAt, signature } → 201 binding
 *   GET  /wallets/{user}         the wallet bound for a login or user_hash (404 when none)
 * The canonical message is in core/attention/binding-message.ts, the checks in
 * services/attention/wallet-binding.ts. A binding that ended another announces WalletRebound.
 */
import { DependencyError, NotFoundError } from '../../../layers/shared/src/errors.ts';
import { logger, powertoolsTelemetry } from '../../../layers/shared/src/observability.ts';
import type { EventBus } from '../../../layers/shared/src/ports/event-bus.ts';
import type { Sql } from '../../../layers/shared/src/ports/sql.ts';
import {
  authenticateViewer,
  completeTwitchSignIn,
  startTwitchSignIn,
  type TwitchSignInDeps,
} from '../../../layers/shared/src/services/attention/twitch-sign-in.ts';
import {
  announceWalletRebindings,
  bindWallet,
  type Deployment,
  requireWalletBinding,
} from '../../../layers/shared/src/services/attention/wallet-binding.ts';
import { httpRoute, type PlatformOf } from '../../handlers.ts';
import { ATTENTION_ROUTES } from '../contract/attention.ts';
import { TWITCH_SIGN_IN_ROUTES } from '../contract/twitch-sign-in.ts';
import { type HttpEvent, type HttpResult, header, json, parseRequest } from '../http.ts';

export interface WalletsDeps {
  readonly sql: Sql;
  readonly events: EventBus;
  /** What a binding message must name: this deployment. */
  readonly deployment: Deployment;
  /** The Twitch sign-in's dependencies; a 503 where this deployment has no page to return to. */
  signIn(): Promise<TwitchSignInDeps>;
}

// TWITCH_REDIRECT_URIS is not required: a stage that has not registered a page for viewers to
// return to still serves the wallet lookups; only the sign-in routes answer 503 until it does.
export async function walletsDependencies(
  platform: PlatformOf<'DATABASE_URL' | 'API_ORIGIN' | 'TWITCH_SECRET_ARN'>,
): Promise<WalletsDeps> {
  const c = platform.config;
  const { sql } = await platform.database();
  return {
    sql,
    events: platform.eventBus(),
    deployment: { stage: c.STAGE, apiOrigin: c.API_ORIGIN },
    async signIn() {
      if (c.TWITCH_REDIRECT_URIS.length === 0) {
        throw new DependencyError(
          'viewer sign-in is not configured on this deployment: TWITCH_REDIRECT_URIS is not set (systems.attention.settings in the stage file)',
        );
      }
      return {
        sql,
        twitch: await platform.twitchHelix('required'),
        authUrl: c.TWITCH_AUTH_URL,
        redirectUris: c.TWITCH_REDIRECT_URIS,
        sessionTtlSeconds: c.VIEWER_SESSION_TTL_SECONDS,
        now: () => new Date(),
        telemetry: powertoolsTelemetry,
      };
    },
  };
}

/** WalletRebound for what this binding ended; a bus that is down leaves it to the next run. */
async function announce(deps: WalletsDeps): Promise<void> {
  try {
    await announceWalletRebindings(deps, new Date());
  } catch (error) {
    logger.warn('announcing ended wallet bindings failed; a later binding or seal run announces them', {
      error: (error as Error).message,
    });
  }
}

export async function handle(event: HttpEvent, deps: WalletsDeps): Promise<HttpResult> {
  switch (event.routeKey) {
    case 'GET /auth/twitch/authorize': {
      const { query } = parseRequest(TWITCH_SIGN_IN_ROUTES['GET /auth/twitch/authorize'], event);
      return json(200, await startTwitchSignIn(await deps.signIn(), query));
    }
    case 'POST /auth/twitch/session': {
      const { body } = parseRequest(TWITCH_SIGN_IN_ROUTES['POST /auth/twitch/session'], event);
      const session = await completeTwitchSignIn(await deps.signIn(), body);
      return json(201, { ...session, deployment: deps.deployment });
    }
    case 'POST /wallets/bind': {
      const viewer = await authenticateViewer(deps.sql, header(event, 'authorization'), new Date());
      const { body } = parseRequest(ATTENTION_ROUTES['POST /wallets/bind'], event);
      const binding = await bindWallet(
        { sql: deps.sql, deployment: deps.deployment, now: () => new Date() },
        viewer,
        body,
      );
      logger.info('wallet bound', { userHash: binding.userHash, twitchUserId: binding.twitchUserId });
      await announce(deps);
      return json(201, binding);
    }
    case 'GET /wallets/{user}': {
      const { user } = parseRequest(ATTENTION_ROUTES['GET /wallets/{user}'], event).params;
      return json(200, await requireWalletBinding(deps.sql, user));
    }
    default:
      throw new NotFoundError(`no route ${event.routeKey}`);
  }
}

export const handler = httpRoute(walletsDependencies, handle, {
  require: ['DATABASE_URL', 'API_ORIGIN', 'TWITCH_SECRET_ARN'],
  routes: { ...ATTENTION_ROUTES, ...TWITCH_SIGN_IN_ROUTES },
});

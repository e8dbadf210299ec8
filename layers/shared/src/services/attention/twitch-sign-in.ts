/**
 * Viewers prove a Twitch identity through the OAuth authorization-code flow, never with a token
 * they bring (DESIGN.md, "Wallet binding"): a token pasted by a client may have been issued to any
 * app, leaked by a chat bot or phished. Here the API
 *
 *   1. issues a `state` (single use, 10 minutes) for one of the configured redirect URIs and
 *      answers the Twitch authorize URL carrying it;
 *   2. takes the `code` and `state` Twitch sent the viewer back with, consumes the state, exchanges
 *      the code with the deployment's own Twitch app credentials, and validates the token it got
 *      (its `client_id` must be ours; the user id and login come from Twitch, not the client);
 *   3. opens a short-lived viewer session: an opaque random token, stored only as its sha256,
 *      recording the Twitch user id, the login and when the authorization was made.
 *
 * The session is the credential of every route that acts for a viewer (`Authorization: Bearer`);
 * such a route checks it with `authenticateViewer`, which needs nothing but the database. The
 * Twitch access token is used once, to learn who signed in, and never stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  findViewerSession,
  insertAuthState,
  insertViewerSession,
  purgeExpiredSignIns,
  useAuthState,
} from '../../adapters/db/attention/viewer-session-store.ts';
import { normalizeLogin } from '../../core/attention/signals.ts';
import { requirePresentedSession } from '../../core/session-tokens.ts';
import { DependencyError, UnauthorizedError, ValidationError } from '../../errors.ts';
import type { Sql } from '../../ports/sql.ts';
import type { Telemetry } from '../../ports/telemetry.ts';
import type { TwitchHelix } from '../../ports/twitch-helix.ts';

/** A state outlives the round trip through Twitch's sign-in page, and little more. */
export const STATE_LIFETIME_MS = 10 * 60_000;
/** 32 random bytes, base64url: states and session tokens alike. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
/** Rows of expired states and sessions removed per sign-in, so a flood of them cannot pile up. */
const PURGE_BATCH = 100;

export interface TwitchSignInDeps {
  readonly sql: Sql;
  readonly twitch: Pick<TwitchHelix, 'clientId' | 'exchangeAuthorizationCode' | 'validateUserToken'>;
  /** Twitch's OAuth base (TWITCH_AUTH_URL): the authorize page is `${authUrl}/authorize`. */
  readonly authUrl: string;
  /** Where Twitch may send the viewer back (registered for the app); the first is the default. */
  readonly redirectUris: readonly string[];
  readonly sessionTtlSeconds: number;
  readonly now: () => Date;
  readonly telemetry: Telemetry;
}

export interface TwitchAuthorization {
  /** Where to send the viewer's browser. */
  readonly authorizeUrl: string;
  readonly state: string;
  readonly redirectUri: string;
  readonly expiresAt: string;
}

export interface ViewerSession {
  /** The credential: `Authorization: Bearer <session>`. Shown once, stored only as a hash. */
  readonly session: string;
  readonly expiresAt: string;
  readonly twitchUserId: string;
  readonly login: string;
  readonly authorizedAt: string;
}

/** Who a viewer session says the caller is. */
export interface ViewerIdentity {
  readonly twitchUserId: string;
  readonly login: string;
  /** When the Twitch authorization behind the session was made. */
  readonly authorizedAt: Date;
  readonly expiresAt: Date;
}

/** `GET /auth/twitch/authorize`: a fresh state and the Twitch authorize URL that carries it. */
export async function startTwitchSignIn(
  deps: TwitchSignInDeps,
  request: { readonly redirectUri?: string | undefined },
): Promise<TwitchAuthorization> {
  const redirectUri = request.redirectUri ?? deps.redirectUris[0];
  if (redirectUri === undefined) {
    throw new DependencyError('Twitch sign-in is not configured: TWITCH_REDIRECT_URIS is empty');
  }
  if (!deps.redirectUris.includes(redirectUri)) {
    throw new ValidationError(
      `redirectUri must be one of the configured redirect URIs: ${deps.redirectUris.join(', ')}`,
    );
  }
  const now = deps.now();
  const state = randomToken();
  const expiresAt = new Date(now.getTime() + STATE_LIFETIME_MS);
  await insertAuthState(deps.sql, { stateHash: sha256(state), redirectUri, createdAt: now, expiresAt });
  await purgeExpiredSignIns(deps.sql, now, PURGE_BATCH);
  const url = new URL(`${deps.authUrl.replace(/\/+$/, '')}/authorize`);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', deps.twitch.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  // No scope: /oauth2/validate names the user of any token.
  url.searchParams.set('scope', '');
  url.searchParams.set('state', state);
  // Twitch asks again even when the viewer authorized the app before: a rebinding should be a
  // decision the viewer makes now, not a redirect a page can trigger unseen.
  url.searchParams.set('force_verify', 'true');
  return { authorizeUrl: url.toString(), state, redirectUri, expiresAt: expiresAt.toISOString() };
}

/**
 * `POST /auth/twitch/session`: consumes the state, exchanges the code, validates the token and
 * opens a viewer session. A state or a code is good for one attempt, whatever its outcome.
 */
export async function completeTwitchSignIn(
  deps: TwitchSignInDeps,
  request: { readonly code: string; readonly state: string },
): Promise<ViewerSession> {
  if (!TOKEN.test(request.state)) {
    throw new ValidationError('state must be the 43-character state GET /auth/twitch/authorize issued');
  }
  const now = deps.now();
  const issuedRedirectUri = await useAuthState(deps.sql, sha256(request.state), now);
  if (issuedRedirectUri === undefined) {
    throw new UnauthorizedError(
      'the sign-in state is unknown, already used or expired: start the sign-in again (GET /auth/twitch/authorize)',
    );
  }
  const token = await deps.twitch.exchangeAuthorizationCode(request.code, issuedRedirectUri);
  if (token === undefined) {
    throw new UnauthorizedError(
      'Twitch refused the authorization code (already used, expired, or not from this sign-in): start the sign-in again',
    );
  }
  const info = await deps.twitch.validateUserToken(token);
  if (info === undefined) throw new UnauthorizedError('Twitch does not accept the token it just issued');
  if (info.clientId !== deps.twitch.clientId) {
    // The token came from our own exchange, so this cannot happen unless Twitch is not Twitch.
    throw new UnauthorizedError('the Twitch token was not issued to this deployment’s Twitch app');
  }
  const login = normalizeLogin(info.login ?? '');
  if (info.userId === undefined || login === undefined) {
    throw new DependencyError('Twitch validated the token without a user id and login');
  }
  const session = randomToken();
  const expiresAt = new Date(now.getTime() + deps.sessionTtlSeconds * 1000);
  await insertViewerSession(deps.sql, {
    tokenHash: sha256(session),
    twitchUserId: info.userId,
    login,
    authorizedAt: now,
    expiresAt,
  });
  await purgeExpiredSignIns(deps.sql, now, PURGE_BATCH);
  deps.telemetry.info('viewer signed in with Twitch', { twitchUserId: info.userId });
  return {
    session,
    expiresAt: expiresAt.toISOString(),
    twitchUserId: info.userId,
    login,
    authorizedAt: now.toISOString(),
  };
}

/**
 * The viewer behind an `Authorization: Bearer <session>` header; 401 for anything else, a Twitch
 * token included (it is no session of ours).
 */
export async function authenticateViewer(
  sql: Sql,
  authorization: string | undefined,
  now: Date,
): Promise<ViewerIdentity> {
  const presented = requirePresentedSession('viewer', authorization);
  const row = TOKEN.test(presented) ? await findViewerSession(sql, sha256(presented), now) : undefined;
  if (row === undefined) {
    throw new UnauthorizedError(
      'the viewer session is unknown or expired (a Twitch token is not a session): sign in with Twitch again',
    );
  }
  return {
    twitchUserId: row.twitchUserId,
    login: row.login,
    authorizedAt: new Date(row.authorizedAt),
    expiresAt: new Date(row.expiresAt),
  };
}

function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

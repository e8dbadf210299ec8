/**
 * The session a request presents to a route that acts for a signed-in user: a viewer session
 * (services/attention/twitch-sign-in.ts) or a market session (services/market/market-sessions.ts),
 * each sent as `Authorization: Bearer <token>`. Read here, without the database, so that the HTTP
 * layer answers a request presenting none with the 401 its route would, before building anything
 * (functions/api/http.ts `readRequest`).
 */
import { UnauthorizedError } from '../errors.ts';

export type SessionKind = 'viewer' | 'market';

const BEARER: Readonly<Record<SessionKind, RegExp>> = {
  viewer: /^Bearer\s+(\S+)$/i,
  market: /^Bearer\s+(\S+)\s*$/i,
};

const NO_SESSION: Readonly<Record<SessionKind, string>> = {
  viewer:
    'sign in with Twitch first (GET /auth/twitch/authorize, then POST /auth/twitch/session) and send the session as Authorization: Bearer <session>; a Twitch token is not accepted',
  market:
    'this route acts for a market user: sign in with Ethereum (POST /api/auth/nonce, then POST /api/auth/session) and send Authorization: Bearer <token>',
};

/** The session token of an `Authorization` header, or undefined where it presents none. */
export function presentedSession(kind: SessionKind, authorization: string | undefined): string | undefined {
  return BEARER[kind].exec(authorization ?? '')?.[1];
}

/** The 401 a route acting for a `kind` session answers a request that presents none. */
export function noSession(kind: SessionKind): UnauthorizedError {
  return new UnauthorizedError(NO_SESSION[kind]);
}

/** The session token presented; the route's 401 where there is none. */
export function requirePresentedSession(kind: SessionKind, authorization: string | undefined): string {
  const token = presentedSession(kind, authorization);
  if (token === undefined) throw noSession(kind);
  return token;
}

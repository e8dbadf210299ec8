/**
 * Shared by the market routes, each `httpRoute(marketDependencies, handle, { market: true })`
 * (the market settings read at cold start, so a malformed one fails it with its name): who the
 * request's session signs in as. Input is validated with each route's contract (../contract/market.ts).
 */

import { presentedSession } from '../../../layers/shared/src/core/session-tokens.ts';
import { ForbiddenError } from '../../../layers/shared/src/errors.ts';
import { authenticateSession } from '../../../layers/shared/src/services/market/market-sessions.ts';
import type { MarketDependencies } from '../../market-dependencies.ts';
import { type HttpEvent, header } from '../http.ts';

/** The bearer token of `Authorization: Bearer <token>`, if the request presents one. */
export function bearerToken(event: HttpEvent): string | undefined {
  return presentedSession('market', header(event, 'authorization'));
}

/** The market user (lowercase address) the request's session signs in as; 401 without a live one. */
export function marketUser(event: HttpEvent, deps: MarketDependencies): Promise<string> {
  return authenticateSession(deps.sql, bearerToken(event), deps.now());
}

/** A request that names its user (`userId`) may name only the session's: another is a 403. */
export function sameUser(user: string, named: string | undefined): void {
  if (named !== undefined && named.toLowerCase() !== user) {
    throw new ForbiddenError(`this session acts for ${user} only, not for ${named}`);
  }
}

/** The confirmation page an email's link opens: configured, or this API's own on the request's domain. */
export function verifyEmailPage(event: HttpEvent, deps: MarketDependencies): string {
  return (
    deps.config.NOTIFICATIONS_VERIFY_EMAIL_URL ??
    `https://${event.requestContext?.domainName ?? 'localhost'}/api/notifications/verify/email`
  );
}

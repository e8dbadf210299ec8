/**
 * Double opt-in of a market user's contacts (services/market/contact-verification.ts):
 *   GET  /api/notifications/verify/email?token=  the page the email's link opens: one button, no change
 *   POST /api/notifications/verify/email         { token } (JSON, or the page's form) → confirmed
 *   POST /api/notifications/verify/sms           { code } with the user's session → confirmed
 * The email is confirmed by whoever holds its inbox (the token proves it); the phone by the
 * signed-in user who read the code, so its few digits cannot be guessed from outside the session.
 */

import { NotFoundError } from '../../../../layers/shared/src/errors.ts';
import {
  confirmEmail,
  confirmPhone,
} from '../../../../layers/shared/src/services/market/contact-verification.ts';
import { httpRoute } from '../../../handlers.ts';
import { type MarketDependencies, marketDependencies } from '../../../market-dependencies.ts';
import { MARKET_USER_ROUTES } from '../../contract/market-users.ts';
import {
  type HttpEvent,
  type HttpResult,
  header,
  json,
  parseInput,
  parseRequest,
  requestReader,
} from '../../http.ts';
import { marketUser } from '../market-http.ts';

/** A page no one can frame (no clickjacking of its button), with no script and no outside resource. */
function page(statusCode: number, title: string, content: string): HttpResult {
  return {
    statusCode,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy':
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head><body style="font-family:sans-serif;max-width:32rem;margin:3rem auto">${content}</body></html>`,
  };
}

const fromForm = (event: HttpEvent) =>
  (header(event, 'content-type') ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');

/** The token a confirmation posts: the confirmation page's form, or JSON. */
const postedEmailToken = requestReader((event): string => {
  const contract = MARKET_USER_ROUTES['POST /api/notifications/verify/email'];
  if (!fromForm(event)) return parseRequest(contract, event).body.token;
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : event.body;
  return parseInput(contract.body.schema, Object.fromEntries(new URLSearchParams(raw ?? '')), 'body').token;
});

export async function handle(event: HttpEvent, deps: MarketDependencies): Promise<HttpResult> {
  switch (event.routeKey) {
    case 'GET /api/notifications/verify/email': {
      const { query } = parseRequest(MARKET_USER_ROUTES['GET /api/notifications/verify/email'], event);
      // The token matched its pattern (base64url), so it is safe inside the attribute.
      return page(
        200,
        'Confirm your email',
        `<h1>Confirm your email</h1><p>Send Engagement Oracle notifications to this email address?</p><form method="post" action="/api/notifications/verify/email"><input type="hidden" name="token" value="${query.token}"><button type="submit">Yes, confirm</button></form><p>If you did not ask for this, close this page: nothing will be sent.</p>`,
      );
    }
    case 'POST /api/notifications/verify/email': {
      const token = postedEmailToken(event);
      if (fromForm(event)) {
        try {
          await confirmEmail(deps.sql, token, deps.now());
          return page(
            200,
            'Email confirmed',
            '<h1>Confirmed</h1><p>Notifications will now reach this address.</p>',
          );
        } catch (error) {
          if (!(error instanceof NotFoundError)) throw error;
          return page(
            404,
            'Link no longer valid',
            `<h1>This link no longer works</h1><p>${error.message}.</p>`,
          );
        }
      }
      return json(200, await confirmEmail(deps.sql, token, deps.now()));
    }
    case 'POST /api/notifications/verify/sms': {
      const user = await marketUser(event, deps);
      const { body } = parseRequest(MARKET_USER_ROUTES['POST /api/notifications/verify/sms'], event);
      return json(200, await confirmPhone(deps.sql, user, body.code, deps.now()));
    }
    default:
      throw new NotFoundError(`no route ${event.routeKey}`);
  }
}

export const handler = httpRoute(marketDependencies, handle, {
  market: true,
  routes: { ...MARKET_USER_ROUTES, 'POST /api/notifications/verify/email': postedEmailToken },
});

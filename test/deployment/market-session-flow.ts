/**
 * The market user's walk through the API, as a wallet app makes it: `POST /api/auth/nonce`, the
 * EIP-4361 message signed by the seeded wallet, `POST /api/auth/session`; then every route that
 * needs a market session gets `Authorization: Bearer <token>`. Some routes need what arrives later:
 * the email link's token and the SMS code (delivered by the notifications consumer), the id of
 * the subscription made, and signing out ends the session the others use. The check sends those
 * after the queue consumers ran (AFTER_DELIVERY_ROUTES, in this order).
 *
 * A stage without MARKET_SIWE_DOMAIN, MARKET_SIWE_URI and MARKET_SIWE_CHAIN_ID runs no market
 * sign-in: both sign-in routes answer 503 naming the settings (as designed), no session exists,
 * and the routes that need one answer 401. There the check sends each route a well-formed request
 * without a session and takes those answers (and 404 for an email token nobody was sent).
 */

import { API_ROUTES } from '../../functions/api/contract/routes.ts';
import type { SignInOffer } from '../../layers/shared/src/services/market/market-sessions.ts';
import { type KeyHolder, signedMessage, verificationSecret } from '../../local/market/demo-users.ts';
import type { FlowStep } from './sign-in-flow.ts';
import type { HttpRequest } from './trigger-events.ts';

export const MARKET_SIGN_IN_ROUTES = ['POST /api/auth/nonce', 'POST /api/auth/session'];

export const AFTER_DELIVERY_ROUTES = [
  'GET /api/notifications/verify/email',
  'POST /api/notifications/verify/email',
  'POST /api/notifications/verify/sms',
  'POST /api/notifications/unsubscribe',
  'DELETE /api/auth/session',
];

/** A phone number reserved for fiction (+1 555 01xx), where the SMS verification goes. */
export const CHECK_PHONE = '+15555550123';

/** The settings that name the site and chain market users sign in from. */
export const MARKET_SIGN_IN_SETTINGS = ['MARKET_SIWE_DOMAIN', 'MARKET_SIWE_URI', 'MARKET_SIWE_CHAIN_ID'];

/** What a 503 of a stage without market sign-in names. */
const NOT_CONFIGURED = 'sign-in is not configured';

/** A well-formed email token no confirmation link carried (43 of base64url). */
const UNKNOWN_EMAIL_TOKEN = 'A'.repeat(43);

export const needsMarketSession = (routeKey: string): boolean => API_ROUTES[routeKey]?.session === 'market';

export class MarketSessionFlow {
  #offer: SignInOffer | undefined;
  #token: string | undefined;
  #subscriptionId: string | undefined;
  #problem: string | undefined;
  /** Market sign-in is switched off in this stage (the sign-in function's environment names no site). */
  readonly off: boolean;

  constructor(
    private readonly wallet: KeyHolder,
    environment: Readonly<Record<string, string>>,
  ) {
    this.off = MARKET_SIGN_IN_SETTINGS.some((name) => (environment[name] ?? '').trim() === '');
  }

  /**
   * The request for a market route: `base` (the route's request of ./http-requests.ts) with the
   * session, or what the walk's earlier answers and the delivered messages give.
   */
  async step(
    routeKey: string,
    base: HttpRequest | undefined,
    delivered: readonly string[],
  ): Promise<FlowStep> {
    const secret = (find: 'token' | 'code') =>
      delivered.map((body) => verificationSecret({ body })[find]).find((s) => s !== undefined);
    if (this.off) return this.#withoutSession(routeKey, base);
    switch (routeKey) {
      case 'POST /api/auth/nonce':
        return { kind: 'request', request: {} };
      case 'POST /api/auth/session':
        if (this.#offer === undefined)
          return { kind: 'unavailable', reason: this.#problem ?? 'the nonce route issued no nonce' };
        return { kind: 'request', request: { body: await signedMessage(this.wallet, this.#offer) } };
      case 'GET /api/notifications/verify/email':
      case 'POST /api/notifications/verify/email': {
        const token = secret('token');
        if (token === undefined)
          return {
            kind: 'unavailable',
            reason: 'no confirmation email with a link reached the SES stand-in',
          };
        return routeKey.startsWith('GET')
          ? { kind: 'request', request: { query: { token } } }
          : { kind: 'request', request: { body: { token } } };
      }
      case 'POST /api/notifications/verify/sms': {
        const code = secret('code');
        if (code === undefined)
          return { kind: 'unavailable', reason: `no verification code reached ${CHECK_PHONE} by SMS` };
        return this.#withSession({ body: { code } });
      }
      case 'POST /api/notifications/unsubscribe':
        if (this.#subscriptionId === undefined)
          return { kind: 'unavailable', reason: 'the subscribe route answered no subscription' };
        return this.#withSession({ body: { subscriptionId: this.#subscriptionId } });
      default:
        if (!needsMarketSession(routeKey)) {
          return base === undefined
            ? { kind: 'unavailable', reason: 'the check knows no valid request for this route' }
            : { kind: 'request', request: base };
        }
        return this.#withSession(base ?? {});
    }
  }

  /** Where sign-in is off: each route's request, well-formed, without a session. */
  #withoutSession(routeKey: string, base: HttpRequest | undefined): FlowStep {
    switch (routeKey) {
      case 'POST /api/auth/nonce':
        return { kind: 'request', request: {} };
      case 'POST /api/auth/session':
        return {
          kind: 'request',
          request: { body: { message: 'no sign-in', signature: `0x${'00'.repeat(65)}` } },
        };
      case 'GET /api/notifications/verify/email':
        return { kind: 'request', request: { query: { token: UNKNOWN_EMAIL_TOKEN } } };
      case 'POST /api/notifications/verify/email':
        return { kind: 'request', request: { body: { token: UNKNOWN_EMAIL_TOKEN } } };
      case 'POST /api/notifications/verify/sms':
        return { kind: 'request', request: { body: { code: '000000' } } };
      case 'POST /api/notifications/unsubscribe':
        return { kind: 'request', request: { body: { subscriptionId: 'none' } } };
      default:
        if (base === undefined && !needsMarketSession(routeKey))
          return { kind: 'unavailable', reason: 'the check knows no valid request for this route' };
        return { kind: 'request', request: base ?? {} };
    }
  }

  /**
   * Where market sign-in is off, the designed answers: 503 naming the settings from the sign-in
   * routes, 401 from the routes that need a session, 404 for an email token nobody was sent.
   */
  acceptsUnavailable(routeKey: string, status: number, body: string): boolean {
    if (!this.off) return false;
    if (MARKET_SIGN_IN_ROUTES.includes(routeKey)) return status === 503 && body.includes(NOT_CONFIGURED);
    if (needsMarketSession(routeKey)) return status === 401;
    return routeKey === 'POST /api/notifications/verify/email' && status === 404;
  }

  #withSession(request: HttpRequest): FlowStep {
    if (this.#token === undefined)
      return {
        kind: 'unavailable',
        reason: this.#problem ?? 'no market session: the sign-in routes opened none',
      };
    return {
      kind: 'request',
      request: { ...request, headers: { ...request.headers, authorization: `Bearer ${this.#token}` } },
    };
  }

  /** Takes what later steps need from an answer: the nonce offer, the session, the subscription. */
  observe(routeKey: string, status: number, body: string): void {
    if (status < 200 || status >= 300) {
      if (MARKET_SIGN_IN_ROUTES.includes(routeKey)) this.#problem = `${routeKey} answered ${status}`;
      return;
    }
    // Only these answers are read (the confirmation page is HTML).
    if (
      !['POST /api/auth/nonce', 'POST /api/auth/session', 'POST /api/notifications/subscribe'].includes(
        routeKey,
      )
    )
      return;
    const answer = JSON.parse(body) as Record<string, unknown>;
    if (routeKey === 'POST /api/auth/nonce') this.#offer = answer as unknown as SignInOffer;
    else if (routeKey === 'POST /api/auth/session') this.#token = String(answer['token']);
    else if (routeKey === 'POST /api/notifications/subscribe')
      this.#subscriptionId = String(answer['subscriptionId']);
  }
}

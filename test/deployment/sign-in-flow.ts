/**
 * The viewer sign-in routes as a browser walks them: `GET /auth/twitch/authorize` issues a state,
 * the Twitch stand-in signs a viewer in and sends back a code, `POST /auth/twitch/session` answers
 * a viewer session, and `POST /wallets/bind` binds a wallet signed for the deployment the session
 * names. Each request depends on the answer before it, so the check sends these routes in this
 * order and tells the flow each answer.
 *
 * A stage without `TWITCH_REDIRECT_URIS` runs no sign-in: both sign-in routes answer 503 naming
 * the setting (as designed), and without a session the bind route cannot be sent a valid request.
 */
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import bs58 from 'bs58';
import { canonicalBindingMessage } from '../../layers/shared/src/core/attention/binding-message.ts';
import type { TwitchFixture } from '../../local/twitch-fixture.ts';
import type { HttpRequest } from './trigger-events.ts';

export const SIGN_IN_ROUTES = [
  'GET /auth/twitch/authorize',
  'POST /auth/twitch/session',
  'POST /wallets/bind',
];

/**
 * The routes of other functions that need the viewer session the sign-in routes opened, sent after
 * them in this order: the claim transactions while the wallet is bound (opting out removes the
 * binding), then the viewer opts out and lifts it again.
 */
export const VIEWER_SESSION_ROUTES = [
  'POST /claims/{user}/transactions',
  'POST /suppressions/self',
  'DELETE /suppressions/self',
];

/** Sign-in routes first, in the order a browser calls them; the others keep their order. */
export function signInOrder<T extends { routeKey: string }>(routes: readonly T[]): T[] {
  const rank = (r: T) => {
    const i = SIGN_IN_ROUTES.indexOf(r.routeKey);
    return i === -1 ? SIGN_IN_ROUTES.length : i;
  };
  return [...routes].sort((a, b) => rank(a) - rank(b));
}

/** What a 503 of a stage without sign-in names. */
const NOT_CONFIGURED = 'TWITCH_REDIRECT_URIS is not set';

export type FlowStep =
  | { readonly kind: 'request'; readonly request: HttpRequest }
  /** The route cannot be sent a valid request, for `reason`. */
  | { readonly kind: 'unavailable'; readonly reason: string };

export class SignInFlow {
  #state: string | undefined;
  #code: string | undefined;
  #session:
    | { value: string; twitchUserId: string; login: string; stage: string; apiOrigin: string }
    | undefined;
  #problem: string | undefined;
  /** Sign-in is switched off in this stage (the function's environment has no redirect URI). */
  readonly off: boolean;

  constructor(
    private readonly twitch: TwitchFixture,
    private readonly login: string,
    environment: Readonly<Record<string, string>>,
  ) {
    this.off = (environment['TWITCH_REDIRECT_URIS'] ?? '').trim() === '';
  }

  async step(routeKey: string): Promise<FlowStep> {
    switch (routeKey) {
      case 'GET /auth/twitch/authorize':
        return { kind: 'request', request: {} };
      case 'POST /auth/twitch/session':
        if (this.off) return { kind: 'request', request: { body: { code: 'none', state: 'none' } } };
        if (this.#state === undefined || this.#code === undefined)
          return { kind: 'unavailable', reason: this.#problem ?? 'the authorize route issued no state' };
        return { kind: 'request', request: { body: { code: this.#code, state: this.#state } } };
      case 'POST /wallets/bind': {
        const session = this.#session;
        if (session === undefined) {
          return {
            kind: 'unavailable',
            reason: this.off
              ? 'sign-in is off in this stage (TWITCH_REDIRECT_URIS is not set), so no viewer session exists'
              : (this.#problem ?? 'the session route opened no viewer session'),
          };
        }
        return { kind: 'request', request: bindRequest(session) };
      }
      default:
        throw new Error(`${routeKey} is not a sign-in route`);
    }
  }

  /** Where sign-in is off, a 503 naming the missing setting is the designed answer of its routes. */
  acceptsUnavailable(routeKey: string, status: number, body: string): boolean {
    if (this.off && VIEWER_SESSION_ROUTES.includes(routeKey)) return status === 401;
    return (
      this.off &&
      routeKey !== 'POST /wallets/bind' &&
      SIGN_IN_ROUTES.includes(routeKey) &&
      status === 503 &&
      body.includes(NOT_CONFIGURED)
    );
  }

  /**
   * The request of a route that needs the viewer session (VIEWER_SESSION_ROUTES): the session and
   * its login; where sign-in is off, the same request without a session (401 is its answer).
   */
  sessionStep(routeKey: string): FlowStep {
    const session = this.#session;
    if (session === undefined && !this.off)
      return { kind: 'unavailable', reason: this.#problem ?? 'the session route opened no viewer session' };
    const headers = session === undefined ? {} : { authorization: `Bearer ${session.value}` };
    const login = session?.login ?? this.login;
    switch (routeKey) {
      case 'POST /claims/{user}/transactions':
        return { kind: 'request', request: { headers, pathParameters: { user: login } } };
      case 'POST /suppressions/self':
        return { kind: 'request', request: { headers, body: { reason: 'deployment check' } } };
      case 'DELETE /suppressions/self':
        return { kind: 'request', request: { headers } };
      default:
        throw new Error(`${routeKey} is not a viewer session route`);
    }
  }

  /** Takes what the next step needs from an answer (the state and Twitch's code; the session). */
  async observe(routeKey: string, status: number, body: string): Promise<void> {
    if (status < 200 || status >= 300) return;
    const answer = JSON.parse(body) as Record<string, unknown>;
    if (routeKey === 'GET /auth/twitch/authorize') {
      const url = new URL(String(answer['authorizeUrl']));
      if (!url.href.startsWith(this.twitch.authorizeUrl)) {
        this.#problem = `the authorize URL ${url.origin}${url.pathname} is not the Twitch stand-in's`;
        return;
      }
      url.searchParams.set('login', this.login);
      const response = await fetch(url, { redirect: 'manual' });
      const back = new URL(response.headers.get('location') ?? 'http://invalid/');
      const code = back.searchParams.get('code');
      if (code === null) {
        this.#problem = `Twitch refused the authorize request (${response.status}): ${back.searchParams.get('error_description') ?? ''}`;
        return;
      }
      this.#state = String(answer['state']);
      this.#code = code;
    } else if (routeKey === 'POST /auth/twitch/session') {
      const deployment = answer['deployment'] as { stage: string; apiOrigin: string };
      this.#session = {
        value: String(answer['session']),
        twitchUserId: String(answer['twitchUserId']),
        login: String(answer['login']),
        stage: deployment.stage,
        apiOrigin: deployment.apiOrigin,
      };
    }
  }
}

/** A fresh wallet's signature over the canonical message for the signed-in viewer. */
function bindRequest(session: {
  value: string;
  twitchUserId: string;
  login: string;
  stage: string;
  apiOrigin: string;
}): HttpRequest {
  const secretKey = ed25519.utils.randomPrivateKey();
  const wallet = bs58.encode(ed25519.getPublicKey(secretKey));
  const body = {
    wallet,
    nonce: `check-${randomBytes(8).toString('hex')}`,
    expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
  };
  const message = canonicalBindingMessage({
    stage: session.stage,
    apiOrigin: session.apiOrigin,
    twitchUserId: session.twitchUserId,
    username: session.login,
    ...body,
  });
  const signature = bs58.encode(ed25519.sign(new TextEncoder().encode(message), secretKey));
  return { headers: { authorization: `Bearer ${session.value}` }, body: { ...body, signature } };
}

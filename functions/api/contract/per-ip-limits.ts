/**
 * Per-IP limits of the public routes that write or cost the operator something (a database row,
 * a Twitch code exchange, a signature check, a mint, a GraphQL execution), by API Gateway route
 * key. `httpRoute` (../../handlers.ts) counts every request to a listed route in DynamoDB before the
 * handler runs, valid or not, and answers 429 past the limit; the CDK wiring grants the rate-limit
 * table to each function serving one. A public write route missing here fails the registry test.
 *
 * The limits sit above what one person does by hand (signing in, binding a wallet, claiming,
 * subscribing) and far below what a script sends; several viewers behind one NAT share one.
 */

export interface PerIpLimit {
  /** Requests allowed per address in one window. */
  readonly limit: number;
  readonly windowSeconds: number;
}

const perMinute = (limit: number): PerIpLimit => ({ limit, windowSeconds: 60 });

export const PER_IP_LIMITS: Readonly<Record<string, PerIpLimit>> = {
  // Twitch sign-in: each authorize stores a state, each session a code exchange with Twitch.
  'GET /auth/twitch/authorize': perMinute(30),
  'POST /auth/twitch/session': perMinute(30),
  'POST /wallets/bind': perMinute(10),
  // A viewer's own opt-out and its lifting, and the claim transactions (an RPC read per leaf).
  'POST /suppressions/self': perMinute(10),
  'DELETE /suppressions/self': perMinute(10),
  'POST /claims/{user}/transactions': perMinute(30),
  'POST /api/generate/claim/{credentialId}': perMinute(10),
  // Above the subscription caps (20 per user, 30 per address), which answer 409 and 429 themselves.
  'POST /api/notifications/subscribe': perMinute(60),
  'POST /api/notifications/preferences': perMinute(20),
  'POST /graphql': perMinute(120),
  // Sign-In with Ethereum and the double opt-in of market users (DESIGN.md, "Market users").
  'POST /api/auth/nonce': perMinute(30),
  'POST /api/auth/session': perMinute(30),
  'DELETE /api/auth/session': perMinute(30),
  'POST /api/notifications/unsubscribe': perMinute(60),
  'POST /api/notifications/verify/email': perMinute(10),
  'POST /api/notifications/verify/sms': perMinute(10),
};

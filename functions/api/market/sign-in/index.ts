/**
 * Sign-In with Ethereum for market users (services/market/market-sessions.ts):
 *   POST   /api/auth/nonce    → 201 a nonce and what the message must name
 *   POST   /api/auth/session  { message, signature } → 201 a session
 *   DELETE /api/auth/session  (Authorization: Bearer) → 200, the session ends
 */
import { NotFoundError } from '../../../../layers/shared/src/errors.ts';
import {
  issueSignInNonce,
  signIn,
  signOut,
} from '../../../../layers/shared/src/services/market/market-sessions.ts';
import { httpRoute } from '../../../handlers.ts';
import { loadOnce } from '../../../lazy-ports.ts';
import { type MarketDependencies, marketDependencies } from '../../../market-dependencies.ts';
import { MARKET_USER_ROUTES } from '../../contract/market-users.ts';
import { type HttpEvent, type HttpResult, json, parseRequest, sourceIp } from '../../http.ts';
import { bearerToken, marketUser } from '../market-http.ts';

// Only this function reads Sign-In with Ethereum messages, so only its bundle carries siwe, and
// only a session request loads it (with ethers): a nonce or a sign-out needs neither.
const siweMessages = loadOnce(async () => {
  const { SiweMessages } = await import('../../../../layers/shared/src/adapters/evm/siwe-messages.ts');
  return new SiweMessages();
});

export async function handle(event: HttpEvent, deps: MarketDependencies): Promise<HttpResult> {
  switch (event.routeKey) {
    case 'POST /api/auth/nonce':
      return json(
        201,
        await issueSignInNonce(deps.sql, deps.signInSettings(), {
          sourceIp: sourceIp(event),
          now: deps.now(),
        }),
      );
    case 'POST /api/auth/session': {
      const { body } = parseRequest(MARKET_USER_ROUTES['POST /api/auth/session'], event);
      return json(
        201,
        await signIn({ sql: deps.sql, messages: await siweMessages() }, deps.signInSettings(), {
          ...body,
          now: deps.now(),
        }),
      );
    }
    case 'DELETE /api/auth/session': {
      await marketUser(event, deps);
      await signOut(deps.sql, bearerToken(event) as string, deps.now());
      return json(200, { signedOut: true });
    }
    default:
      throw new NotFoundError(`no route ${event.routeKey}`);
  }
}

export const handler = httpRoute(marketDependencies, handle, { market: true, routes: MARKET_USER_ROUTES });

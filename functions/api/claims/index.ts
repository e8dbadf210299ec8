/**
 * Claims API (API Gateway HTTP API, payload v2):
 *   GET /claims/{epoch}/{channel}/{user}  one leaf with its proof: { index, amount, id, claimer,
 *       leaf, proof, root, format, publication }; channel a Twitch login or a pseudo-channel
 *       (`category:<category>:<group>`, `carry:<group>`, colons plain or URL-encoded); user a
 *       login or a user_hash
 *   GET /claims/{user}                    everything the user can claim now (leaves the chain
 *       knows as claimed apart, where SOLANA_RPC_URL lets it ask), and carried balances
 *   POST /claims/{user}/transactions      Authorization: Bearer <viewer session>: those leaves as
 *       unsigned claim_channel_open transactions for the bound wallet to sign
 *       (services/attention/claim-transactions.ts)
 */
import { NotFoundError } from '../../../layers/shared/src/errors.ts';
import type { Sql } from '../../../layers/shared/src/ports/sql.ts';
import {
  type ClaimTransactionsDeps,
  claimTransactions,
} from '../../../layers/shared/src/services/attention/claim-transactions.ts';
import { authenticateViewer } from '../../../layers/shared/src/services/attention/twitch-sign-in.ts';
import { type ClaimsDeps, claimsDependencies } from '../../claims-dependencies.ts';
import { httpRoute, type PlatformOf } from '../../handlers.ts';
import { ATTENTION_ROUTES } from '../contract/attention.ts';
import { type HttpEvent, type HttpResult, header, json, parseRequest } from '../http.ts';

export interface ClaimsApiDeps extends ClaimsDeps {
  readonly sql: Sql;
  readonly transactions: Omit<ClaimTransactionsDeps, 'claims' | 'solana'>;
}

export async function claimsApiDependencies(platform: PlatformOf<'DATABASE_URL'>): Promise<ClaimsApiDeps> {
  const c = platform.config;
  // The program's addresses are @solana/web3.js PublicKeys: loaded with the dependencies, not the module.
  const { createAttentionProgram } = await import(
    '../../../layers/shared/src/adapters/solana/attention-program.ts'
  );
  return {
    ...(await claimsDependencies(platform)),
    sql: (await platform.database()).sql,
    transactions: {
      program: createAttentionProgram(c.ATTENTION_PROGRAM_ID),
      mode: c.PUBLISH_MODE,
      mints: c.TOKEN_GROUP_MINTS,
    },
  };
}

export async function handle(event: HttpEvent, deps: ClaimsApiDeps): Promise<HttpResult> {
  const { claims } = deps;
  switch (event.routeKey) {
    case 'GET /claims/{epoch}/{channel}/{user}': {
      const { epoch, channel, user } = parseRequest(
        ATTENTION_ROUTES['GET /claims/{epoch}/{channel}/{user}'],
        event,
      ).params;
      const view = claims.cachedClaim(epoch, channel, user) ?? (await claims.claim(epoch, channel, user));
      // The hot route: its answer holds no bigint, so it skips json()'s replacer.
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(view) };
    }
    case 'GET /claims/{user}': {
      const { user } = parseRequest(ATTENTION_ROUTES['GET /claims/{user}'], event).params;
      return json(200, await claims.userClaims(user));
    }
    case 'POST /claims/{user}/transactions': {
      const viewer = await authenticateViewer(deps.sql, header(event, 'authorization'), new Date());
      const { user } = parseRequest(ATTENTION_ROUTES['POST /claims/{user}/transactions'], event).params;
      const answer = await claimTransactions(
        { ...deps.transactions, claims, solana: deps.solana },
        viewer,
        user,
      );
      return json(200, answer);
    }
    default:
      throw new NotFoundError(`no route ${event.routeKey}`);
  }
}

export const handler = httpRoute(claimsApiDependencies, handle, {
  require: ['DATABASE_URL'],
  routes: ATTENTION_ROUTES,
});

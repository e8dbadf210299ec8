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
import { createAttentionProgram } from '../../../layers/shared/src/adapters/solana/attention-program.ts';
import { Web3SolanaClient } from '../../../layers/shared/src/adapters/solana/web3-solana-client.ts';
import { config, loadConfig } from '../../../layers/shared/src/config.ts';
import { NotFoundError } from '../../../layers/shared/src/errors.ts';
import { ChannelStateClaimStatus } from '../../../layers/shared/src/services/attention/claim-status.ts';
import { claimTransactions } from '../../../layers/shared/src/services/attention/claim-transactions.ts';
import { ClaimsReader } from '../../../layers/shared/src/services/attention/claims.ts';
import { authenticateViewer } from '../../../layers/shared/src/services/attention/twitch-sign-in.ts';
import { database } from '../../dependencies.ts';
import { ATTENTION_ROUTES } from '../contract/attention.ts';
import { header, httpHandler, json, parseRequest } from '../http.ts';

loadConfig(process.env, { require: ['DATABASE_URL'] });

let reader: Promise<ClaimsReader> | undefined;
let ready: ClaimsReader | undefined;
let solana: Web3SolanaClient | undefined;

function solanaClient(): Web3SolanaClient | undefined {
  const url = config().SOLANA_RPC_URL;
  if (url === undefined) return undefined;
  solana ??= new Web3SolanaClient({ url });
  return solana;
}

/** One reader per container: its tree cache outlives a single invocation. */
export function claimsReader(): Promise<ClaimsReader> {
  reader ??= database().then(({ sql }) => {
    const c = config();
    ready = new ClaimsReader(sql, {
      ...(c.SOLANA_RPC_URL === undefined
        ? {}
        : {
            claimStatus: new ChannelStateClaimStatus({
              solana: solanaClient() as Web3SolanaClient,
              program: createAttentionProgram(c.ATTENTION_PROGRAM_ID),
              mints: c.TOKEN_GROUP_MINTS,
            }),
          }),
    });
    return ready;
  });
  reader.catch(() => {
    reader = undefined;
  });
  return reader;
}

export const handler = httpHandler(async (event) => {
  const claims = ready ?? (await claimsReader());
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
      const { sql } = await database();
      const viewer = await authenticateViewer(sql, header(event, 'authorization'), new Date());
      const { user } = parseRequest(ATTENTION_ROUTES['POST /claims/{user}/transactions'], event).params;
      const c = config();
      const answer = await claimTransactions(
        {
          claims,
          solana: solanaClient(),
          program: createAttentionProgram(c.ATTENTION_PROGRAM_ID),
          mode: c.PUBLISH_MODE,
          mints: c.TOKEN_GROUP_MINTS,
        },
        viewer,
        user,
      );
      return json(200, answer);
    }
    default:
      throw new NotFoundError(`no route ${event.routeKey}`);
  }
});

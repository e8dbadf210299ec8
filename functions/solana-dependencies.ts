/**
 * What the Solana side of the attention oracle needs: the root publisher (signing key from
 * Secrets Manager) and publication verification. Apart from ./dependencies.ts so that only the
 * functions that talk to Solana bundle @solana/web3.js, whose bigint-buffer logs "Failed to load
 * bindings" as it loads.
 */
import { createAttentionProgram } from '../layers/shared/src/adapters/solana/attention-program.ts';
import { createKeypairSigner, parseSecretKey } from '../layers/shared/src/adapters/solana/keypair-signer.ts';
import { Web3SolanaClient } from '../layers/shared/src/adapters/solana/web3-solana-client.ts';
import { config } from '../layers/shared/src/config.ts';
import { ConfigError } from '../layers/shared/src/errors.ts';
import type { SolanaSigner } from '../layers/shared/src/ports/solana.ts';
import type { VerifierDeps } from '../layers/shared/src/services/attention/publication-verifier.ts';
import type { PublisherDeps } from '../layers/shared/src/services/attention/publisher.ts';
import { database, eventBus, onResetDependencies, publishQueue, secretStore } from './dependencies.ts';

let solanaSigner: Promise<SolanaSigner> | undefined;

/** Everything the root publisher needs; the publisher keypair is read once from Secrets Manager. */
export async function publisherDeps(): Promise<PublisherDeps> {
  const c = config();
  if (c.SOLANA_RPC_URL === undefined) throw new ConfigError('SOLANA_RPC_URL is required');
  const secretId = c.SOLANA_PUBLISHER_SECRET_ARN;
  if (secretId === undefined) throw new ConfigError('SOLANA_PUBLISHER_SECRET_ARN is required');
  solanaSigner ??= secretStore()
    .getSecret(secretId)
    .then((text) => createKeypairSigner(parseSecretKey(text)));
  solanaSigner.catch(() => {
    solanaSigner = undefined;
  });
  const { sql } = await database();
  return {
    sql,
    solana: new Web3SolanaClient({ url: c.SOLANA_RPC_URL }),
    signer: await solanaSigner,
    program: createAttentionProgram(c.ATTENTION_PROGRAM_ID),
    queue: publishQueue(),
    mode: c.PUBLISH_MODE,
    mints: c.TOKEN_GROUP_MINTS,
    priorityFeeMicroLamports: BigInt(c.PRIORITY_FEE_MICROLAMPORTS),
    events: eventBus(),
  };
}

/** What verifying a publication needs: no signing key. */
export async function verifierDeps(): Promise<VerifierDeps> {
  const c = config();
  if (c.SOLANA_RPC_URL === undefined) throw new ConfigError('SOLANA_RPC_URL is required');
  const { sql } = await database();
  return {
    sql,
    solana: new Web3SolanaClient({ url: c.SOLANA_RPC_URL }),
    program: createAttentionProgram(c.ATTENTION_PROGRAM_ID),
    mints: c.TOKEN_GROUP_MINTS,
  };
}

onResetDependencies(() => {
  solanaSigner = undefined;
});

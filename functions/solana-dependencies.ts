/**
 * What the Solana side of the attention oracle needs: the root publisher (signing key from
 * Secrets Manager) and publication verification. Apart from ./dependencies.ts so that only the
 * functions that talk to Solana bundle @solana/web3.js, whose bigint-buffer logs "Failed to load
 * bindings" as it loads.
 */
import { createAttentionProgram } from '../layers/shared/src/adapters/solana/attention-program.ts';
import { createKeypairSigner, parseSecretKey } from '../layers/shared/src/adapters/solana/keypair-signer.ts';
import { Web3SolanaClient } from '../layers/shared/src/adapters/solana/web3-solana-client.ts';
import { ConfigError } from '../layers/shared/src/errors.ts';
import { powertoolsTelemetry } from '../layers/shared/src/observability.ts';
import type { SolanaSigner } from '../layers/shared/src/ports/solana.ts';
import type { VerifierDeps } from '../layers/shared/src/services/attention/publication-verifier.ts';
import type { PublisherDeps } from '../layers/shared/src/services/attention/publisher.ts';
import { legacyPlatform } from './dependencies.ts';
import type { Platform } from './platform.ts';

/** Everything the root publisher needs; the publisher keypair is read from Secrets Manager once. */
export async function publisherDeps(platform: Platform = legacyPlatform()): Promise<PublisherDeps> {
  const c = platform.config;
  if (c.SOLANA_RPC_URL === undefined) throw new ConfigError('SOLANA_RPC_URL is required');
  const secretId = c.SOLANA_PUBLISHER_SECRET_ARN;
  if (secretId === undefined) throw new ConfigError('SOLANA_PUBLISHER_SECRET_ARN is required');
  const signer: Promise<SolanaSigner> = platform.secrets
    .getSecret(secretId)
    .then((text) => createKeypairSigner(parseSecretKey(text)));
  const { sql } = await platform.database();
  return {
    sql,
    solana: new Web3SolanaClient({ url: c.SOLANA_RPC_URL }),
    signer: await signer,
    program: createAttentionProgram(c.ATTENTION_PROGRAM_ID),
    queue: platform.queue(c.PUBLISH_QUEUE_URL, 'PUBLISH_QUEUE_URL'),
    mode: c.PUBLISH_MODE,
    mints: c.TOKEN_GROUP_MINTS,
    priorityFeeMicroLamports: BigInt(c.PRIORITY_FEE_MICROLAMPORTS),
    events: platform.eventBus(),
    telemetry: powertoolsTelemetry,
  };
}

/** What verifying a publication needs: no signing key. */
export async function verifierDeps(platform: Platform = legacyPlatform()): Promise<VerifierDeps> {
  const c = platform.config;
  if (c.SOLANA_RPC_URL === undefined) throw new ConfigError('SOLANA_RPC_URL is required');
  const { sql } = await platform.database();
  return {
    sql,
    solana: new Web3SolanaClient({ url: c.SOLANA_RPC_URL }),
    program: createAttentionProgram(c.ATTENTION_PROGRAM_ID),
    mints: c.TOKEN_GROUP_MINTS,
  };
}

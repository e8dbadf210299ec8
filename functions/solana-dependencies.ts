/**
 * What the Solana side of the attention oracle needs: the root publisher (signing key from
 * Secrets Manager) and publication verification. Apart from the other dependency modules so that only the
 * functions that talk to Solana bundle @solana/web3.js, whose bigint-buffer logs "Failed to load
 * bindings" as it loads. The Solana adapters load as the dependencies are built, not with the module.
 */
import { powertoolsTelemetry } from '../layers/shared/src/observability.ts';
import type { SolanaSigner } from '../layers/shared/src/ports/solana.ts';
import type { VerifierDeps } from '../layers/shared/src/services/attention/publication-verifier.ts';
import type { PublisherDeps } from '../layers/shared/src/services/attention/publisher.ts';
import type { PlatformOf } from './handler-entry.ts';

/** The Solana adapters, loaded by the first dependencies built. */
const solanaAdapters = () =>
  Promise.all([
    import('../layers/shared/src/adapters/solana/web3-solana-client.ts'),
    import('../layers/shared/src/adapters/solana/attention-program.ts'),
    import('../layers/shared/src/adapters/solana/keypair-signer.ts'),
  ]).then(([client, program, signer]) => ({ ...client, ...program, ...signer }));

/** Everything the root publisher needs; the publisher keypair is read from Secrets Manager once. */
export async function publisherDeps(
  platform: PlatformOf<'SOLANA_RPC_URL' | 'SOLANA_PUBLISHER_SECRET_ARN' | 'PUBLISH_QUEUE_URL'>,
): Promise<PublisherDeps> {
  const c = platform.config;
  const { Web3SolanaClient, createAttentionProgram, createKeypairSigner, parseSecretKey } =
    await solanaAdapters();
  const signer: Promise<SolanaSigner> = platform.secrets
    .getSecret(c.SOLANA_PUBLISHER_SECRET_ARN)
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
export async function verifierDeps(platform: PlatformOf<'SOLANA_RPC_URL'>): Promise<VerifierDeps> {
  const c = platform.config;
  const { Web3SolanaClient, createAttentionProgram } = await solanaAdapters();
  const { sql } = await platform.database();
  return {
    sql,
    solana: new Web3SolanaClient({ url: c.SOLANA_RPC_URL }),
    program: createAttentionProgram(c.ATTENTION_PROGRAM_ID),
    mints: c.TOKEN_GROUP_MINTS,
  };
}

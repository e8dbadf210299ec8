/**
 * What the claims and epochs routes share: one ClaimsReader per platform (per container in
 * Lambda), whose tree cache outlives an invocation, and the Solana client it asks which leaves the
 * chain knows as claimed (where SOLANA_RPC_URL is set). @solana/web3.js loads only there, with
 * the dependencies: a module import of the claims functions evaluates none of it.
 */
import type { Web3SolanaClient } from '../layers/shared/src/adapters/solana/web3-solana-client.ts';
import { powertoolsTelemetry } from '../layers/shared/src/observability.ts';
import { ClaimsReader } from '../layers/shared/src/services/attention/claims.ts';
import type { Platform } from './platform.ts';

export interface ClaimsDeps {
  readonly claims: ClaimsReader;
  /** Undefined where SOLANA_RPC_URL is not set. */
  readonly solana: Web3SolanaClient | undefined;
}

const built = new WeakMap<Platform, Promise<ClaimsDeps>>();

export function claimsDependencies(platform: Platform): Promise<ClaimsDeps> {
  let deps = built.get(platform);
  if (deps === undefined) {
    deps = (async () => {
      const { sql } = await platform.database();
      const c = platform.config;
      if (c.SOLANA_RPC_URL === undefined) return { claims: new ClaimsReader(sql, {}), solana: undefined };
      const [{ Web3SolanaClient }, { ChannelStateClaimStatus }, { createAttentionProgram }] =
        await Promise.all([
          import('../layers/shared/src/adapters/solana/web3-solana-client.ts'),
          import('../layers/shared/src/services/attention/claim-status.ts'),
          import('../layers/shared/src/adapters/solana/attention-program.ts'),
        ]);
      const solana = new Web3SolanaClient({ url: c.SOLANA_RPC_URL });
      const claims = new ClaimsReader(sql, {
        claimStatus: new ChannelStateClaimStatus({
          solana,
          program: createAttentionProgram(c.ATTENTION_PROGRAM_ID),
          mints: c.TOKEN_GROUP_MINTS,
        }),
        telemetry: powertoolsTelemetry,
      });
      return { claims, solana };
    })();
    built.set(platform, deps);
    deps.catch(() => built.delete(platform));
  }
  return deps;
}

/**
 * What the claims and epochs routes share: one ClaimsReader per platform (per container in
 * Lambda), whose tree cache outlives an invocation, and the Solana client it asks which leaves the
 * chain knows as claimed (where SOLANA_RPC_URL is set).
 */
import { createAttentionProgram } from '../layers/shared/src/adapters/solana/attention-program.ts';
import { Web3SolanaClient } from '../layers/shared/src/adapters/solana/web3-solana-client.ts';
import { powertoolsTelemetry } from '../layers/shared/src/observability.ts';
import { ChannelStateClaimStatus } from '../layers/shared/src/services/attention/claim-status.ts';
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
      const solana =
        c.SOLANA_RPC_URL === undefined ? undefined : new Web3SolanaClient({ url: c.SOLANA_RPC_URL });
      const claims = new ClaimsReader(
        sql,
        solana === undefined
          ? {}
          : {
              claimStatus: new ChannelStateClaimStatus({
                solana,
                program: createAttentionProgram(c.ATTENTION_PROGRAM_ID),
                mints: c.TOKEN_GROUP_MINTS,
              }),
              telemetry: powertoolsTelemetry,
            },
      );
      return { claims, solana };
    })();
    built.set(platform, deps);
    deps.catch(() => built.delete(platform));
  }
  return deps;
}

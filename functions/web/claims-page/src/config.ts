/**
 * The page's settings, read at run time from `./config.json` beside index.html: the local runtime
 * builds it at start, the deployment writes it into the page's bucket. Everything else the page
 * needs comes from the API.
 */
import { z } from 'zod';

export const SOLANA_CLUSTERS = ['localnet', 'devnet', 'mainnet-beta', 'testnet'] as const;

export const claimsPageConfig = z
  .object({
    apiBaseUrl: z
      .string({ required_error: 'apiBaseUrl is required' })
      .url('apiBaseUrl must be an absolute URL')
      .transform((url) => url.replace(/\/+$/, '')),
    solanaRpcUrl: z
      .string({ required_error: 'solanaRpcUrl is required' })
      .url('solanaRpcUrl must be an absolute URL'),
    solanaCluster: z.enum(SOLANA_CLUSTERS, {
      errorMap: () => ({ message: `solanaCluster must be one of ${SOLANA_CLUSTERS.join(', ')}` }),
    }),
  })
  .strict();

export type ClaimsPageConfig = z.output<typeof claimsPageConfig>;
export type SolanaCluster = (typeof SOLANA_CLUSTERS)[number];

/** The Wallet Standard chain id of a cluster (`solana:localnet`, `solana:mainnet`, …). */
export function walletChainOf(cluster: SolanaCluster): `solana:${string}` {
  return cluster === 'mainnet-beta' ? 'solana:mainnet' : `solana:${cluster}`;
}

/** Fetches and checks `config.json` next to the page; a bad file names its bad field. */
export async function loadClaimsPageConfig(base: string | URL): Promise<ClaimsPageConfig> {
  const response = await fetch(new URL('config.json', base));
  if (!response.ok) throw new Error(`config.json answered ${response.status}`);
  const parsed = claimsPageConfig.safeParse(await response.json());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`config.json is invalid: ${issue?.message ?? 'unknown problem'}`);
  }
  return parsed.data;
}

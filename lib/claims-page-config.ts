/**
 * What the claims page is told about its stage (its config.json, next to index.html, read by
 * the page at start) and whom its API answers, from the stage's settings (lib/systems.ts).
 */
import { join } from 'node:path';
import { parseOriginList } from './cors.ts';
import { REPO_ROOT } from './functions.ts';
import type { StageSettings } from './stage-config.ts';

export type SolanaCluster = 'mainnet-beta' | 'devnet' | 'testnet';

/** The page's config.json, as functions/web/claims-page reads it. */
export interface ClaimsPageConfig {
  readonly apiBaseUrl: string;
  readonly solanaRpcUrl: string;
  readonly solanaCluster: SolanaCluster;
}

export interface ClaimsPageSolana {
  readonly rpcUrl: string;
  readonly cluster: SolanaCluster;
}

/**
 * The RPC the page sends claims through and the cluster it asks wallets for. The page's
 * configuration is public, so it takes CLAIMS_PAGE_SOLANA_RPC_URL where the publisher's
 * SOLANA_RPC_URL carries a private key.
 */
export function claimsPageSolana(settings: StageSettings): ClaimsPageSolana {
  const rpcUrl = settings.values['CLAIMS_PAGE_SOLANA_RPC_URL'] ?? settings.values['SOLANA_RPC_URL'];
  if (rpcUrl === undefined) {
    throw new Error(
      `${settings.file}: the claims page needs a Solana RPC: set systems.attention.settings.SOLANA_RPC_URL or CLAIMS_PAGE_SOLANA_RPC_URL`,
    );
  }
  const given = settings.values['CLAIMS_PAGE_SOLANA_CLUSTER'] as SolanaCluster | undefined;
  const host = new URL(rpcUrl).hostname;
  const cluster =
    given ?? (host.includes('devnet') ? 'devnet' : host.includes('testnet') ? 'testnet' : 'mainnet-beta');
  return { rpcUrl, cluster };
}

/** Origins besides the page's own that the HTTP API answers for CORS (CLAIMS_PAGE_EXTRA_ORIGINS). */
export function claimsPageExtraOrigins(settings: StageSettings): string[] {
  return parseOriginList(settings.values['CLAIMS_PAGE_EXTRA_ORIGINS']);
}

/** The page's source, and the module that builds it (`buildClaimsPage(outDir)`: index.html, app.js, styles.css). */
export const CLAIMS_PAGE_SOURCE = join(REPO_ROOT, 'functions/web/claims-page');
export const CLAIMS_PAGE_BUILD = join(CLAIMS_PAGE_SOURCE, 'build.ts');

/** Replaced by the bucket deployment with the HTTP API's URL (its markers apply to every file of the page's asset). */
export const API_ORIGIN_MARKER = '__CLAIMS_PAGE_API_ORIGIN__';

/**
 * index.html with a meta Content-Security-Policy allowing connections only to the page itself,
 * the API (the marker) and the Solana RPC. The response header's policy cannot name the API (its
 * stack is deployed before the API's); a browser enforces both policies, so together they allow
 * exactly these.
 */
export function withConnectPolicy(html: string, rpcOrigin: string): string {
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head === null) throw new Error('the claims page index.html has no <head> to put its policy in');
  const meta = `<meta http-equiv="Content-Security-Policy" content="connect-src 'self' ${API_ORIGIN_MARKER} ${rpcOrigin}">`;
  const at = head.index + head[0].length;
  return `${html.slice(0, at)}\n    ${meta}${html.slice(at)}`;
}

/**
 * The page's Content-Security-Policy: its own files, and connections to itself and `connect`
 * (the API, the Solana RPC), nothing else; no frame may embed it. CloudFront sends it on AWS, the
 * local runtime (plain http, hence no upgrade) the same.
 */
export function claimsPageCsp(
  connect: readonly string[],
  options: { upgradeInsecureRequests: boolean },
): string {
  return [
    // 'self', not 'none': under 'none' the browser test's Twitch sign-in never returned to the page.
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "manifest-src 'self'",
    `connect-src 'self' ${connect.join(' ')}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    ...(options.upgradeInsecureRequests ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

/**
 * The claims page as the local runtime serves it: built at start (functions/web/claims-page),
 * held in memory, with a `config.json` naming this run's API and Solana RPC. The page is served
 * on the API's origin, so the Twitch redirect URI the runtime registers (`<api>/`) is the page.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildClaimsPage } from '../functions/web/claims-page/build.ts';
import type { ClaimsPageConfig } from '../functions/web/claims-page/src/config.ts';
import { claimsPageCsp } from '../lib/claims-page-config.ts';

export interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '/': 'text/html; charset=utf-8',
  '/app.js': 'text/javascript; charset=utf-8',
  '/app.js.map': 'application/json',
  '/styles.css': 'text/css; charset=utf-8',
};
const FILE_OF: Record<string, string> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/app.js.map': 'app.js.map',
  '/styles.css': 'styles.css',
};

/** URL path → file, for the page built now and `config`. */
export async function claimsPageFiles(config: ClaimsPageConfig): Promise<Map<string, StaticFile>> {
  const outDir = await mkdtemp(join(tmpdir(), 'claims-page-'));
  try {
    await buildClaimsPage(outDir);
    const files = new Map<string, StaticFile>();
    for (const [path, file] of Object.entries(FILE_OF)) {
      files.set(path, {
        body: await readFile(join(outDir, file)),
        contentType: CONTENT_TYPES[path] ?? 'application/octet-stream',
      });
    }
    files.set('/index.html', files.get('/') as StaticFile);
    files.set('/config.json', {
      body: Buffer.from(JSON.stringify(config)),
      contentType: 'application/json',
    });
    return files;
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

/**
 * The headers the page is served with: what the CDN adds on AWS. The page talks to the API (its
 * own origin here) and to the Solana RPC, nothing else; no frame may embed it.
 */
export function claimsPageHeaders(solanaRpcUrl: string): Record<string, string> {
  return {
    'content-security-policy': claimsPageCsp([new URL(solanaRpcUrl).origin], {
      upgradeInsecureRequests: false,
    }),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  };
}

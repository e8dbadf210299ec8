/**
 * Builds the claims page for its S3 asset (ClaimsPageContentStack's local bundling runs it):
 * `node --import tsx lib/claims-page-bundle.ts <outDir> <solana rpc origin>`. The page comes from
 * functions/web/claims-page/build.ts; index.html then gets the meta policy that narrows
 * connect-src to the API, whose URL the bucket deployment writes in place of the marker.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLAIMS_PAGE_BUILD, withConnectPolicy } from './claims-page-config.ts';

async function main([outDir, rpcOrigin]: readonly string[]): Promise<void> {
  if (outDir === undefined || rpcOrigin === undefined) {
    throw new Error('usage: claims-page-bundle.ts <outDir> <solana rpc origin>');
  }
  const page = (await import(pathToFileURL(CLAIMS_PAGE_BUILD).href)) as {
    buildClaimsPage: (dir: string) => Promise<unknown> | unknown;
  };
  await page.buildClaimsPage(outDir);
  const index = join(outDir, 'index.html');
  writeFileSync(index, withConnectPolicy(readFileSync(index, 'utf8'), rpcOrigin));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

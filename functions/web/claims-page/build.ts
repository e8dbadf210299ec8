/**
 * Builds the claims page: `src/main.ts` bundled by esbuild into `app.js` (minified, with its
 * source map, for the browsers es2022 covers), beside the static `index.html` and `styles.css`.
 * `config.json` is not part of the build: whoever serves the page writes it (the local runtime
 * at start, the deployment into the page's bucket).
 *
 *   npm run build:page            writes dist/claims-page/
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, buildSync } from 'esbuild';

const SOURCE = fileURLToPath(new URL('./src/', import.meta.url));
const STATIC_FILES = ['index.html', 'styles.css'] as const;

/** The files a built page consists of (config.json comes from whoever serves it). */
export const CLAIMS_PAGE_FILES = ['index.html', 'app.js', 'app.js.map', 'styles.css'] as const;

function options(outDir: string): BuildOptions {
  return {
    entryPoints: [join(SOURCE, 'main.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    minify: true,
    sourcemap: true,
    target: 'es2022',
    format: 'esm',
    platform: 'browser',
    legalComments: 'none',
    logLevel: 'silent',
  };
}

function copyStatic(outDir: string): void {
  for (const file of STATIC_FILES) copyFileSync(join(SOURCE, file), join(outDir, file));
}

export async function buildClaimsPage(outDir: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await build(options(outDir));
  copyStatic(outDir);
}

/** For callers that cannot await (a CDK stack's constructor). */
export function buildClaimsPageSync(outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  buildSync(options(outDir));
  copyStatic(outDir);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outDir = process.argv[2] ?? fileURLToPath(new URL('../../../dist/claims-page/', import.meta.url));
  await buildClaimsPage(outDir);
  console.log(`claims page built into ${outDir}`);
}

/**
 * Each Lambda bundle carries what its handler uses (issue 21 item 7): the authorizer reads secrets
 * and nothing else, a function that never talks to Solana bundles no @solana/web3.js, and one
 * that does loads it without bigint-buffer's "Failed to load bindings" warning.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { esbuildBuildOptions } from '../../lib/constructs/node-function.ts';
import { entryPath, FUNCTIONS, REPO_ROOT } from '../../lib/functions.ts';

// Inside the repository, so the bundle resolves the externals (@aws-sdk/*) as the runtime does.
const outdir = join(REPO_ROOT, 'node_modules', '.cache', `lean-bundles-${process.pid}`);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

async function bundle(name: string): Promise<{ file: string; packages: Set<string> }> {
  const spec = FUNCTIONS.find((f) => f.name === name);
  if (spec === undefined) throw new Error(`no function ${name} in lib/functions.ts`);
  const file = join(outdir, name, 'index.mjs');
  mkdirSync(join(outdir, name), { recursive: true });
  const { metafile } = await build({
    ...esbuildBuildOptions(),
    entryPoints: [entryPath(spec)],
    outfile: file,
    metafile: true,
    logLevel: 'silent',
  });
  return { file, packages: packagesIn(metafile) };
}

function packagesIn(metafile: Metafile): Set<string> {
  const names = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match?.[1] !== undefined) names.add(match[1]);
  }
  return names;
}

describe('lean Lambda bundles', () => {
  it('the authorizer bundles no chain SDK and no database client', async () => {
    const { packages } = await bundle('Authorizer');
    expect(packages.has('zod')).toBe(true);
    for (const heavy of ['@solana/web3.js', 'ethers', 'postgres', 'drizzle-orm', 'bigint-buffer', 'jayson']) {
      expect(packages, heavy).not.toContain(heavy);
    }
  });

  it('a function that never talks to Solana bundles no @solana/web3.js', async () => {
    const { packages } = await bundle('Discovery');
    expect(packages.has('postgres')).toBe(true);
    expect(packages).not.toContain('@solana/web3.js');
  });

  it('the root publisher loads @solana/web3.js without a bindings warning', async () => {
    const { file, packages } = await bundle('Publisher');
    expect(packages.has('@solana/web3.js')).toBe(true);
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        'await import(process.argv[1]); process.exit(0);',
        pathToFileURL(file).href,
      ],
      { env: { PATH: process.env['PATH'] ?? '', ORACLE_MODE: 'local' } },
    );
    expect(`${stdout}${stderr}`).not.toMatch(/bindings/i);
  });
});

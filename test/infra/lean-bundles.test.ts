/**
 * Each Lambda bundle carries what its handler uses (issue 21 item 7): the authorizer reads secrets
 * and nothing else, a function that never talks to Solana bundles no @solana/web3.js, and one
 * that does loads it without bigint-buffer's "Failed to load bindings" warning. What a bundle
 * carries but needs only sometimes (an AWS SDK client, a chain SDK) is evaluated by its first
 * use, not by the module import that is every cold start.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

async function bundle(name: string, minify = true): Promise<{ file: string; packages: Set<string> }> {
  const spec = FUNCTIONS.find((f) => f.name === name);
  if (spec === undefined) throw new Error(`no function ${name} in lib/functions.ts`);
  const dir = join(outdir, minify ? name : `${name}-unminified`);
  const file = join(dir, 'index.mjs');
  mkdirSync(dir, { recursive: true });
  const { metafile } = await build({
    ...esbuildBuildOptions(),
    minify,
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

const run = promisify(execFile);

/**
 * The packages whose modules the bundle evaluates when it is imported in a fresh process, as a
 * cold start does. esbuild wraps a module reached through `import()` (or `require`) in a function
 * it runs on that first use; unminified, the wrapper is named by the module's path, and V8's
 * coverage says which ran. A module not wrapped is evaluated by the import itself.
 */
async function evaluatedAtImport(name: string): Promise<{ bundled: Set<string>; evaluated: Set<string> }> {
  const { file, packages } = await bundle(name, false);
  const coverage = mkdtempSync(join(tmpdir(), 'lean-bundles-coverage-'));
  try {
    await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        'await import(process.argv[1]); process.exit(0);',
        pathToFileURL(file).href,
      ],
      { env: { PATH: process.env['PATH'] ?? '', ORACLE_MODE: 'local', NODE_V8_COVERAGE: coverage } },
    );
    const url = pathToFileURL(file).href;
    const ran = new Set<string>();
    for (const report of readdirSync(coverage)) {
      const { result } = JSON.parse(readFileSync(join(coverage, report), 'utf8')) as {
        result: { url: string; functions: { functionName: string; ranges: { count: number }[] }[] }[];
      };
      for (const script of result.filter((s) => s.url === url)) {
        for (const fn of script.functions) if ((fn.ranges[0]?.count ?? 0) > 0) ran.add(fn.functionName);
      }
    }
    const source = readFileSync(file, 'utf8');
    const evaluated = new Set<string>();
    for (const [, path] of source.matchAll(/^\/\/ (\S*node_modules\/\S+)$/gm)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path ?? '')?.[1];
      if (pkg === undefined || path === undefined) continue;
      if (!source.includes(`"${path}"(`) || ran.has(path)) evaluated.add(pkg);
    }
    return { bundled: packages, evaluated };
  } finally {
    rmSync(coverage, { recursive: true, force: true });
  }
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
    const { stdout, stderr } = await run(
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

  it('evaluates the AWS SDK clients of the platform on first use, not at import', async () => {
    const { bundled, evaluated } = await evaluatedAtImport('Discovery');
    for (const client of [
      '@aws-sdk/client-sqs',
      '@aws-sdk/client-eventbridge',
      '@aws-sdk/client-secrets-manager',
    ]) {
      expect(bundled, client).toContain(client);
      expect(evaluated, client).not.toContain(client);
    }
    expect(evaluated).not.toContain('@smithy/core');
    expect(evaluated).toContain('zod');
  });

  it("the authorizer's module import evaluates no AWS SDK: its secret store loads with the first key read", async () => {
    const { bundled, evaluated } = await evaluatedAtImport('Authorizer');
    expect(bundled).toContain('@aws-sdk/client-secrets-manager');
    expect([...evaluated].filter((p) => p.startsWith('@aws-sdk/') || p.startsWith('@smithy/'))).toEqual([]);
  });

  it('market sign-in evaluates siwe and ethers only for a session request', async () => {
    const { bundled, evaluated } = await evaluatedAtImport('MarketSignIn');
    for (const pkg of ['siwe', 'ethers']) {
      expect(bundled, pkg).toContain(pkg);
      expect(evaluated, pkg).not.toContain(pkg);
    }
  });

  it('the claims function evaluates @solana/web3.js with its dependencies, not at import', async () => {
    const { bundled, evaluated } = await evaluatedAtImport('ClaimsApi');
    expect(bundled).toContain('@solana/web3.js');
    expect(evaluated).not.toContain('@solana/web3.js');
  });

  it('the oracle calls consumer evaluates ethers and the SNS client with the delivery engine', async () => {
    const { bundled, evaluated } = await evaluatedAtImport('OracleCalls');
    for (const pkg of ['ethers', '@aws-sdk/client-sns']) {
      expect(bundled, pkg).toContain(pkg);
      expect(evaluated, pkg).not.toContain(pkg);
    }
  });

  it("the notifications consumer evaluates a channel's client with its first send", async () => {
    const { bundled, evaluated } = await evaluatedAtImport('Notifications');
    for (const pkg of ['@aws-sdk/client-sns', '@aws-sdk/client-sesv2', 'web-push']) {
      expect(bundled, pkg).toContain(pkg);
      expect(evaluated, pkg).not.toContain(pkg);
    }
  });
});

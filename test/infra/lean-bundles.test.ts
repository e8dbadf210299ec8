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
import { bundleOptions } from '../../lib/constructs/node-function.ts';
import { entryPath, FUNCTIONS, REPO_ROOT } from '../../lib/functions.ts';

// Inside the repository, so the bundle resolves the externals (@aws-sdk/*) as the runtime does.
const outdir = join(REPO_ROOT, 'node_modules', '.cache', `lean-bundles-${process.pid}`);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

interface Bundle {
  /** The handler's module, `index.mjs`. */
  readonly file: string;
  /** Every file of the bundle: `index.mjs` and the chunks of its dynamic imports. */
  readonly files: readonly string[];
  readonly packages: Set<string>;
}

async function bundle(name: string, minify = true): Promise<Bundle> {
  const spec = FUNCTIONS.find((f) => f.name === name);
  if (spec === undefined) throw new Error(`no function ${name} in lib/functions.ts`);
  const dir = join(outdir, minify ? name : `${name}-unminified`);
  mkdirSync(dir, { recursive: true });
  const { metafile } = await build({
    ...bundleOptions(entryPath(spec), dir),
    minify,
    metafile: true,
    logLevel: 'silent',
  });
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.mjs'))
    .map((f) => join(dir, f));
  return { file: join(dir, 'index.mjs'), files, packages: packagesIn(metafile) };
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

interface ImportCoverage {
  readonly bundled: Set<string>;
  /** Packages with a module in a file that the import read (evaluated or not). */
  readonly read: Set<string>;
  /** Packages with a module that the import evaluated. */
  readonly evaluated: Set<string>;
}

/**
 * What a fresh process reads and evaluates when it imports the bundle, as a cold start does.
 * V8's coverage lists the files Node loaded: the chunk of a dynamic `import()` is read only on
 * that first use. Inside a loaded file, esbuild wraps a module reached through `require` (or an
 * `import()` it could not split off) in a function it runs on first use; unminified, the wrapper is
 * named by the module's path, and the coverage says which ran. A module not wrapped is evaluated
 * by the import itself.
 */
async function importCoverage(name: string): Promise<ImportCoverage> {
  const { file, files, packages } = await bundle(name, false);
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
    const urls = new Set(files.map((f) => pathToFileURL(f).href));
    const loaded = new Set<string>();
    const ran = new Set<string>();
    for (const report of readdirSync(coverage)) {
      const { result } = JSON.parse(readFileSync(join(coverage, report), 'utf8')) as {
        result: { url: string; functions: { functionName: string; ranges: { count: number }[] }[] }[];
      };
      for (const script of result.filter((s) => urls.has(s.url))) {
        loaded.add(script.url);
        for (const fn of script.functions) if ((fn.ranges[0]?.count ?? 0) > 0) ran.add(fn.functionName);
      }
    }
    const read = new Set<string>();
    const evaluated = new Set<string>();
    for (const bundleFile of files.filter((f) => loaded.has(pathToFileURL(f).href))) {
      const source = readFileSync(bundleFile, 'utf8');
      for (const [, path] of source.matchAll(/^\/\/ (\S*node_modules\/\S+)$/gm)) {
        const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path ?? '')?.[1];
        if (pkg === undefined || path === undefined) continue;
        read.add(pkg);
        if (!source.includes(`"${path}"(`) || ran.has(path)) evaluated.add(pkg);
      }
    }
    return { bundled: packages, read, evaluated };
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
    const { files, packages } = await bundle('Publisher');
    expect(packages.has('@solana/web3.js')).toBe(true);
    // Every file of the bundle, as the first publication loads the chunks of its Solana adapters.
    const { stdout, stderr } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        'for (const f of process.argv.slice(1)) await import(f); process.exit(0);',
        ...files.map((f) => pathToFileURL(f).href),
      ],
      { env: { PATH: process.env['PATH'] ?? '', ORACLE_MODE: 'local' } },
    );
    expect(`${stdout}${stderr}`).not.toMatch(/bindings/i);
  });

  it('a package the handler imports lazily is in a chunk that the module import does not read', async () => {
    for (const [name, lazy] of [
      ['ClaimsApi', ['@solana/web3.js', 'jayson']],
      ['MarketSignIn', ['siwe', 'ethers']],
      ['Notifications', ['@aws-sdk/client-sesv2', 'web-push']],
      // The creators API reads the contracts on one route of five.
      ['CreatorsApi', ['ethers']],
      ['WsPrices', ['@aws-sdk/client-dynamodb', '@aws-sdk/client-apigatewaymanagementapi']],
    ] as const) {
      const { bundled, read } = await importCoverage(name);
      for (const pkg of lazy) {
        expect(bundled, `${name}: ${pkg}`).toContain(pkg);
        expect(read, `${name}: ${pkg}`).not.toContain(pkg);
      }
      expect(read, name).toContain('zod');
    }
  });

  it('evaluates the AWS SDK clients of the platform on first use, not at import', async () => {
    const { bundled, evaluated } = await importCoverage('Discovery');
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
    const { bundled, evaluated } = await importCoverage('Authorizer');
    expect(bundled).toContain('@aws-sdk/client-secrets-manager');
    expect([...evaluated].filter((p) => p.startsWith('@aws-sdk/') || p.startsWith('@smithy/'))).toEqual([]);
  });

  it('market sign-in evaluates siwe and ethers only for a session request', async () => {
    const { bundled, evaluated } = await importCoverage('MarketSignIn');
    for (const pkg of ['siwe', 'ethers']) {
      expect(bundled, pkg).toContain(pkg);
      expect(evaluated, pkg).not.toContain(pkg);
    }
  });

  it('the claims function evaluates @solana/web3.js with its dependencies, not at import', async () => {
    const { bundled, evaluated } = await importCoverage('ClaimsApi');
    expect(bundled).toContain('@solana/web3.js');
    expect(evaluated).not.toContain('@solana/web3.js');
  });

  it('the oracle calls consumer evaluates ethers and the SNS client with the delivery engine', async () => {
    const { bundled, evaluated } = await importCoverage('OracleCalls');
    for (const pkg of ['ethers', '@aws-sdk/client-sns']) {
      expect(bundled, pkg).toContain(pkg);
      expect(evaluated, pkg).not.toContain(pkg);
    }
  });

  it("the notifications consumer evaluates a channel's client and the send records with its first send", async () => {
    const { bundled, evaluated } = await importCoverage('Notifications');
    for (const pkg of [
      '@aws-sdk/client-sns',
      '@aws-sdk/client-sesv2',
      'web-push',
      '@aws-lambda-powertools/idempotency',
      '@aws-sdk/client-dynamodb',
    ]) {
      expect(bundled, pkg).toContain(pkg);
      expect(evaluated, pkg).not.toContain(pkg);
    }
  });

  it('the route contracts bundle no drizzle', async () => {
    const { metafile } = await build({
      ...bundleOptions(join(REPO_ROOT, 'functions/api/contract/routes.ts'), join(outdir, 'contracts')),
      metafile: true,
      write: false,
      logLevel: 'silent',
    });
    const packages = packagesIn(metafile);
    expect(packages).toContain('@asteasolutions/zod-to-openapi');
    expect(packages).not.toContain('drizzle-orm');
  });
});

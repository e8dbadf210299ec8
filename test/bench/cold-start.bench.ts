/**
 * Cold-start module import: each function is bundled as `npm run synth` bundles it
 * (lib/constructs/node-function.ts: `index.mjs` and a chunk per dynamic import), then each bundle is imported
 * in a fresh Node process, COLD_START_RUNS times (default 7), and the median time of the
 * `import()` itself is compared with the leanest function's in the same run. Runs are interleaved
 * (every function once per round) so that a busy machine slows all functions alike. A process that
 * prints a native-bindings warning ("Failed to load bindings", bigint-buffer's) while it imports the
 * bundle or then its chunks fails its row: Lambda would log it at every cold start.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { bundleOptions } from '../../lib/constructs/node-function.ts';
import { entryPath, FUNCTIONS, MIGRATE_ENTRY, REPO_ROOT } from '../../lib/functions.ts';
import type { BenchRow } from './harness.ts';

export const title = 'Lambda cold start (module import, fresh process)';

const RUNS = Number(process.env['COLD_START_RUNS'] ?? 7);
/** Targets of issue 21: every function within 2x of the leanest, the authorizer within 1.5x. */
const WITHIN = 2;
const AUTHORIZER_WITHIN = 1.5;
const AUTHORIZER = 'Authorizer';
const BINDINGS_WARNING = /failed to load bindings/i;
/** Inside the repository, so that the external `@aws-sdk/*` resolves as the Lambda runtime provides it. */
const OUT_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'cold-start-bench');
const run = promisify(execFile);

/**
 * Imports the bundle and prints how long the import took, after anything the bundle printed; then
 * loads the bundle's chunks (what its handler imports lazily, as later invocations do), so that a
 * warning printed by a chunk is seen too.
 */
const PROBE = `const start = performance.now();
await import(process.argv[1]);
const ms = performance.now() - start;
for (const chunk of process.argv.slice(2)) await import(chunk);
process.stdout.write('\\nimport-ms ' + ms + '\\n');
process.exit(0);`;

export interface ImportSample {
  readonly ms: number;
  /** What the process printed besides the measurement. */
  readonly output: string;
}

/** Bundles the handler into `outdir` as it is deployed: `index.mjs` and its chunks. */
export async function bundleTo(entry: string, outdir: string): Promise<string> {
  await build({ ...bundleOptions(entry, outdir), logLevel: 'silent' });
  return join(outdir, 'index.mjs');
}

/**
 * Local mode, plus what an entry point checks while it loads (creator sync builds its contract
 * reader at import); nothing is contacted while a module loads. AWS_LAMBDA_FUNCTION_NAME makes the
 * shared code load what it loads only in Lambda (observability.ts).
 */
const BENCH_ENV = {
  ORACLE_MODE: 'local',
  AWS_LAMBDA_FUNCTION_NAME: 'cold-start-bench',
  EVM_RPC_URL: 'http://127.0.0.1:8545',
  EVM_CHAIN_ID: '31337',
  CREATOR_METRICS_MANAGER_ADDRESS: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  CREATOR_TOKEN_FACTORY_ADDRESS: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
};

/** One fresh Node process importing the bundle. */
export async function importOnce(bundle: string): Promise<ImportSample> {
  const dir = dirname(bundle);
  const chunks = readdirSync(dir)
    .filter((f) => f.endsWith('.mjs') && join(dir, f) !== bundle)
    .map((f) => pathToFileURL(join(dir, f)).href);
  const { stdout, stderr } = await run(
    process.execPath,
    ['--input-type=module', '-e', PROBE, pathToFileURL(bundle).href, ...chunks],
    { env: { PATH: process.env['PATH'] ?? '', ...BENCH_ENV }, maxBuffer: 8 * 1024 * 1024 },
  ).catch((error: Error & { stderr?: string }) => {
    // The minified line of the bundle in the message is noise: the stack's end names the error.
    throw new Error(`importing ${bundle} failed: ${(error.stderr ?? error.message).slice(-600)}`);
  });
  const match = /\nimport-ms ([0-9.]+)\n$/.exec(stdout);
  if (match?.[1] === undefined) throw new Error(`no measurement from ${bundle}: ${stdout}${stderr}`);
  return { ms: Number(match[1]), output: `${stdout.slice(0, match.index)}${stderr}`.trim() };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export async function bench(): Promise<BenchRow[]> {
  const entries = [
    ...FUNCTIONS.map((f) => ({ name: f.name, entry: entryPath(f) })),
    { name: 'Migrate', entry: join(REPO_ROOT, MIGRATE_ENTRY) },
  ].filter((e) => existsSync(e.entry));
  rmSync(OUT_DIR, { recursive: true, force: true });
  const bundles: { name: string; file: string; samples: number[]; warnings: Set<string> }[] = [];
  for (const { name, entry } of entries) {
    const file = await bundleTo(entry, join(OUT_DIR, name));
    bundles.push({ name, file, samples: [], warnings: new Set() });
  }
  for (let round = 0; round < RUNS; round++) {
    for (const b of bundles) {
      const { ms, output } = await importOnce(b.file);
      b.samples.push(ms);
      for (const line of output.split('\n')) if (BINDINGS_WARNING.test(line)) b.warnings.add(line.trim());
    }
  }
  rmSync(OUT_DIR, { recursive: true, force: true });
  const medians = bundles.map((b) => ({ ...b, median: median(b.samples) }));
  const leanest = medians.reduce((a, b) => (b.median < a.median ? b : a));
  return medians.map((b) => {
    const times = b.median / leanest.median;
    const limit = b.name === AUTHORIZER ? AUTHORIZER_WITHIN : WITHIN;
    const warning = b.warnings.size > 0;
    return {
      name: b.name,
      value: b.median,
      unit: 'ms',
      peer: { name: `leanest (${leanest.name})`, value: leanest.median },
      target: `<= ${limit}x leanest, no bindings warning`,
      met: times <= limit && !warning,
      notes: `${times.toFixed(2)}x leanest${warning ? `; warning: ${[...b.warnings][0]}` : ''}`,
    };
  });
}

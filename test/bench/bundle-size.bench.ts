/**
 * Lambda bundle sizes: each function whose entry exists is bundled with esbuild exactly as
 * a function is bundled for deployment (lib/constructs/node-function.ts), and the zip Lambda would receive
 * (the handler, its chunks and their source maps) is measured against a 5 MB budget. The peer column is the unzipped size.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { build } from 'esbuild';
import { bundleOptions } from '../../lib/constructs/node-function.ts';
import { entryPath, FUNCTIONS, MIGRATE_ENTRY, REPO_ROOT } from '../../lib/functions.ts';
import type { BenchRow } from './harness.ts';

export const title = 'Lambda bundle size (zipped, as deployed)';

const BUDGET_BYTES = 5 * 1024 * 1024;
/** Local file header + central directory entry + end record, per the ZIP format, with the name. */
const zipOverhead = (name: string) => 30 + 46 + 2 * name.length + 22;

interface Bundle {
  readonly files: { name: string; bytes: Uint8Array }[];
  readonly largestPackages: [string, number][];
}

async function bundle(entry: string): Promise<Bundle> {
  const result = await build({
    ...bundleOptions(entry, '/bundle'),
    write: false,
    sourcemap: 'external',
    sourcesContent: false,
    metafile: true,
    logLevel: 'silent',
  });
  const perPackage = new Map<string, number>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = match?.[1] ?? '(project code)';
      perPackage.set(key, (perPackage.get(key) ?? 0) + bytesInOutput);
    }
  }
  return {
    files: result.outputFiles.map((f) => ({ name: f.path.split('/').pop() ?? f.path, bytes: f.contents })),
    largestPackages: [...perPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3),
  };
}

/** Deflate at the level zip tools use by default, plus the zip container's own bytes. */
export function zippedSize(files: readonly { name: string; bytes: Uint8Array }[]): number {
  return files.reduce(
    (sum, f) => sum + deflateRawSync(f.bytes, { level: 9 }).length + zipOverhead(f.name),
    0,
  );
}

export async function bench(): Promise<BenchRow[]> {
  const entries = [
    ...FUNCTIONS.map((f) => ({ name: f.name, entry: entryPath(f) })),
    { name: 'Migrate', entry: join(REPO_ROOT, MIGRATE_ENTRY) },
  ].filter((e) => existsSync(e.entry));
  const rows: BenchRow[] = [];
  for (const { name, entry } of entries) {
    const { files, largestPackages } = await bundle(entry);
    const zipped = zippedSize(files);
    const raw = files.reduce((sum, f) => sum + f.bytes.length, 0);
    rows.push({
      name,
      value: zipped / 1024,
      unit: 'KiB',
      peer: { name: 'unzipped', value: raw / 1024 },
      target: '< 5 MiB zipped',
      met: zipped < BUDGET_BYTES,
      notes: `largest: ${largestPackages.map(([p, b]) => `${p} ${(b / 1024).toFixed(0)} KiB`).join(', ')}`,
    });
  }
  return rows;
}

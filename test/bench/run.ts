/**
 * `npm run bench [filter]`: runs every test/bench/*.bench.ts (or those whose file name
 * contains the filter), prints one table and writes bench-results.json.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchModule, BenchRow } from './harness.ts';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv[2];
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (filter === undefined || f.includes(filter)))
  .sort();

const results: Array<{ suite: string; rows: BenchRow[]; error?: string }> = [];
for (const file of files) {
  const mod = (await import(`./${file}`)) as BenchModule;
  process.stderr.write(`bench: ${mod.title} ...\n`);
  try {
    results.push({ suite: mod.title, rows: await mod.bench() });
  } catch (error) {
    results.push({
      suite: mod.title,
      rows: [],
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

const fmt = (n: number) =>
  Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 1 ? n.toFixed(2) : n.toPrecision(3);
const lines: string[] = [];
lines.push(['suite', 'measurement', 'ours', 'peer', 'ours vs peer', 'target', 'met', 'notes'].join(' | '));
for (const { suite, rows, error } of results) {
  if (error !== undefined) lines.push(`${suite} | FAILED: ${error}`);
  for (const row of rows) {
    const peer = row.peer === undefined ? '' : `${row.peer.name}: ${fmt(row.peer.value)} ${row.unit}`;
    // "How many times better than the peer": rates (unit ending in /s) higher, times lower.
    const better =
      row.peer === undefined
        ? undefined
        : row.unit.endsWith('/s')
          ? row.value / row.peer.value
          : row.peer.value / row.value;
    const r = better === undefined ? '' : `${fmt(better)}x`;
    lines.push(
      [
        suite,
        row.name,
        `${fmt(row.value)} ${row.unit}`,
        peer,
        r,
        row.target ?? '',
        row.met === undefined ? '' : row.met ? 'yes' : 'NO',
        row.notes ?? '',
      ].join(' | '),
    );
  }
}
process.stdout.write(`${lines.join('\n')}\n`);
writeFileSync(
  'bench-results.json',
  `${JSON.stringify({ at: new Date().toISOString(), node: process.version, results }, null, 2)}\n`,
);
process.exitCode = results.some((r) => r.error !== undefined) ? 1 : 0;

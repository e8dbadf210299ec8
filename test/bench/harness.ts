/**
 * The benchmark harness: every `test/bench/*.bench.ts` exports `bench()`, which measures a
 * subject and its peer in the same run and returns rows. `npm run bench` prints them as a
 * table and writes them to bench-results.json.
 */
export interface BenchRow {
  /** What was measured, e.g. "merkle build+proofs 1,024 leaves". */
  readonly name: string;
  /** Our measurement, in `unit`; a unit ending in `/s` is a rate (higher is better), any other a cost. */
  readonly value: number;
  readonly unit: string;
  /** The peer measured in the same run (merkletreejs, a naive implementation, ...). */
  readonly peer?: { readonly name: string; readonly value: number };
  /** The target from the issue, for the table: e.g. "< 5 ms", ">= 20x". */
  readonly target?: string;
  /** Whether the target was met, where it can be judged. */
  readonly met?: boolean;
  readonly notes?: string;
}

export interface BenchModule {
  readonly title: string;
  bench(): Promise<BenchRow[]>;
}

/** Runs `fn` `iterations` times after `warmup` runs; returns the median in milliseconds. */
export async function medianMs(fn: () => unknown, iterations = 5, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
}

export function ratio(peer: number, ours: number): number {
  return ours === 0 ? Number.POSITIVE_INFINITY : peer / ours;
}

/**
 * `oracle demo seed --creators N [--seed S] [--now ISO] [--months M]`: loads the creator demo
 * catalogue (StreamVault users, creators, tracks, plays, follows, likes, comments, sales, tips)
 * into DATABASE_URL. Deterministic for the same arguments; a catalogue already loaded is left
 * as it is.
 */
import { parseArgs } from 'node:util';
import { createDb } from '../../layers/shared/src/adapters/db/client.ts';
import { seedCreatorDemo } from '../../local/creator-demo-seed.ts';

export const summary =
  'demo data: `demo seed --creators N [--seed S]` loads creators, plays, follows, likes…';

const USAGE = 'usage: oracle demo seed --creators N [--seed S] [--now ISO-8601] [--months M]';

function positiveInteger(name: string, value: string | undefined, fallback?: number): number | string {
  if (value === undefined) return fallback ?? `--${name} is required`;
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : `--${name} must be a positive integer, got ${value}`;
}

export async function run(argv: string[]): Promise<number> {
  const fail = (message: string) => {
    process.stderr.write(`oracle demo: ${message}\n${USAGE}\n`);
    return 2;
  };
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return fail((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals[0] !== 'seed' || positionals.length !== 1) return fail('the only subcommand is `seed`');
  const creators = positiveInteger('creators', values.creators);
  const seed = positiveInteger('seed', values.seed, 1);
  const months = positiveInteger('months', values.months, 6);
  for (const v of [creators, seed, months]) if (typeof v === 'string') return fail(v);
  const now = values.now === undefined ? new Date() : new Date(values.now);
  if (Number.isNaN(now.getTime())) return fail(`--now must be an ISO-8601 time, got ${values.now}`);
  const url = process.env['DATABASE_URL'];
  if (url === undefined || url === '') return fail('DATABASE_URL is required');

  const handle = createDb(url, { max: 2 });
  try {
    const { plans: _plans, ...result } = await seedCreatorDemo(handle.sql, {
      creators: creators as number,
      seed: seed as number,
      months: months as number,
      now,
    });
    process.stdout.write(
      `${JSON.stringify({ ...result, durationMs: Math.round(result.durationMs), rowsPerSecond: Math.round(result.rows / (result.durationMs / 1000)) }, null, 2)}\n`,
    );
    return 0;
  } finally {
    await handle.close();
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      creators: { type: 'string' },
      seed: { type: 'string' },
      now: { type: 'string' },
      months: { type: 'string' },
    },
  });
}

/**
 * `oracle recovery [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--days N] [--take [YYYY-MM-DD]] [--json]`:
 * the recovery dashboard's daily snapshots (the same as `GET /admin/recovery`), newest day first,
 * as a table. `--take` takes a day's snapshot now (default: the day before today, as the 01:00 UTC
 * schedule does), replacing that day's row. README.md, "Recovery dashboard", defines each column.
 */
import { parseArgs } from 'node:util';
import { createPlatform } from '../../functions/platform.ts';
import { loadConfig } from '../../layers/shared/src/config.ts';
import {
  MAX_RECOVERY_DAYS,
  previousDay,
  recoveryWindow,
} from '../../layers/shared/src/core/attention/recovery-day.ts';
import { isOracleError } from '../../layers/shared/src/errors.ts';
import { SILENT_TELEMETRY } from '../../layers/shared/src/ports/telemetry.ts';
import {
  listRecoverySnapshots,
  type RecoverySnapshot,
  takeRecoverySnapshot,
} from '../../layers/shared/src/services/attention/recovery-snapshot.ts';

export const summary = "the recovery dashboard's daily snapshots as a table (--take to take a day now)";

const USAGE = `usage: oracle recovery [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--days N (1–${MAX_RECOVERY_DAYS}, default 14)]
                       [--take [YYYY-MM-DD]] [--json]
`;

const COLUMNS = [
  ['day', 11],
  ['carried', 8],
  ['carried units', 22],
  ['recovered', 10],
  ['recovered units', 22],
  ['rate %', 7],
  ['mapped %', 9],
  ['bound %', 8],
  ['overflow', 9],
  ['overflow %', 11],
  ['overflow units', 22],
] as const;

const pct = (v: number | null) => (v === null ? '-' : v.toFixed(2));

function row(s: RecoverySnapshot): string {
  const cells = [
    s.complete ? s.day : `${s.day}*`,
    String(s.carried.viewers),
    s.carried.amount,
    String(s.recovered.viewers),
    s.recovered.amount,
    pct(s.recovered.rate),
    pct(s.coverage.mapping),
    pct(s.coverage.binding),
    String(s.overflow.participations),
    pct(s.overflow.participationShare),
    s.overflow.amount,
  ];
  return cells.map((cell, i) => cell.padStart((COLUMNS[i] as (typeof COLUMNS)[number])[1])).join(' ');
}

export function table(snapshots: readonly RecoverySnapshot[]): string {
  const header = COLUMNS.map(([name, width]) => name.padStart(width)).join(' ');
  const lines = snapshots.map(row);
  const footnote = snapshots.some((s) => !s.complete)
    ? ['* taken before 01:00 UTC the next day: the day is not complete yet']
    : [];
  return `${[header, ...lines, ...(snapshots.length === 0 ? ['(no snapshots)'] : []), ...footnote].join('\n')}\n`;
}

export async function run(argv: string[]): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  let positionals: string[];
  try {
    ({ values, positionals } = parse(argv));
  } catch (error) {
    process.stderr.write(`oracle recovery: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > MAX_RECOVERY_DAYS || positionals.length > 1) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (positionals.length === 1 && values.take !== true) {
    process.stderr.write(USAGE);
    return 2;
  }
  const platform = createPlatform(loadConfig(process.env));
  try {
    const c = platform.config;
    if (c.DATABASE_URL === undefined && c.DB_SECRET_ARN === undefined) {
      process.stderr.write(
        'oracle recovery: no DATABASE_URL set and no `oracle local` running; start one or point DATABASE_URL at a database\n',
      );
      return 2;
    }
    const { sql } = await platform.database();
    if (values.take === true) {
      const now = new Date();
      await takeRecoverySnapshot(
        sql,
        recoveryWindow(positionals[0] ?? previousDay(now), now),
        SILENT_TELEMETRY,
      );
    }
    const snapshots = await listRecoverySnapshots(sql, {
      from: values.from,
      to: values.to,
      limit: days,
    });
    process.stdout.write(values.json === true ? `${JSON.stringify(snapshots, null, 2)}\n` : table(snapshots));
    return 0;
  } catch (error) {
    if (isOracleError(error) && error.httpStatus < 500) {
      process.stderr.write(`oracle recovery: ${error.message}\n`);
      return 2;
    }
    throw error;
  } finally {
    await platform.close();
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      days: { type: 'string', default: '14' },
      take: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
}

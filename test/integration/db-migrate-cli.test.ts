import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { describe, expect, inject, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('oracle db migrate', () => {
  it('migrates an empty database, and a second run applies nothing', async () => {
    const admin = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => {} });
    await admin.unsafe('create database migrate_cli_test');
    await admin.end();
    const url = new URL(inject('pgAdminUrl'));
    url.pathname = '/migrate_cli_test';
    const run = () =>
      spawnSync(process.execPath, ['--import', 'tsx', 'bin/oracle.ts', 'db', 'migrate'], {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: url.toString(),
          ORACLE_MODE: 'production',
          AWS_REGION: 'eu-west-1',
        },
        encoding: 'utf8',
      });
    const first = run();
    expect(first.status, first.stderr).toBe(0);
    const applied = JSON.parse(first.stdout) as { applied: number; total: number };
    expect(applied.applied).toBeGreaterThan(0);
    expect(applied.applied).toBe(applied.total);
    const second = run();
    expect(JSON.parse(second.stdout)).toEqual({ applied: 0, total: applied.total });
    const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
    const [row] = await sql<
      { n: number }[]
    >`select count(*)::int as n from information_schema.tables where table_schema = 'attention'`;
    await sql.end();
    expect(row?.n).toBeGreaterThan(10);
  });
});

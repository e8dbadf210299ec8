import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../fixtures/db.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function oracle(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'bin/oracle.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('oracle demo seed', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.close());

  it('loads the catalogue once and leaves it alone the second time', async () => {
    const args = ['demo', 'seed', '--creators', '25', '--seed', '4', '--now', '2026-11-25T12:00:00Z'];
    const first = oracle(args, { DATABASE_URL: t.url });
    expect(first.status).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ creators: 25, alreadySeeded: false });
    const second = oracle(args, { DATABASE_URL: t.url });
    expect(JSON.parse(second.stdout)).toMatchObject({ alreadySeeded: true, rows: 0 });
    const [count] = await t.sql<{ n: number }[]>`select count(*)::int as n from creator.creators`;
    expect(count!.n).toBe(25);
  });

  it('exits 2 naming a bad argument', () => {
    const result = oracle(['demo', 'seed', '--creators', 'many'], { DATABASE_URL: t.url });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--creators must be a positive integer, got many');
  });
});

/**
 * The recovery dashboard served (issue 18, item 5): `GET /admin/recovery` through the local HTTP
 * server, which checks admin tokens as the authorizer does on AWS, `oracle recovery` as an operator
 * runs it, and the OpenAPI document listing the route with its auth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/api/contract/openapi.ts';
import { recoveryWindow } from '../../layers/shared/src/core/attention/recovery-day.ts';
import { SILENT_TELEMETRY } from '../../layers/shared/src/ports/telemetry.ts';
import { writeIngestBatch } from '../../layers/shared/src/services/attention/ingest-writer.ts';
import { takeRecoverySnapshot } from '../../layers/shared/src/services/attention/recovery-snapshot.ts';
import { finalizeEpoch } from '../../layers/shared/src/services/attention/sealing.ts';
import type { LocalHttpServer } from '../../local/http-server.ts';
import { startAdminHttpServer } from '../fixtures/admin-http.ts';
import { testAttentionSettings } from '../fixtures/attention-settings.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { BASE_EPOCH_MS, makeEvent } from '../fixtures/events.ts';
import { runOracleCli } from '../fixtures/oracle-cli.ts';

const ADMIN = 'token-of-oncall';
const DAY = '2026-01-01';

let t: TestDatabase;
let http: LocalHttpServer;

beforeAll(async () => {
  t = await createTestDatabase();
  Object.assign(process.env, { ORACLE_MODE: 'local', LOG_LEVEL: 'SILENT', DATABASE_URL: t.url });
  http = await startAdminHttpServer({ oncall: ADMIN }, { partner: 'key-of-partner' });
  // One unbound viewer on 2026-01-01 (carried), snapshots of that day and the two before.
  await writeIngestBatch(t.sql, [makeEvent({ user: 'unbound_one' })], new Date(BASE_EPOCH_MS + 120_000));
  const settings = testAttentionSettings({ baseUnitsPerWeight: 1000n, categoryBaseUnitsPerWeight: 0n });
  await finalizeEpoch(
    { telemetry: SILENT_TELEMETRY, sql: t.sql, settings },
    BASE_EPOCH_MS / 1000,
    new Date(BASE_EPOCH_MS + 3_900_000),
  );
  // The ledger dates its movements by the database clock: put them when the hourly run made them.
  await t.sql`update attention.carry_ledger set created_at = ${new Date(BASE_EPOCH_MS + 3_900_000).toISOString()}::timestamptz`;
  for (const day of ['2025-12-30', '2025-12-31', DAY]) {
    await takeRecoverySnapshot(
      t.sql,
      recoveryWindow(day, new Date('2026-01-05T00:00:00Z')),
      SILENT_TELEMETRY,
    );
  }
});

afterAll(async () => {
  await http?.close();
  await t?.close();
});

async function get(query: string, token: string | null = ADMIN) {
  const response = await fetch(`${http.url}/admin/recovery${query}`, {
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

interface Listed {
  snapshots: { day: string; complete: boolean; carried: { viewers: number; amount: string } }[];
}

describe('GET /admin/recovery', () => {
  it('serves the daily snapshots newest first, within the days asked for', async () => {
    const all = (await get('')).body as unknown as Listed;
    expect(all.snapshots.map((s) => s.day)).toEqual([DAY, '2025-12-31', '2025-12-30']);
    expect(all.snapshots[0]).toMatchObject({ complete: true, carried: { viewers: 1, amount: '1000' } });

    const some = (await get('?from=2025-12-31&to=2025-12-31')).body as unknown as Listed;
    expect(some.snapshots.map((s) => s.day)).toEqual(['2025-12-31']);
    const newest = (await get('?limit=2')).body as unknown as Listed;
    expect(newest.snapshots.map((s) => s.day)).toEqual([DAY, '2025-12-31']);
  });

  it('answers 401 without an admin token, and to an ingest key', async () => {
    expect((await get('', null)).status).toBe(401);
    expect((await get('', 'key-of-partner')).status).toBe(401);
  });

  it.each([
    ['?from=2026-13-01', /from: .*YYYY-MM-DD/],
    ['?to=yesterday', /to: .*YYYY-MM-DD/],
    ['?from=2026-01-02&to=2026-01-01', /to: must not be before from/],
    ['?from=2025-01-01&to=2026-01-02', /to: must be within 366 days of from, got 367 days/],
    ['?limit=0', /limit/],
    ['?limit=367', /limit/],
    ['?day=2026-01-01', /day/],
  ])('answers 400 naming what is wrong in %s', async (query, message) => {
    const { status, body } = await get(query);
    expect(status).toBe(400);
    expect((body['error'] as { message: string }).message).toMatch(message);
  });

  it('is in the OpenAPI document with admin auth', () => {
    const operation = openApiDocument().paths?.['/admin/recovery']?.get;
    expect(operation?.security).toEqual([{ AdminToken: [] }]);
    expect(Object.keys(operation?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '401']));
  });
});

describe('oracle recovery', () => {
  const cli = (...args: string[]) => runOracleCli(['recovery', ...args], { DATABASE_URL: t.url });

  it('prints the latest snapshots as a table, newest first', () => {
    const run = cli('--days', '2');
    expect(run.status, run.stderr).toBe(0);
    const [header, first, second, ...rest] = run.stdout.trimEnd().split('\n');
    expect(header?.trim().split(/\s{2,}|\s(?=[a-z])/)[0]).toBe('day');
    expect(header).toMatch(/carried +carried units +recovered +recovered units +rate % +mapped % +bound %/);
    // 2026-01-01: one viewer carried 1000 base units, none recovered, one participant mapped, none bound.
    expect(first?.trim().split(/\s+/)).toEqual([
      DAY,
      '1',
      '1000',
      '0',
      '0',
      '0.00',
      '100.00',
      '0.00',
      '0',
      '0.00',
      '0',
    ]);
    expect(second?.trim().split(/\s+/)[0]).toBe('2025-12-31');
    expect(rest).toEqual([]);
  });

  it('refuses a malformed day with exit code 2, naming it', () => {
    const run = cli('--from', '2026-02-30');
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/from: a day must be a calendar date as YYYY-MM-DD, got "2026-02-30"/);
  });
});

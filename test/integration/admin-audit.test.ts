/**
 * The admin audit log (issue 18, item 3): admin routes record who (the admin token's name, never
 * the token), what, and the target before and after, in the transaction of the change; and
 * `GET /admin/audit` serves the log, filtered and paged. Through the local HTTP server, which
 * checks admin tokens as the authorizer does on AWS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../functions/platform.ts';
import { StaticSecretStore } from '../../layers/shared/src/adapters/aws/secrets-manager-store.ts';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import { writeIngestBatch } from '../../layers/shared/src/services/attention/ingest-writer.ts';
import { type LocalHttpServer, startHttpServer } from '../../local/http-server.ts';
import { ROUTES } from '../../local/routes.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { BASE_EPOCH_MS, makeEvent } from '../fixtures/events.ts';
import { platformFromEnv } from '../fixtures/platform.ts';

const ONCALL = 'token-of-oncall';
const AUDITOR = 'token-of-auditor';

let t: TestDatabase;
let http: LocalHttpServer;
let platform: Platform;

beforeAll(async () => {
  t = await createTestDatabase();
  Object.assign(process.env, { ORACLE_MODE: 'local', LOG_LEVEL: 'SILENT', DATABASE_URL: t.url });
  platform = platformFromEnv();
  http = await startHttpServer({
    routes: ROUTES,
    platform: Promise.resolve(platform),
    secrets: new StaticSecretStore({
      'audit/ingest': JSON.stringify({ partner: 'key-of-partner' }),
      'audit/admin': JSON.stringify({ oncall: ONCALL, auditor: AUDITOR }),
    }),
    ingestKeysSecretId: 'audit/ingest',
    adminTokensSecretId: 'audit/admin',
  });
});

afterAll(async () => {
  await platform?.close();
  await http.close();
  await t.close();
});

function call(method: string, path: string, token: string | undefined, body?: unknown): Promise<Response> {
  return fetch(`${http.url}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

interface Page {
  entries: { id: number; actor: string; action: string; targetId: string; before: unknown; after: unknown }[];
  nextBefore: number | null;
}

async function audit(query: Record<string, string> = {}): Promise<Page> {
  const response = await call('GET', `/admin/audit?${new URLSearchParams(query)}`, AUDITOR);
  const body = await response.text();
  expect(response.status, body).toBe(200);
  return JSON.parse(body) as Page;
}

describe('the admin audit log', () => {
  it("records an opt-out under the admin token's name, with the viewer before and after", async () => {
    const response = await call('POST', '/suppressions', ONCALL, { user: 'quiet_viewer', reason: 'asked' });
    expect(response.status).toBe(201);

    const { entries } = await audit({ action: 'suppression' });
    expect(entries).toEqual([
      expect.objectContaining({
        actor: 'oncall',
        action: 'suppression.add',
        targetId: userHash('quiet_viewer'),
        before: { suppressed: false },
        after: { suppressed: true },
      }),
    ]);
    // A second opt-out changes nothing and says so: suppressed before as after.
    expect((await call('POST', '/suppressions', ONCALL, { user: 'quiet_viewer' })).status).toBe(200);
    expect((await audit({ action: 'suppression.add' })).entries[0]).toMatchObject({
      before: { suppressed: true },
      after: { suppressed: true },
    });
  });

  it('records an ingest key voided, with the counts, in the same transaction as the removal', async () => {
    await writeIngestBatch(
      t.sql,
      [makeEvent({ user: 'fan_one', kind: 'bits', amount: 50, keyId: 'partner' })],
      new Date(BASE_EPOCH_MS + 60_000),
    );
    const response = await call('POST', '/admin/ingest-keys/partner/void', AUDITOR);
    expect(response.status).toBe(200);
    expect((await audit({ targetId: 'partner' })).entries).toEqual([
      expect.objectContaining({
        actor: 'auditor',
        action: 'ingest-key.void',
        before: { eventsInUnsealedEpochs: 1 },
        after: { eventsInUnsealedEpochs: 0 },
      }),
    ]);
  });

  it('never stores or serves an admin token', async () => {
    const [row] = await t.sql<{ text: string }[]>`
      select coalesce(string_agg(a::text, ' '), '') as text from creator.admin_audit_log a`;
    expect(row?.text).not.toContain(ONCALL);
    expect(row?.text).not.toContain(AUDITOR);
    expect(JSON.stringify(await audit())).not.toMatch(/token-of-/);
  });

  it('filters by actor and pages backwards with nextBefore until the last page', async () => {
    expect((await audit({ actor: 'oncall' })).entries.map((e) => e.actor)).toEqual(['oncall', 'oncall']);
    const first = await audit({ limit: '2' });
    expect(first.entries).toHaveLength(2);
    expect(first.nextBefore).toBe(first.entries[1]?.id);
    const second = await audit({ limit: '2', before: String(first.nextBefore) });
    expect(second.entries.map((e) => e.id)).toEqual([expect.any(Number)]);
    expect(second.entries[0]?.id).toBeLessThan(first.nextBefore ?? 0);
    expect(second.nextBefore).toBeNull();
  });

  it('answers 400 naming a bad filter, and 401 without an admin token', async () => {
    const bad = await call('GET', '/admin/audit?limit=0', AUDITOR);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/^limit/);
    expect((await call('GET', '/admin/audit?from=yesterday', AUDITOR)).status).toBe(400);
    expect((await call('GET', '/admin/audit', undefined)).status).toBe(401);
    expect((await call('GET', '/admin/audit', 'key-of-partner')).status).toBe(401);
  });
});

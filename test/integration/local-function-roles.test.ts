/**
 * The local runtime runs each handler as its function's database role (M4 of issue 17), so a
 * grant a function lacks fails on this machine as it would on AWS, instead of passing as the
 * tables' owner. Through the real routing handle and the local HTTP server, against the test
 * database with the passwords the run set for the roles.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Platform } from '../../functions/platform.ts';
import { StaticSecretStore } from '../../layers/shared/src/adapters/aws/secrets-manager-store.ts';
import type { DatabaseRole } from '../../lib/functions.ts';
import { asFunction, type FunctionDatabases, openFunctionDatabases } from '../../local/function-databases.ts';
import { type LocalHttpServer, startHttpServer } from '../../local/http-server.ts';
import { ROUTES } from '../../local/routes.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { platformFromEnv } from '../fixtures/platform.ts';

const ONCALL = 'token-of-oncall';

let t: TestDatabase;
let roles: FunctionDatabases;
let http: LocalHttpServer;
let platform: Platform;

beforeAll(async () => {
  t = await createTestDatabase();
  Object.assign(process.env, { ORACLE_MODE: 'local', LOG_LEVEL: 'SILENT', DATABASE_URL: t.url });
  roles = openFunctionDatabases(t.url, inject('pgRolePasswords') as Record<DatabaseRole, string>);
  platform = platformFromEnv({ database: roles.routed });
  http = await startHttpServer({
    routes: ROUTES,
    platform: Promise.resolve(platform),
    secrets: new StaticSecretStore({
      'roles/ingest': JSON.stringify({ partner: 'key-of-partner' }),
      'roles/admin': JSON.stringify({ oncall: ONCALL }),
    }),
    ingestKeysSecretId: 'roles/ingest',
    adminTokensSecretId: 'roles/admin',
  });
});

afterAll(async () => {
  await platform?.close();
  await http?.close();
  await roles?.close();
  await t?.close();
});

const currentUser = async () => {
  const [row] = await roles.routed.sql<{ user: string }[]>`select current_user as user`;
  return row?.user;
};

describe('the database a handler of the local runtime reaches', () => {
  it('is its function’s role while the function runs, and the owner outside any function', async () => {
    expect(await asFunction('Graphql', currentUser)()).toBe('oracle_market_reader');
    expect(await asFunction('OracleCalls', currentUser)()).toBe('oracle_delivery');
    const [owner] = await t.sql<{ user: string }[]>`select current_user as user`;
    expect(await currentUser()).toBe(owner?.user);
    expect(owner?.user).not.toMatch(/^oracle_/);
  });

  it('follows the function into a transaction and through drizzle', async () => {
    const inTransaction = await asFunction('Seal', () =>
      roles.routed.sql.begin(
        async (tx) => (await tx<{ user: string }[]>`select current_user as user`)[0]?.user,
      ),
    )();
    expect(inTransaction).toBe('oracle_attention');
    const viaDrizzle = await asFunction('CreatorsApi', () =>
      roles.routed.db.execute<{ user: string }>('select current_user as user'),
    )();
    expect([...viaDrizzle][0]?.user).toBe('oracle_creator_reader');
  });

  it('is refused to a function registered without the database', async () => {
    await expect(asFunction('IngestApi', currentUser)()).rejects.toThrow(/IngestApi has no database role/);
  });
});

describe('a route of the local HTTP server', () => {
  const suppress = (user: string) =>
    fetch(`${http.url}/suppressions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ONCALL}` },
      body: JSON.stringify({ user, reason: 'asked' }),
    });

  it('fails, writing nothing, where its function’s role lacks a grant the owner has', async () => {
    const granted = await suppress('first_viewer');
    expect(granted.status, await granted.text()).toBe(201);
    // Only in this test's database: SuppressionsApi audits each opt-out in the same transaction.
    await t.sql`revoke insert on creator.admin_audit_log from oracle_attention`;
    const refused = await suppress('second_viewer');
    expect(refused.status).toBe(500);
    await refused.body?.cancel();
    const rows = await t.sql<{ n: number }[]>`select count(*)::int as n from attention.suppression_list`;
    expect(rows[0]?.n).toBe(1);
  });
});

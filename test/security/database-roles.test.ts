/**
 * M4 (issue 17): every function connected as the cluster's master user, which owns every table,
 * so the row-level security of the delivery schema (0002_delivery_rls.sql) never applied and a
 * hole in one public function reached every schema. Each function is connected here as its
 * deployment connects it, and attempts what its job never needs.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeMarketQuery } from '../../layers/shared/src/services/market/graphql/market-schema.ts';
import { authenticateViewer } from '../../layers/shared/src/services/twitch-sign-in.ts';
import { bindWalletDirect } from '../../layers/shared/src/services/wallet-binding.ts';
import { DATABASE_ROLES, FUNCTIONS } from '../../lib/functions.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { connectAsFunction, type FunctionConnection } from '../fixtures/function-database.ts';
import { makeWallet } from '../fixtures/wallet-binding-client.ts';

let t: TestDatabase;
const open: FunctionConnection[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  await t.sql`
    insert into delivery.oracle_call_history
      (request_id, chain_id, signer_address, contract_address, target_address, function_name, parameters, call_data)
    values
      ('m4-call', 31337, ${`0x${'11'.repeat(20)}`}, ${`0x${'22'.repeat(20)}`}, ${`0x${'33'.repeat(20)}`},
       'updateMetrics', '{}'::jsonb, '0x')`;
  await bindWalletDirect(t.sql, 'bound_viewer', makeWallet().address, new Date());
});

afterAll(async () => {
  for (const connection of open) await connection.close();
  await t?.close();
});

async function as(functionName: string): Promise<FunctionConnection> {
  const connection = await connectAsFunction(t, functionName);
  open.push(connection);
  return connection;
}

/** The PostgreSQL error code of what `run` raised, or `none` when it succeeded. */
async function refusal(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'none';
  } catch (error) {
    return (error as { code?: string }).code ?? 'unknown';
  }
}

describe('what a function’s database role lets it do', () => {
  it('the public GraphQL function cannot update the oracle call history', async () => {
    const { sql } = await as('Graphql');
    // 42501: insufficient_privilege
    expect(await refusal(() => sql`update delivery.oracle_call_history set max_attempts = 99`)).toBe('42501');
    expect(await refusal(() => sql`delete from attention.carried_balances`)).toBe('42501');
  });

  it('the public GraphQL function cannot read the delivery rows row-level security hides', async () => {
    const { sql } = await as('Graphql');
    const outcome = await sql`select count(*)::int as n from delivery.oracle_call_history`.then(
      (rows) => `rows:${rows[0]?.n}`,
      (error: { code?: string }) => error.code ?? 'unknown',
    );
    expect(['42501', 'rows:0']).toContain(outcome);
  });

  it('a market function cannot read the wallet bindings of the attention schema', async () => {
    const { sql } = await as('GenerateClaim');
    expect(await refusal(() => sql`select wallet from attention.wallet_bindings`)).toBe('42501');
  });

  it('a public attention read function cannot rebind a wallet', async () => {
    const { sql } = await as('ClaimsApi');
    expect(await refusal(() => sql`update attention.wallet_bindings set wallet = 'attacker'`)).toBe('42501');
  });
});

describe('viewer sessions behind a public reader', () => {
  it('the claims function resolves a session it was given to its viewer, and can read no session of its own', async () => {
    const token = 'm4'.repeat(21) + 's'; // the 43 base64url characters a session token has
    const hash = createHash('sha256').update(token).digest('hex');
    await t.sql`
      insert into attention.viewer_sessions (token_hash, twitch_user_id, login, authorized_at, expires_at)
      values (${hash}, '4242', 'session_viewer', now(), now() + interval '1 hour')`;
    const { sql } = await as('ClaimsApi');
    expect(await refusal(() => sql`select token_hash from attention.viewer_sessions`)).toBe('42501');
    const viewer = await authenticateViewer(sql, `Bearer ${token}`, new Date());
    expect(viewer).toMatchObject({ twitchUserId: '4242', login: 'session_viewer' });
    await expect(authenticateViewer(sql, `Bearer ${'x'.repeat(43)}`, new Date())).rejects.toThrow(
      /unknown or expired/,
    );
  });
});

describe('the function roles', () => {
  it('exist, one for each role the registry names, none of them owning a table or bypassing row-level security', async () => {
    const named = new Set(FUNCTIONS.flatMap((spec) => (spec.database === true ? [spec.databaseRole] : [])));
    expect(named.has(undefined)).toBe(false);
    const rows = await t.sql<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean; owns: number }[]>`
      select r.rolname, r.rolsuper, r.rolbypassrls,
        (select count(*)::int from pg_tables where tableowner = r.rolname) as owns
      from pg_roles r where r.rolname = any(${[...DATABASE_ROLES]})`;
    expect(rows.map((r) => r.rolname).sort()).toEqual([...DATABASE_ROLES].sort());
    for (const role of named) expect(DATABASE_ROLES).toContain(role);
    for (const row of rows)
      expect(row, row.rolname).toMatchObject({ rolsuper: false, rolbypassrls: false, owns: 0 });
  });

  it('the public GraphQL function still answers a query with its read-only role', async () => {
    const { sql } = await as('Graphql');
    await t.sql`
      insert into market.tokens (chain_id, address, symbol, name, decimals, first_seen_block)
      values (31337, ${`0x${'ab'.repeat(20)}`}, 'EOT', 'Engagement Oracle Token', 18, 1)`;
    const result = await executeMarketQuery(sql, 31337, { query: '{ tokens { address } }' });
    expect(result.errors).toBeUndefined();
    expect(JSON.stringify(result.data)).toContain('ab'.repeat(20));
  });
});

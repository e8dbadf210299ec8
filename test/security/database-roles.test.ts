/**
 * M4 (issue 17): every function connected as the cluster's master user, which owns every table,
 * so the row-level security of the delivery schema (0002_delivery_rls.sql) never applied and a
 * hole in one public function reached every schema. Each function is connected here as its
 * deployment connects it, and attempts what its job never needs.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOracleCallOutcomes } from '../../layers/shared/src/adapters/db/delivery/oracle-call-outcome-store.ts';
import { EthersCallEncoder } from '../../layers/shared/src/adapters/evm/ethers-evm-chain.ts';
import type { WorkQueue } from '../../layers/shared/src/ports/work-queue.ts';
import { authenticateViewer } from '../../layers/shared/src/services/attention/twitch-sign-in.ts';
import { bindWalletDirect } from '../../layers/shared/src/services/attention/wallet-binding.ts';
import {
  type EnqueueDeps,
  enqueueOracleCalls,
} from '../../layers/shared/src/services/delivery/enqueue-oracle-call.ts';
import { DeliveryEngineMinter } from '../../layers/shared/src/services/market/delivery-engine-minter.ts';
import { executeMarketQuery } from '../../layers/shared/src/services/market/graphql/market-schema.ts';
import { claimTokens, settleQueuedClaims } from '../../layers/shared/src/services/market/token-generator.ts';
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

/**
 * Enqueueing an oracle call as its producer's function does: the real enqueue, with a queue that
 * only records what it was sent (the database role is what is under test here).
 */
function enqueueAs(sql: FunctionConnection['sql']): EnqueueDeps {
  const queue = { name: 'recorded', sendBatch: async () => ({ failed: 0 }) } as unknown as WorkQueue;
  return {
    sql,
    queue,
    encoder: new EthersCallEncoder(),
    chainId: 31337,
    signerAddress: `0x${'44'.repeat(20)}`,
    now: Date.now,
  };
}

const metricsCall = (requestId: string) => ({
  requestId,
  contractAddress: `0x${'55'.repeat(20)}`,
  functionSignature: 'updateMetrics(address creator, uint256 score)',
  args: [`0x${'66'.repeat(20)}`, 1n],
});

describe('the producers that enqueue oracle calls', () => {
  it('the creator sync enqueues its calls and reads their outcomes, and no other producer’s', async () => {
    const { sql } = await as('CreatorSync');
    const [made] = await enqueueOracleCalls(enqueueAs(sql), [metricsCall('creator-metrics:31337:m4:g1')]);
    expect(made?.created).toBe(true);
    const outcomes = await readOracleCallOutcomes(sql, ['creator-metrics:31337:m4:g1', 'm4-call']);
    expect([...outcomes.keys()]).toEqual(['creator-metrics:31337:m4:g1']);
  });

  it('the creator sync cannot enqueue under another producer’s request id', async () => {
    const { sql } = await as('CreatorSync');
    // 42501: the row-level security policy refuses the new row
    expect(await refusal(() => enqueueOracleCalls(enqueueAs(sql), [metricsCall('mint:forged-claim')]))).toBe(
      '42501',
    );
  });

  it('the creator sync cannot rewrite, delete or read past the calls, nor touch the engine’s nonces', async () => {
    const { sql } = await as('CreatorSync');
    expect(await refusal(() => sql`update delivery.oracle_call_history set max_attempts = 99`)).toBe('42501');
    expect(await refusal(() => sql`delete from delivery.oracle_call_history`)).toBe('42501');
    expect(await refusal(() => sql`select next_nonce from delivery.signer_nonces`)).toBe('42501');
    expect(await refusal(() => sql`select id from delivery.oracle_tx_attempts`)).toBe('42501');
  });

  it('token generation refunds a failed mint and abandons its call, and can change nothing else of a call', async () => {
    const { sql } = await as('TokenGeneration');
    const holder = `0x${'a7'.repeat(20)}`;
    await t.sql`
      insert into market.claimable_balances (credential_id, holder, accrued, claimed, accrued_until)
      values ('m4-credential', ${holder}, 700, 0, 0)`;
    const deps = {
      sql,
      minter: new DeliveryEngineMinter(enqueueAs(sql), `0x${'77'.repeat(20)}`),
      emission: { baseRatePerSecond: 1n, tierMultiplierBps: {}, defaultMultiplierBps: 10_000 },
    };
    const claim = await claimTokens(deps, 'm4-credential', { now: 1 });
    // The delivery engine gives up on the mint (as its own role, outside the market's reach).
    await t.sql`update delivery.oracle_call_history set status = 'failed' where request_id = ${`mint:${claim.claimId}`}`;

    expect(await settleQueuedClaims(deps, 2)).toEqual([0, 1]);
    const [call] = await t.sql<{ status: string }[]>`
      select status from delivery.oracle_call_history where request_id = ${`mint:${claim.claimId}`}`;
    expect(call?.status).toBe('abandoned');
    const [balance] = await t.sql<{ claimed: string }[]>`
      select claimed::text from market.claimable_balances where credential_id = 'm4-credential'`;
    expect(balance?.claimed).toBe('0');

    expect(
      await refusal(() => sql`update delivery.oracle_call_history set max_attempts = 99, status = 'queued'`),
    ).toBe('42501');
    expect(await refusal(() => sql`delete from delivery.oracle_call_history`)).toBe('42501');
    const abandonedOther = await sql`
      update delivery.oracle_call_history set status = 'abandoned' where request_id = 'm4-call' returning id`;
    expect(abandonedOther).toHaveLength(0);
  });
});

describe('the public TWAP function', () => {
  const twapRow = (sql: FunctionConnection['sql'], end: number) => sql`
    insert into market.twap_calculations
      (chain_id, pool_address, token_address, window_seconds, start_timestamp, end_timestamp, twap_x112, twap)
    values (31337, ${`0x${'88'.repeat(20)}`}, ${`0x${'99'.repeat(20)}`}, 3600, ${end - 3600}, ${end}, 1, 1)
    on conflict do nothing`;

  it('stores the TWAP it computed, and can change or remove none, nor write another market table', async () => {
    const { sql } = await as('MarketTwap');
    await twapRow(sql, 1_800_000_000);
    const [stored] = await t.sql<{ n: number }[]>`
      select count(*)::int as n from market.twap_calculations where end_timestamp = 1800000000`;
    expect(stored?.n).toBe(1);
    expect(await refusal(() => sql`update market.twap_calculations set twap = 0`)).toBe('42501');
    expect(await refusal(() => sql`delete from market.twap_calculations`)).toBe('42501');
    expect(await refusal(() => sql`update market.tokens set symbol = 'X'`)).toBe('42501');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_AMOUNT } from '../../layers/shared/src/core/attention/trees.ts';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import { creditCarried } from '../../layers/shared/src/services/attention/carry.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

describe('carried balances and their ledger', () => {
  it('number ledger rows past 2^31 and hold a balance past 2^63 (a sum of credits each within it)', async () => {
    await t.sql`select setval(pg_get_serial_sequence('attention.carry_ledger', 'id'), 2147483647)`;
    const viewer = userHash('whale_fan');
    for (const source of ['seal:1:chan_a', 'seal:1:chan_b']) {
      await creditCarried(
        t.sql,
        [{ userHash: viewer, tokenGroup: 'OTHER', amount: MAX_AMOUNT }],
        source,
        'test',
      );
    }
    const ids = await t.sql<{ id: string }[]>`select id::text from attention.carry_ledger order by id`;
    expect(ids.map((r) => BigInt(r.id))).toEqual([2147483648n, 2147483649n]);
    const [balance] = await t.sql<{ amount: string }[]>`
      select amount::text from attention.carried_balances where user_hash = ${viewer}`;
    expect(BigInt(balance?.amount ?? '0')).toBe(2n * MAX_AMOUNT);
  });
});

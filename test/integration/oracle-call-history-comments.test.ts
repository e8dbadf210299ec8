import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';

describe('delivery.oracle_call_history after migrating', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase({ max: 2 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('has a comment on the table', async () => {
    const [row] = await t.sql<{ comment: string | null }[]>`
      select obj_description('delivery.oracle_call_history'::regclass, 'pg_class') as comment`;
    expect(row?.comment).toMatch(/on-chain write/);
  });

  it('has a comment on every column', async () => {
    const columns = await t.sql<{ column_name: string; comment: string | null }[]>`
      select c.column_name, col_description('delivery.oracle_call_history'::regclass, c.ordinal_position::int) as comment
      from information_schema.columns c
      where c.table_schema = 'delivery' and c.table_name = 'oracle_call_history'
      order by c.ordinal_position`;
    expect(columns.length).toBeGreaterThan(20);
    expect(columns.filter((c) => (c.comment ?? '').trim() === '').map((c) => c.column_name)).toEqual([]);
    const status = columns.find((c) => c.column_name === 'status');
    expect(status?.comment).toMatch(/queued.*pending.*retrying.*success.*failed.*superseded.*abandoned/);
  });

  it('has a comment on every index', async () => {
    const indexes = await t.sql<{ indexname: string; comment: string | null }[]>`
      select i.indexname, obj_description(format('%I.%I', i.schemaname, i.indexname)::regclass, 'pg_class') as comment
      from pg_indexes i
      where i.schemaname = 'delivery' and i.tablename = 'oracle_call_history'
      order by i.indexname`;
    expect(indexes.map((i) => i.indexname)).toEqual(
      expect.arrayContaining([
        'oracle_call_history_pkey',
        'idx_oracle_call_history_target_address',
        'idx_oracle_call_history_failed',
        'idx_oracle_call_history_audit',
      ]),
    );
    expect(indexes.filter((i) => (i.comment ?? '').trim() === '').map((i) => i.indexname)).toEqual([]);
  });
});

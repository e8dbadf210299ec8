import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';

// Two files (this one and db-isolation-b.test.ts) write the same table at the same time.
describe('test database isolation (a)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.close());

  it('sees only the rows it wrote to a table another file writes in parallel', async () => {
    for (let i = 0; i < 20; i++) {
      await t.sql`insert into attention.user_mapping (user_hash, username) values (${`a-${i}`}, ${'file_a'})`;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const rows = await t.sql<{ username: string }[]>`select distinct username from attention.user_mapping`;
    expect(rows.map((r) => r.username)).toEqual(['file_a']);
  });

  it('starts from the migrated template', async () => {
    const [row] = await t.sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
    expect(row?.n).toBeGreaterThan(0);
  });
});

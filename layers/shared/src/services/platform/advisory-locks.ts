/**
 * Transaction-scoped advisory locks on text keys, taken in one statement and one order (sorted
 * by the database), so two transactions locking overlapping sets never wait on each other in a
 * cycle. The ingest writer takes its (epoch, channel) keys shared and the sealer the same keys
 * exclusively; the tree builder takes its per-tree keys exclusively.
 */
import type { Sql } from '../../ports/sql.ts';

export async function lockKeys(
  sql: Sql,
  keys: Iterable<string>,
  mode: 'shared' | 'exclusive',
): Promise<void> {
  const sorted = [...new Set(keys)].sort();
  if (mode === 'shared') {
    await sql`
      select pg_advisory_xact_lock_shared(hashtextextended(k, 0))
      from (select k from unnest(${sorted}::text[]) as k order by k) as sorted`;
  } else {
    await sql`
      select pg_advisory_xact_lock(hashtextextended(k, 0))
      from (select k from unnest(${sorted}::text[]) as k order by k) as sorted`;
  }
}

/**
 * Transaction-scoped advisory locks on text keys (PostgreSQL's lock space, no schema's table),
 * each key hashed with hashtextextended and taken in the order the database sorts them.
 */
import type { Queryable } from '../../ports/sql.ts';

/** Takes the locks on `sortedKeys` (distinct, sorted) in one statement, in the current transaction. */
export async function lockSortedKeys(
  q: Queryable,
  sortedKeys: readonly string[],
  mode: 'shared' | 'exclusive',
): Promise<void> {
  if (mode === 'shared') {
    await q`
      select pg_advisory_xact_lock_shared(hashtextextended(k, 0))
      from (select k from unnest(${sortedKeys as string[]}::text[]) as k order by k) as sorted`;
  } else {
    await q`
      select pg_advisory_xact_lock(hashtextextended(k, 0))
      from (select k from unnest(${sortedKeys as string[]}::text[]) as k order by k) as sorted`;
  }
}

/**
 * Transaction-scoped advisory locks on text keys, taken in one statement and one order (sorted
 * by the database), so two transactions locking overlapping sets never wait on each other in a
 * cycle. The ingest writer takes its (epoch, channel) keys shared and the sealer the same keys
 * exclusively; the tree builder takes its per-tree keys exclusively.
 */
import { lockSortedKeys } from '../../adapters/db/advisory-lock-store.ts';
import type { Sql } from '../../ports/sql.ts';

export function lockKeys(sql: Sql, keys: Iterable<string>, mode: 'shared' | 'exclusive'): Promise<void> {
  return lockSortedKeys(sql, [...new Set(keys)].sort(), mode);
}

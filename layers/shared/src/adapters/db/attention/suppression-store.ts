/** The named queries of the suppression list: viewers who opted out (services/attention/suppression.ts). */

import { SUPPRESSION_LOCK } from '../../../core/attention/locks.ts';
import type { Queryable } from '../../../ports/sql.ts';

export async function isSuppressed(q: Queryable, userHash: string): Promise<boolean> {
  const [suppressed] = await q`select 1 from attention.suppression_list where user_hash = ${userHash}`;
  return suppressed !== undefined;
}

/** Of `userHashes`, those on the suppression list. */
export async function listSuppressed(q: Queryable, userHashes: readonly string[]): Promise<Set<string>> {
  const rows = await q<{ user_hash: string }[]>`
    select user_hash from attention.suppression_list where user_hash = any(${[...new Set(userHashes)]}::text[])`;
  return new Set(rows.map((r) => r.user_hash));
}

/**
 * The suppression list's lock, shared for the rest of the transaction: opt-out takes it
 * exclusively, so no writer checks the list, then writes a row for a viewer who opted out in between.
 */
export async function lockSuppressionListShared(q: Queryable): Promise<void> {
  await q`select pg_advisory_xact_lock_shared(${SUPPRESSION_LOCK})`;
}

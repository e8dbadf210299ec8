/** The named queries of the suppression list: viewers who opted out (services/attention/suppression.ts). */

import type { suppressionList } from '../../../../../../drizzle/schema/attention.ts';
import { SUPPRESSION_LOCK } from '../../../core/attention/locks.ts';
import type { Queryable } from '../../../ports/sql.ts';

/** Who put a viewer on the list: an admin, or the viewer themself. */
export type SuppressionRequester = 'admin' | 'viewer';

export type NewSuppression = Pick<typeof suppressionList.$inferInsert, 'userHash'> & {
  readonly reason: string | null;
  readonly requestedBy: SuppressionRequester;
};

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

/** The suppression list's lock, exclusive for the rest of the transaction: opt-out and its lifting. */
export async function lockSuppressionListExclusive(q: Queryable): Promise<void> {
  await q`select pg_advisory_xact_lock(${SUPPRESSION_LOCK})`;
}

/** Puts the viewer on the list; false when they were on it already (the row is left as it was). */
export async function addSuppression(q: Queryable, suppression: NewSuppression): Promise<boolean> {
  const inserted = await q`
    insert into attention.suppression_list (user_hash, reason, requested_by)
    values (${suppression.userHash}, ${suppression.reason}, ${suppression.requestedBy})
    on conflict (user_hash) do nothing returning 1`;
  return inserted.length > 0;
}

/** Who suppressed the viewer, the row locked for the rest of the transaction; undefined when nobody. */
export async function lockSuppressionRequester(
  q: Queryable,
  userHash: string,
): Promise<SuppressionRequester | undefined> {
  const [row] = await q<{ requestedBy: SuppressionRequester }[]>`
    select requested_by as "requestedBy" from attention.suppression_list where user_hash = ${userHash} for update`;
  return row?.requestedBy;
}

export async function deleteSuppression(q: Queryable, userHash: string): Promise<void> {
  await q`delete from attention.suppression_list where user_hash = ${userHash}`;
}

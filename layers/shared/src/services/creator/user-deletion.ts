/** Deleting a creator-platform user: soft, so the rows stay for audit and metrics stop counting them. */
import { softDeleteUserRows } from '../../adapters/db/creator/user-store.ts';
import type { Sql } from '../../ports/sql.ts';

/** Soft-deletes a user and everything they wrote, in one transaction. */
export async function softDeleteUser(sql: Sql, userId: string, when: Date): Promise<void> {
  await sql.begin((tx) => softDeleteUserRows(tx, userId, when));
}

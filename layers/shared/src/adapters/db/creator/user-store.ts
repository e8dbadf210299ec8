/**
 * A user's rows, soft-deleted: they stay for audit, and every metric stops counting them
 * (creator-metrics-store.ts excludes deleted rows and anything a deleted user wrote).
 */
import type { Queryable } from '../../../ports/sql.ts';

/**
 * Marks a user and everything they wrote (follows, likes, comments, playlists, plays) deleted at
 * `at`. Six statements: run it inside the caller's transaction so a user is never half deleted.
 */
export async function softDeleteUserRows(q: Queryable, userId: string, at: Date): Promise<void> {
  const when = at.toISOString();
  await q`update creator.users set deleted_at = ${when}::timestamptz, updated_at = ${when}::timestamptz where id = ${userId} and deleted_at is null`;
  await q`update creator.follows set deleted_at = ${when}::timestamptz where follower_id = ${userId} and deleted_at is null`;
  await q`update creator.likes set deleted_at = ${when}::timestamptz where user_id = ${userId} and deleted_at is null`;
  await q`update creator.comments set deleted_at = ${when}::timestamptz where user_id = ${userId} and deleted_at is null`;
  await q`update creator.playlists set deleted_at = ${when}::timestamptz where owner_id = ${userId} and deleted_at is null`;
  await q`update creator.plays set deleted_at = ${when}::timestamptz where user_id = ${userId} and deleted_at is null`;
}

/**
 * The named queries of Twitch sign-in (services/attention/twitch-sign-in.ts): the OAuth states our
 * API issued, each used once, and the viewer sessions a sign-in opens. Both tables keep only the
 * sha256 of a state or a session token.
 */

import type { twitchAuthStates, viewerSessions } from '../../../../../../drizzle/schema/attention-wallets.ts';
import type { Queryable } from '../../../ports/sql.ts';

export type NewAuthState = Pick<typeof twitchAuthStates.$inferInsert, 'stateHash' | 'redirectUri'> & {
  readonly createdAt: Date;
  readonly expiresAt: Date;
};

export type NewViewerSession = Pick<
  typeof viewerSessions.$inferInsert,
  'tokenHash' | 'twitchUserId' | 'login'
> & {
  readonly authorizedAt: Date;
  readonly expiresAt: Date;
};

/** An open session; its times as the database's text. */
export type StoredViewerSession = Pick<typeof viewerSessions.$inferSelect, 'twitchUserId' | 'login'> & {
  readonly authorizedAt: string;
  readonly expiresAt: string;
};

export async function insertAuthState(q: Queryable, state: NewAuthState): Promise<void> {
  await q`
    insert into attention.twitch_auth_states (state_hash, redirect_uri, created_at, expires_at)
    values (${state.stateHash}, ${state.redirectUri}, ${state.createdAt.toISOString()}::timestamptz,
      ${state.expiresAt.toISOString()}::timestamptz)`;
}

/**
 * Marks the state used, if it is unused and unexpired at `now`; its redirect URI, or undefined when
 * the state is unknown, used or expired.
 */
export async function useAuthState(q: Queryable, stateHash: string, now: Date): Promise<string | undefined> {
  const [issued] = await q<{ redirect_uri: string }[]>`
    update attention.twitch_auth_states set used_at = ${now.toISOString()}::timestamptz
    where state_hash = ${stateHash} and used_at is null
      and expires_at > ${now.toISOString()}::timestamptz
    returning redirect_uri`;
  return issued?.redirect_uri;
}

export async function insertViewerSession(q: Queryable, session: NewViewerSession): Promise<void> {
  await q`
    insert into attention.viewer_sessions (token_hash, twitch_user_id, login, authorized_at, expires_at)
    values (${session.tokenHash}, ${session.twitchUserId}, ${session.login},
      ${session.authorizedAt.toISOString()}::timestamptz, ${session.expiresAt.toISOString()}::timestamptz)`;
}

/** The session of this token hash, if it is open at `now` (the database's attention.viewer_session). */
export async function findViewerSession(
  q: Queryable,
  tokenHash: string,
  now: Date,
): Promise<StoredViewerSession | undefined> {
  const [row] = await q<StoredViewerSession[]>`
    select twitch_user_id as "twitchUserId", login, authorized_at::text as "authorizedAt",
      expires_at::text as "expiresAt"
    from attention.viewer_session(${tokenHash}, ${now.toISOString()}::timestamptz)`;
  return row;
}

/** Removes up to `limit` states and up to `limit` sessions that expired before `now`. */
export async function purgeExpiredSignIns(q: Queryable, now: Date, limit: number): Promise<void> {
  await q`
    delete from attention.twitch_auth_states where state_hash in (
      select state_hash from attention.twitch_auth_states
      where expires_at < ${now.toISOString()}::timestamptz limit ${limit})`;
  await q`
    delete from attention.viewer_sessions where token_hash in (
      select token_hash from attention.viewer_sessions
      where expires_at < ${now.toISOString()}::timestamptz limit ${limit})`;
}

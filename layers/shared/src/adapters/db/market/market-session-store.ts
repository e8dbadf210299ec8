/**
 * Sign-in with Ethereum (`market.sign_in_nonces`, `market.sessions`): nonces are single use and
 * capped per source (SHA-256 of the caller's IP address); a session is kept only as the SHA-256 of
 * its bearer token. Times are unix seconds.
 */
import type { marketSessions, signInNonces } from '../../../../../../drizzle/schema/market-users.ts';
import type { Queryable } from '../../../ports/sql.ts';

/** Removes nonces that expired before `before`. */
export async function deleteNoncesExpiredBefore(q: Queryable, before: number): Promise<void> {
  await q`delete from market.sign_in_nonces where expires_at < to_timestamp(${before})`;
}

/** The source's nonces unused and unexpired at `now`, and when the first of them expires (null: none). */
export async function openNonces(
  q: Queryable,
  sourceHash: string,
  now: number,
): Promise<{ n: number; oldest: number | null }> {
  const [row] = await q<{ n: number; oldest: number | null }[]>`
    select count(*)::int as n, extract(epoch from min(expires_at))::float8 as oldest
    from market.sign_in_nonces
    where source_hash = ${sourceHash} and used_at is null and expires_at > to_timestamp(${now})`;
  return { n: row?.n ?? 0, oldest: row?.oldest ?? null };
}

export type NewNonce = Pick<typeof signInNonces.$inferSelect, 'nonce' | 'sourceHash'> & {
  readonly issuedAt: number;
  readonly expiresAt: number;
};

export async function insertNonce(q: Queryable, nonce: NewNonce): Promise<void> {
  await q`
    insert into market.sign_in_nonces (nonce, source_hash, issued_at, expires_at)
    values (${nonce.nonce}, ${nonce.sourceHash}, to_timestamp(${nonce.issuedAt}), to_timestamp(${nonce.expiresAt}))`;
}

/** Uses the nonce up for `address` at `now`; false when it is unknown, used or expired. */
export async function useNonce(q: Queryable, nonce: string, address: string, now: number): Promise<boolean> {
  const used = await q`
    update market.sign_in_nonces set used_at = to_timestamp(${now}), address = ${address}
    where nonce = ${nonce} and used_at is null and expires_at > to_timestamp(${now})
    returning 1`;
  return used.length > 0;
}

/** Removes sessions that expired before `before`. */
export async function deleteSessionsExpiredBefore(q: Queryable, before: number): Promise<void> {
  await q`delete from market.sessions where expires_at < to_timestamp(${before})`;
}

export type NewSession = Pick<typeof marketSessions.$inferSelect, 'tokenHash' | 'address'> & {
  readonly createdAt: number;
  readonly expiresAt: number;
};

export async function insertSession(q: Queryable, session: NewSession): Promise<void> {
  await q`
    insert into market.sessions (token_hash, address, created_at, expires_at)
    values (${session.tokenHash}, ${session.address}, to_timestamp(${session.createdAt}), to_timestamp(${session.expiresAt}))`;
}

/** The address of the session with this token hash, unless it is revoked or expired at `now`. */
export async function sessionAddress(
  q: Queryable,
  tokenHash: string,
  now: number,
): Promise<string | undefined> {
  const [session] = await q<{ address: string }[]>`
    select address from market.sessions
    where token_hash = ${tokenHash} and revoked_at is null and expires_at > to_timestamp(${now})`;
  return session?.address;
}

/** Ends the session with this token hash at `now` (one already ended, or none, stays as it is). */
export async function revokeSession(q: Queryable, tokenHash: string, now: number): Promise<void> {
  await q`
    update market.sessions set revoked_at = to_timestamp(${now})
    where token_hash = ${tokenHash} and revoked_at is null`;
}

/**
 * Verifications sent to a user's contacts (`market.contact_verifications`): only the SHA-256 of a
 * link's token or of a code is kept, with the SHA-256 of the requesting IP address so that
 * verifications can be capped per source. Times are unix seconds.
 */
import type { contactVerifications } from '../../../../../../drizzle/schema/market-users.ts';
import type { Queryable } from '../../../ports/sql.ts';

type VerificationColumns = typeof contactVerifications.$inferSelect;

export type VerificationChannel = 'email' | 'sms';

/** The newest unconfirmed verification of this contact made after `since`, with its outbox row's state. */
export async function recentVerification(
  q: Queryable,
  verification: { readonly userId: string; readonly channel: VerificationChannel; readonly contact: string },
  since: number,
): Promise<{ outboxId: number | null; status: string | null } | undefined> {
  const [row] = await q<{ outbox_id: number | null; status: string | null }[]>`
    select o.id as outbox_id, o.status from market.contact_verifications v
    left join market.notification_outbox o on o.user_id = v.user_id and o.event_id = 'verify:' || v.id
    where v.user_id = ${verification.userId} and v.channel = ${verification.channel} and v.contact = ${verification.contact}
      and v.confirmed_at is null and v.created_at > to_timestamp(${since})
    order by v.created_at desc limit 1`;
  return row === undefined ? undefined : { outboxId: row.outbox_id, status: row.status };
}

/** Verifications made after `since` for the user, and from the source. */
export async function verificationsSince(
  q: Queryable,
  userId: string,
  sourceHash: string,
  since: number,
): Promise<{ byUser: number; bySource: number }> {
  const [row] = await q<{ by_user: number; by_source: number }[]>`
    select count(*) filter (where user_id = ${userId})::int as by_user,
           count(*) filter (where source_hash = ${sourceHash})::int as by_source
    from market.contact_verifications
    where created_at > to_timestamp(${since}) and (user_id = ${userId} or source_hash = ${sourceHash})`;
  return { byUser: row?.by_user ?? 0, bySource: row?.by_source ?? 0 };
}

export type NewVerification = Pick<
  VerificationColumns,
  'userId' | 'channel' | 'contact' | 'secretHash' | 'sourceHash'
> & { readonly createdAt: number; readonly expiresAt: number };

/** Returns the verification's id. */
export async function insertVerification(
  q: Queryable,
  verification: NewVerification,
): Promise<number | undefined> {
  const [row] = await q<{ id: number }[]>`
    insert into market.contact_verifications
      (user_id, channel, contact, secret_hash, source_hash, created_at, expires_at)
    values (${verification.userId}, ${verification.channel}, ${verification.contact}, ${verification.secretHash},
            ${verification.sourceHash}, to_timestamp(${verification.createdAt}), to_timestamp(${verification.expiresAt}))
    returning id`;
  return row?.id;
}

/**
 * The unconfirmed, unexpired email verification of this token hash whose address is still the
 * user's; it and the user's row locked until the transaction ends.
 */
export async function lockEmailVerification(
  q: Queryable,
  secretHash: string,
  now: number,
): Promise<Pick<VerificationColumns, 'id' | 'userId' | 'contact'> | undefined> {
  const [row] = await q<{ id: number; user_id: string; contact: string }[]>`
    select v.id, v.user_id, v.contact from market.contact_verifications v
    join market.users u on u.id = v.user_id and u.email = v.contact
    where v.secret_hash = ${secretHash} and v.channel = 'email' and v.confirmed_at is null
      and v.expires_at > to_timestamp(${now})
    for update of v, u`;
  return row === undefined ? undefined : { id: row.id, userId: row.user_id, contact: row.contact };
}

/**
 * The user's newest unconfirmed, unexpired SMS verification whose number is still the user's; it
 * and the user's row locked until the transaction ends.
 */
export async function lockPhoneVerification(
  q: Queryable,
  userId: string,
  now: number,
): Promise<Pick<VerificationColumns, 'id' | 'contact' | 'attempts' | 'secretHash'> | undefined> {
  const [row] = await q<{ id: number; contact: string; attempts: number; secret_hash: string }[]>`
    select v.id, v.contact, v.attempts, v.secret_hash from market.contact_verifications v
    join market.users u on u.id = v.user_id and u.phone = v.contact
    where v.user_id = ${userId} and v.channel = 'sms' and v.confirmed_at is null
      and v.expires_at > to_timestamp(${now})
    order by v.created_at desc limit 1
    for update of v, u`;
  return row === undefined
    ? undefined
    : { id: row.id, contact: row.contact, attempts: row.attempts, secretHash: row.secret_hash };
}

export async function countWrongAttempt(q: Queryable, id: number): Promise<void> {
  await q`update market.contact_verifications set attempts = attempts + 1 where id = ${id}`;
}

export async function markVerificationConfirmed(q: Queryable, id: number, now: number): Promise<void> {
  await q`update market.contact_verifications set confirmed_at = to_timestamp(${now}) where id = ${id}`;
}

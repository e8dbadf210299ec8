/**
 * Market users (`market.users`): an EVM address with its contacts. An email address or phone
 * number counts only once its owner confirmed it (`*_verified_at`); a replaced one is
 * unconfirmed again.
 */
import type { marketUsers } from '../../../../../../drizzle/schema/market-users.ts';
import type { Queryable } from '../../../ports/sql.ts';

/** The user's contacts and whether each is confirmed. */
export type UserContacts = Pick<typeof marketUsers.$inferSelect, 'email' | 'phone'> & {
  readonly emailVerified: boolean;
  readonly phoneVerified: boolean;
};

/** Adds the user (its id is its address) unless it exists. */
export async function ensureUser(q: Queryable, userId: string): Promise<void> {
  await q`
    insert into market.users (id, address) values (${userId}, ${userId}) on conflict (id) do nothing`;
}

/** The user's contacts, its row locked until the transaction ends. */
export async function lockUserContacts(q: Queryable, userId: string): Promise<UserContacts | undefined> {
  const [row] = await q<
    { email: string | null; email_verified: boolean; phone: string | null; phone_verified: boolean }[]
  >`
    select email, email_verified_at is not null as email_verified, phone, phone_verified_at is not null as phone_verified
    from market.users where id = ${userId} for update`;
  return row === undefined
    ? undefined
    : {
        email: row.email,
        emailVerified: row.email_verified,
        phone: row.phone,
        phoneVerified: row.phone_verified,
      };
}

export async function setPushEndpoint(q: Queryable, userId: string, endpoint: string): Promise<void> {
  await q`update market.users set push_endpoint = ${endpoint} where id = ${userId}`;
}

/** Replaces the user's email address (`email`) or phone number (`sms`); the new one is unconfirmed. */
export async function replaceContact(
  q: Queryable,
  userId: string,
  channel: 'email' | 'sms',
  value: string,
): Promise<void> {
  await (channel === 'email'
    ? q`update market.users set email = ${value}, email_verified_at = null where id = ${userId}`
    : q`update market.users set phone = ${value}, phone_verified_at = null where id = ${userId}`);
}

/** Marks the user's email address (`email`) or phone number (`sms`) confirmed at `now` (unix seconds). */
export async function markContactVerified(
  q: Queryable,
  userId: string,
  channel: 'email' | 'sms',
  now: number,
): Promise<void> {
  await (channel === 'email'
    ? q`update market.users set email_verified_at = to_timestamp(${now}) where id = ${userId}`
    : q`update market.users set phone_verified_at = to_timestamp(${now}) where id = ${userId}`);
}

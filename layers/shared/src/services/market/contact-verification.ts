/**
 * Double opt-in of a market user's email address and phone number (DESIGN.md "Market users"):
 * a contact that is new, or not yet confirmed, gets a verification through its own channel (a
 * link by email, a six-digit code by SMS) and nothing else until its owner confirms. The link's
 * token and the code are kept only as SHA-256; the message carrying them goes out through the
 * outbox to exactly the contact being verified, and its body is blanked once sent. Verifications
 * cost the operator money and land in strangers' inboxes, so they are capped per user and per
 * caller IP address per day, and not resent within a minute.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { ConflictError, NotFoundError, RateLimitedError, ValidationError } from '../../errors.ts';
import type { Sql } from '../../ports/sql.ts';
import { lockKeys } from '../platform/advisory-locks.ts';
import { sourceHash } from './market-sessions.ts';

export const VERIFICATION_TRIGGER = 'contact_verification';
export const EMAIL_LINK_TTL_SECONDS = 86_400;
export const SMS_CODE_TTL_SECONDS = 900;
export const MAX_CODE_ATTEMPTS = 5;
/** A verification of the same contact is not sent again sooner than this. */
export const RESEND_AFTER_SECONDS = 60;
/** What a sent verification's body becomes: its secret is not kept past delivery. */
export const SENT_VERIFICATION_BODY = '(a verification; its link or code is not kept once sent)';

export interface VerificationLimits {
  readonly perUserPerDay: number;
  readonly perSourcePerDay: number;
}

export type VerifiedChannel = 'email' | 'sms';

export interface ContactUpdate {
  readonly email?: string;
  readonly phone?: string;
  readonly pushEndpoint?: string;
}

export interface ContactRequest {
  readonly userId: string;
  readonly contact: ContactUpdate;
  readonly sourceIp: string;
  readonly now: number;
  readonly limits: VerificationLimits;
  /** The confirmation link for an email token (the API's confirmation page). */
  readonly emailLink: (token: string) => string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const codeHash = (userId: string, phone: string, code: string) => sha256(`sms:${userId}:${phone}:${code}`);

interface UserContacts {
  email: string | null;
  email_verified: boolean;
  phone: string | null;
  phone_verified: boolean;
}

/**
 * Records the user's contacts inside the caller's transaction (the user's row stays locked until
 * it ends). A changed email or phone is unconfirmed from now on; each one unconfirmed gets a
 * verification unless one went out within a minute. Returns the outbox ids to send now (a
 * verification still waiting to go out is returned again, so a retried request loses nothing).
 */
export async function updateContacts(tx: Sql, request: ContactRequest): Promise<number[]> {
  const { userId, contact } = request;
  await tx`
    insert into market.users (id, address) values (${userId}, ${userId}) on conflict (id) do nothing`;
  const [current] = await tx<UserContacts[]>`
    select email, email_verified_at is not null as email_verified, phone, phone_verified_at is not null as phone_verified
    from market.users where id = ${userId} for update`;
  if (contact.pushEndpoint !== undefined) {
    await tx`update market.users set push_endpoint = ${contact.pushEndpoint} where id = ${userId}`;
  }
  const outbox: number[] = [];
  const wanted: [VerifiedChannel, string | undefined, string | null, boolean][] = [
    ['email', contact.email, current?.email ?? null, current?.email_verified ?? false],
    ['sms', contact.phone, current?.phone ?? null, current?.phone_verified ?? false],
  ];
  for (const [channel, value, stored, verified] of wanted) {
    if (value === undefined || (value === stored && verified)) continue;
    if (value !== stored) {
      await (channel === 'email'
        ? tx`update market.users set email = ${value}, email_verified_at = null where id = ${userId}`
        : tx`update market.users set phone = ${value}, phone_verified_at = null where id = ${userId}`);
    }
    outbox.push(...(await sendVerification(tx, request, channel, value)));
  }
  return outbox;
}

async function sendVerification(
  tx: Sql,
  request: ContactRequest,
  channel: VerifiedChannel,
  contact: string,
): Promise<number[]> {
  const { userId, now, limits } = request;
  const [recent] = await tx<{ outbox_id: number | null; status: string | null }[]>`
    select o.id as outbox_id, o.status from market.contact_verifications v
    left join market.notification_outbox o on o.user_id = v.user_id and o.event_id = 'verify:' || v.id
    where v.user_id = ${userId} and v.channel = ${channel} and v.contact = ${contact}
      and v.confirmed_at is null and v.created_at > to_timestamp(${now - RESEND_AFTER_SECONDS})
    order by v.created_at desc limit 1`;
  if (recent !== undefined)
    return recent.status === 'pending' && recent.outbox_id !== null ? [Number(recent.outbox_id)] : [];

  const source = sourceHash(request.sourceIp);
  await lockKeys(tx, [`contact-verification:${source}`], 'exclusive');
  const [sent] = await tx<{ by_user: number; by_source: number }[]>`
    select count(*) filter (where user_id = ${userId})::int as by_user,
           count(*) filter (where source_hash = ${source})::int as by_source
    from market.contact_verifications
    where created_at > to_timestamp(${now - 86_400}) and (user_id = ${userId} or source_hash = ${source})`;
  if ((sent?.by_user ?? 0) >= limits.perUserPerDay) {
    throw new RateLimitedError(
      `at most ${limits.perUserPerDay} verifications a day per user; confirm the one sent, or try tomorrow`,
      3600,
    );
  }
  if ((sent?.by_source ?? 0) >= limits.perSourcePerDay) {
    throw new RateLimitedError(`at most ${limits.perSourcePerDay} verifications a day per IP address`, 3600);
  }

  const token = randomBytes(32).toString('base64url');
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const ttl = channel === 'email' ? EMAIL_LINK_TTL_SECONDS : SMS_CODE_TTL_SECONDS;
  const [verification] = await tx<{ id: number }[]>`
    insert into market.contact_verifications
      (user_id, channel, contact, secret_hash, source_hash, created_at, expires_at)
    values (${userId}, ${channel}, ${contact},
            ${channel === 'email' ? sha256(token) : codeHash(userId, contact, code)}, ${source},
            to_timestamp(${now}), to_timestamp(${now + ttl}))
    returning id`;
  const message =
    channel === 'email'
      ? {
          subject: 'Confirm your email for Engagement Oracle notifications',
          body:
            `The Ethereum account ${userId} asked to send its Engagement Oracle notifications to this address. ` +
            `To agree, open ${request.emailLink(token)} within 24 hours. If you did not ask for this, ignore ` +
            'this email: nothing else will be sent here.',
        }
      : {
          subject: 'Engagement Oracle',
          body: `Your Engagement Oracle verification code is ${code}. It expires in 15 minutes. Ignore this message if you did not ask for it.`,
        };
  const [row] = await tx<{ id: number }[]>`
    insert into market.notification_outbox (user_id, channel, event_id, trigger, subject, body, destination, not_before)
    values (${userId}, ${channel}, ${`verify:${verification?.id}`}, ${VERIFICATION_TRIGGER}, ${message.subject},
            ${message.body}, ${contact}, to_timestamp(${now}))
    returning id`;
  return [Number(row?.id)];
}

/** Confirms an email address by its link's token; the address then receives notifications. */
export async function confirmEmail(
  sql: Sql,
  token: string,
  now: number,
): Promise<{ userId: string; channel: 'email'; contact: string }> {
  const confirmed = await sql.begin(async (tx) => {
    const [verification] = await tx<{ id: number; user_id: string; contact: string }[]>`
      select v.id, v.user_id, v.contact from market.contact_verifications v
      join market.users u on u.id = v.user_id and u.email = v.contact
      where v.secret_hash = ${sha256(token)} and v.channel = 'email' and v.confirmed_at is null
        and v.expires_at > to_timestamp(${now})
      for update of v, u`;
    if (verification === undefined) return undefined;
    await tx`update market.contact_verifications set confirmed_at = to_timestamp(${now}) where id = ${verification.id}`;
    await tx`update market.users set email_verified_at = to_timestamp(${now}) where id = ${verification.user_id}`;
    return { userId: verification.user_id, channel: 'email' as const, contact: verification.contact };
  });
  if (confirmed === undefined) {
    throw new NotFoundError(
      'this confirmation link is unknown, already used or expired, or its address was replaced since; subscribe with the address again for a new one',
    );
  }
  return confirmed;
}

/**
 * Confirms the user's phone number with the code it received. A wrong code counts against the
 * code's attempts (the count is kept even though the request is refused); past them the code is
 * dead and a new one must be asked for.
 */
export async function confirmPhone(
  sql: Sql,
  userId: string,
  code: string,
  now: number,
): Promise<{ userId: string; channel: 'sms'; contact: string }> {
  const outcome = await sql.begin(async (tx) => {
    const [verification] = await tx<{ id: number; contact: string; attempts: number; secret_hash: string }[]>`
      select v.id, v.contact, v.attempts, v.secret_hash from market.contact_verifications v
      join market.users u on u.id = v.user_id and u.phone = v.contact
      where v.user_id = ${userId} and v.channel = 'sms' and v.confirmed_at is null
        and v.expires_at > to_timestamp(${now})
      order by v.created_at desc limit 1
      for update of v, u`;
    if (verification === undefined) return { kind: 'none' as const };
    if (verification.attempts >= MAX_CODE_ATTEMPTS) return { kind: 'dead' as const };
    const expected = Buffer.from(verification.secret_hash, 'hex');
    const given = Buffer.from(codeHash(userId, verification.contact, code), 'hex');
    if (!timingSafeEqual(expected, given)) {
      await tx`update market.contact_verifications set attempts = attempts + 1 where id = ${verification.id}`;
      return { kind: 'wrong' as const, left: MAX_CODE_ATTEMPTS - verification.attempts - 1 };
    }
    await tx`update market.contact_verifications set confirmed_at = to_timestamp(${now}) where id = ${verification.id}`;
    await tx`update market.users set phone_verified_at = to_timestamp(${now}) where id = ${userId}`;
    return { kind: 'confirmed' as const, contact: verification.contact };
  });
  switch (outcome.kind) {
    case 'none':
      throw new NotFoundError(
        'no verification code is waiting for this user; subscribe with the phone number to get one',
      );
    case 'dead':
      throw new ConflictError(
        `this code took ${MAX_CODE_ATTEMPTS} wrong attempts and no longer works; subscribe with the phone number again for a new one`,
      );
    case 'wrong':
      throw new ValidationError(
        `code: not the code that was sent; ${outcome.left} attempt${outcome.left === 1 ? '' : 's'} left`,
        { details: { field: 'code' } },
      );
    case 'confirmed':
      return { userId, channel: 'sms', contact: outcome.contact };
  }
}

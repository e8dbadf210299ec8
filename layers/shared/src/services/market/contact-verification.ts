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
import {
  countWrongAttempt,
  insertVerification,
  lockEmailVerification,
  lockPhoneVerification,
  markVerificationConfirmed,
  recentVerification,
  verificationsSince,
} from '../../adapters/db/market/contact-verification-store.ts';
import {
  ensureUser,
  lockUserContacts,
  markContactVerified,
  replaceContact,
  setPushEndpoint,
} from '../../adapters/db/market/market-user-store.ts';
import { insertDirectMessage } from '../../adapters/db/market/notification-outbox-store.ts';
import { verificationMessage } from '../../core/market/contact-messages.ts';
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

/**
 * Records the user's contacts inside the caller's transaction (the user's row stays locked until
 * it ends). A changed email or phone is unconfirmed from now on; each one unconfirmed gets a
 * verification unless one went out within a minute. Returns the outbox ids to send now (a
 * verification still waiting to go out is returned again, so a retried request loses nothing).
 */
export async function updateContacts(tx: Sql, request: ContactRequest): Promise<number[]> {
  const { userId, contact } = request;
  await ensureUser(tx, userId);
  const current = await lockUserContacts(tx, userId);
  if (contact.pushEndpoint !== undefined) await setPushEndpoint(tx, userId, contact.pushEndpoint);
  const outbox: number[] = [];
  const wanted: [VerifiedChannel, string | undefined, string | null, boolean][] = [
    ['email', contact.email, current?.email ?? null, current?.emailVerified ?? false],
    ['sms', contact.phone, current?.phone ?? null, current?.phoneVerified ?? false],
  ];
  for (const [channel, value, stored, verified] of wanted) {
    if (value === undefined || (value === stored && verified)) continue;
    if (value !== stored) await replaceContact(tx, userId, channel, value);
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
  const recent = await recentVerification(tx, { userId, channel, contact }, now - RESEND_AFTER_SECONDS);
  if (recent !== undefined)
    return recent.status === 'pending' && recent.outboxId !== null ? [Number(recent.outboxId)] : [];

  const source = sourceHash(request.sourceIp);
  await lockKeys(tx, [`contact-verification:${source}`], 'exclusive');
  const sent = await verificationsSince(tx, userId, source, now - 86_400);
  if (sent.byUser >= limits.perUserPerDay) {
    throw new RateLimitedError(
      `at most ${limits.perUserPerDay} verifications a day per user; confirm the one sent, or try tomorrow`,
      3600,
    );
  }
  if (sent.bySource >= limits.perSourcePerDay) {
    throw new RateLimitedError(`at most ${limits.perSourcePerDay} verifications a day per IP address`, 3600);
  }

  const token = randomBytes(32).toString('base64url');
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const ttl = channel === 'email' ? EMAIL_LINK_TTL_SECONDS : SMS_CODE_TTL_SECONDS;
  const verificationId = await insertVerification(tx, {
    userId,
    channel,
    contact,
    secretHash: channel === 'email' ? sha256(token) : codeHash(userId, contact, code),
    sourceHash: source,
    createdAt: now,
    expiresAt: now + ttl,
  });
  const message = verificationMessage(
    channel === 'email' ? { channel, userId, link: request.emailLink(token) } : { channel, code },
  );
  const outboxId = await insertDirectMessage(tx, {
    userId,
    channel,
    eventId: `verify:${verificationId}`,
    trigger: VERIFICATION_TRIGGER,
    subject: message.subject,
    body: message.body,
    destination: contact,
    notBefore: now,
  });
  return [outboxId];
}

/** Confirms an email address by its link's token; the address then receives notifications. */
export async function confirmEmail(
  sql: Sql,
  token: string,
  now: number,
): Promise<{ userId: string; channel: 'email'; contact: string }> {
  const confirmed = await sql.begin(async (tx) => {
    const verification = await lockEmailVerification(tx, sha256(token), now);
    if (verification === undefined) return undefined;
    await markVerificationConfirmed(tx, verification.id, now);
    await markContactVerified(tx, verification.userId, 'email', now);
    return { userId: verification.userId, channel: 'email' as const, contact: verification.contact };
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
    const verification = await lockPhoneVerification(tx, userId, now);
    if (verification === undefined) return { kind: 'none' as const };
    if (verification.attempts >= MAX_CODE_ATTEMPTS) return { kind: 'dead' as const };
    const expected = Buffer.from(verification.secretHash, 'hex');
    const given = Buffer.from(codeHash(userId, verification.contact, code), 'hex');
    if (!timingSafeEqual(expected, given)) {
      await countWrongAttempt(tx, verification.id);
      return { kind: 'wrong' as const, left: MAX_CODE_ATTEMPTS - verification.attempts - 1 };
    }
    await markVerificationConfirmed(tx, verification.id, now);
    await markContactVerified(tx, userId, 'sms', now);
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

/**
 * Market users (Postgres schema `market`): a market user is an EVM address that signs in with
 * Ethereum (EIP-4361). A sign-in message carries a nonce this API issued (single use, short
 * expiry); a signed-in address gets a short-lived session whose bearer token is stored only as
 * its SHA-256. An email address or phone number receives nothing but its verification until its
 * owner confirmed it (double opt-in). Callers' IP addresses are kept only as SHA-256 digests, to
 * count per source.
 */
import { bigint, index, integer, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns.ts';
import { market } from './market.ts';

/** A market user: `id` is the lowercase address (`address` repeats it for older rows' queries). */
export const marketUsers = market.table('users', {
  id: text('id').primaryKey(),
  address: text('address'),
  email: text('email'),
  /** When the owner of `email` confirmed it; null while unconfirmed (it then receives nothing). */
  emailVerifiedAt: tstz('email_verified_at'),
  phone: text('phone'),
  phoneVerifiedAt: tstz('phone_verified_at'),
  pushEndpoint: text('push_endpoint'),
  createdAt: tstz('created_at').notNull().defaultNow(),
});

/**
 * One verification sent to a contact: a link by email, a code by SMS. Only the SHA-256 of the
 * link's token or of the code is kept; a code takes a few wrong attempts, then is dead.
 */
export const contactVerifications = market.table(
  'contact_verifications',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    userId: text('user_id').notNull(),
    /** `email` or `sms`. */
    channel: text('channel').notNull(),
    contact: text('contact').notNull(),
    secretHash: text('secret_hash').notNull(),
    sourceHash: text('source_hash').notNull(),
    createdAt: tstz('created_at').notNull(),
    expiresAt: tstz('expires_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    confirmedAt: tstz('confirmed_at'),
  },
  (t) => [
    index('contact_verifications_user_idx').on(t.userId, t.channel, t.createdAt),
    index('contact_verifications_source_idx').on(t.sourceHash, t.createdAt),
    index('contact_verifications_secret_idx').on(t.secretHash),
  ],
);

export const signInNonces = market.table(
  'sign_in_nonces',
  {
    nonce: text('nonce').primaryKey(),
    /** SHA-256 (hex) of the caller's IP address: unused nonces are capped per source. */
    sourceHash: text('source_hash').notNull(),
    issuedAt: tstz('issued_at').notNull(),
    expiresAt: tstz('expires_at').notNull(),
    usedAt: tstz('used_at'),
    /** The address that signed in with it. */
    address: text('address'),
  },
  (t) => [
    index('sign_in_nonces_source_idx').on(t.sourceHash, t.expiresAt),
    index('sign_in_nonces_expiry_idx').on(t.expiresAt),
  ],
);

export const marketSessions = market.table(
  'sessions',
  {
    /** SHA-256 (hex) of the bearer token; the token itself is never stored. */
    tokenHash: text('token_hash').primaryKey(),
    address: text('address').notNull(),
    createdAt: tstz('created_at').notNull(),
    expiresAt: tstz('expires_at').notNull(),
    revokedAt: tstz('revoked_at'),
  },
  (t) => [index('sessions_address_idx').on(t.address), index('sessions_expiry_idx').on(t.expiresAt)],
);

/**
 * Market users' identity (Postgres schema `market`): a market user is an EVM address that signs
 * in with Ethereum (EIP-4361). A sign-in message carries a nonce this API issued (single use, short
 * expiry); a signed-in address gets a short-lived session whose bearer token is stored only as
 * its SHA-256. Callers' IP addresses are kept only as SHA-256 digests, to count per source.
 */
import { index, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns.ts';
import { market } from './market.ts';

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

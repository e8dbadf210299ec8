/**
 * Viewers' Twitch sign-in and wallet bindings (Postgres schema `attention`). A viewer proves a
 * Twitch identity through the OAuth authorization-code flow: our API issues the `state`, exchanges
 * the code with the deployment's own app credentials and opens a short-lived viewer session. Only
 * hashes of states and session tokens are stored. Bindings are made with a session; the binding
 * of a user_hash decides who claims its leaves.
 */
import { sql } from 'drizzle-orm';
import { bigint, check, index, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { attention } from './attention.ts';
import { tstz } from './columns.ts';

/**
 * The Solana wallet bound for a login's user_hash: the claimer of its leaves from then on. One
 * row per user_hash (a reused login's binding ends the older one) and per Twitch user id (a
 * rebinding replaces the user's row). Rows without a Twitch user id were made before sign-in
 * existed; they stay in force until that login binds through sign-in.
 */
export const walletBindings = attention.table(
  'wallet_bindings',
  {
    userHash: text('user_hash').primaryKey(),
    /** The login the binding was made with, for display; never answered by a public route. */
    username: text('username').notNull(),
    wallet: text('wallet').notNull(),
    boundAt: tstz('bound_at').notNull().defaultNow(),
    nonce: text('nonce').notNull(),
    twitchUserId: text('twitch_user_id'),
    /** When the Twitch authorization behind the binding was made; a rebinding needs a later one. */
    authorizedAt: tstz('authorized_at'),
  },
  (t) => [
    uniqueIndex('wallet_bindings_nonce_idx').on(t.nonce),
    uniqueIndex('wallet_bindings_twitch_user_id_idx').on(t.twitchUserId),
  ],
);

/** Every nonce a wallet binding used, so a signed binding message is accepted once. */
export const walletBindingNonces = attention.table('wallet_binding_nonces', {
  nonce: text('nonce').primaryKey(),
  userHash: text('user_hash').notNull(),
  wallet: text('wallet').notNull(),
  usedAt: tstz('used_at').notNull().defaultNow(),
});

/**
 * Bindings that ended, kept for audit; also the outbox of WalletRebound (`announced_at` null
 * until the bus took the event). `end_reason`: rebound (the same Twitch user bound another
 * wallet), login-reused (another Twitch user now holds the login), login-changed (the user bound
 * under a new login), legacy-replaced (a binding from before sign-in, replaced through sign-in),
 * opted-out (the login was suppressed).
 */
export const walletBindingHistory = attention.table(
  'wallet_binding_history',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    userHash: text('user_hash').notNull(),
    username: text('username').notNull(),
    wallet: text('wallet').notNull(),
    twitchUserId: text('twitch_user_id'),
    boundAt: tstz('bound_at').notNull(),
    endedAt: tstz('ended_at').notNull().defaultNow(),
    endReason: text('end_reason').notNull(),
    /** The wallet bound for the user_hash after this one; null when the login has none now. */
    nextWallet: text('next_wallet'),
    announcedAt: tstz('announced_at'),
  },
  (t) => [
    index('wallet_binding_history_user_hash_idx').on(t.userHash),
    index('wallet_binding_history_unannounced_idx').on(t.id).where(sql`${t.announcedAt} is null`),
    check(
      'wallet_binding_history_end_reason',
      sql`${t.endReason} in ('rebound', 'login-reused', 'login-changed', 'legacy-replaced', 'opted-out')`,
    ),
  ],
);

/** OAuth `state` values our API issued: single use, short-lived, each for one redirect URI. */
export const twitchAuthStates = attention.table(
  'twitch_auth_states',
  {
    /** sha256 hex of the state. */
    stateHash: text('state_hash').primaryKey(),
    redirectUri: text('redirect_uri').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
    expiresAt: tstz('expires_at').notNull(),
    usedAt: tstz('used_at'),
  },
  (t) => [index('twitch_auth_states_expires_idx').on(t.expiresAt)],
);

/** Viewer sessions opened by a Twitch sign-in: the credential of binding (and later opt-out, claims). */
export const viewerSessions = attention.table(
  'viewer_sessions',
  {
    /** sha256 hex of the session token; the token itself is never stored. */
    tokenHash: text('token_hash').primaryKey(),
    twitchUserId: text('twitch_user_id').notNull(),
    login: text('login').notNull(),
    /** When our API exchanged the authorization code: the authorization's time. */
    authorizedAt: tstz('authorized_at').notNull(),
    expiresAt: tstz('expires_at').notNull(),
  },
  (t) => [index('viewer_sessions_expires_idx').on(t.expiresAt)],
);

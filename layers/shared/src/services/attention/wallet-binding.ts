/**
 * Wallet binding (DESIGN.md, "Wallet binding"): a viewer names the Solana wallet that claims
 * their leaves. The viewer proves a Twitch identity with a viewer session from the Twitch sign-in
 * (services/attention/twitch-sign-in.ts), never with a token of their own; the wallet proves itself with an
 * ed25519 signature over the canonical message of core/attention/binding-message.ts, which names
 * this deployment, the Twitch user id and the login. A nonce is accepted once, ever.
 *
 * One binding per Twitch user id and per login (user_hash, what leaves and carried balances are
 * keyed by). A new binding ends, in the same transaction, the user's own earlier binding and any
 * other binding of the login (a login reused by another Twitch account, or one bound before
 * sign-in existed); each ended binding is kept in wallet_binding_history and announced as
 * WalletRebound. Rebinding needs a Twitch authorization made after the user's current binding,
 * so a session (or a stolen one) binds once. The wallet bound when an epoch's trees are built
 * is the claimer of that epoch's leaves; amounts of unbound viewers wait in carried balances.
 */
import { randomUUID } from 'node:crypto';
import { isSuppressed } from '../../adapters/db/attention/suppression-store.ts';
import {
  deleteBindings,
  findBinding,
  insertBinding,
  listBindingsOf,
  lockUnannouncedEndings,
  markEndingsAnnounced,
  recordEndedBinding,
  useNonce,
} from '../../adapters/db/attention/wallet-binding-store.ts';
import {
  type BindingMessageFields,
  decodeWallet,
  verifyBindingMessage,
} from '../../core/attention/binding-message.ts';
import { normalizeLogin } from '../../core/attention/signals.ts';
import { isUserHash, userHash } from '../../core/attention/user-hash.ts';
import {
  assertRebindingAuthorized,
  bindingEndReason,
  type ClaimerWallet,
} from '../../core/attention/wallet-bindings.ts';
import { ConflictError, NotFoundError, UnauthorizedError, ValidationError } from '../../errors.ts';
import type { EventBus } from '../../ports/event-bus.ts';
import type { Sql } from '../../ports/sql.ts';
import { lockKeys } from '../platform/advisory-locks.ts';
import { bindingLockKey } from './suppression.ts';
import type { ViewerIdentity } from './twitch-sign-in.ts';

export interface BindWalletRequest {
  readonly wallet: string;
  readonly nonce: string;
  /** ISO-8601 UTC as `toISOString()` writes it. */
  readonly expiresAt: string;
  /** base58 or base64 of the 64-byte ed25519 signature over the canonical message. */
  readonly signature: string;
}

/** The deployment a binding message must name. */
export interface Deployment {
  readonly stage: string;
  readonly apiOrigin: string;
}

/** The binder's own answer. */
export interface WalletBinding extends ClaimerWallet {
  readonly username: string;
  readonly twitchUserId: string;
}

export interface WalletBindingDeps {
  readonly sql: Sql;
  readonly deployment: Deployment;
  readonly now: () => Date;
}

/**
 * Checks, in order: the fields and the expiry (400), the signature (401), then in one
 * transaction the nonce (409) and the authorization's freshness (401); then binds. Nothing is
 * written unless every check passed.
 */
export async function bindWallet(
  deps: WalletBindingDeps,
  viewer: ViewerIdentity,
  request: BindWalletRequest,
): Promise<WalletBinding> {
  const username = normalizeLogin(viewer.login);
  if (username === undefined) throw new UnauthorizedError('the viewer session names no Twitch login');
  const fields: BindingMessageFields = {
    ...deps.deployment,
    twitchUserId: viewer.twitchUserId,
    username,
    wallet: request.wallet,
    nonce: request.nonce,
    expiresAt: request.expiresAt,
  };
  const boundAt = deps.now();
  verifyBindingMessage(fields, request.signature, boundAt.getTime());
  const hash = userHash(username);
  return deps.sql.begin(async (tx) => {
    const nonce = { nonce: request.nonce, userHash: hash, wallet: request.wallet, usedAt: boundAt };
    if (!(await useNonce(tx, nonce)))
      throw new ConflictError('nonce was already used: sign a new message with a fresh nonce');
    const bound = await recordBinding(tx as unknown as Sql, {
      username,
      twitchUserId: viewer.twitchUserId,
      wallet: request.wallet,
      boundAt,
      nonce: request.nonce,
      authorizedAt: viewer.authorizedAt,
    });
    return { ...bound, username, twitchUserId: viewer.twitchUserId };
  });
}

/**
 * Binds without a session or a signature: for the local runtime's fixture viewers and for tests.
 * Never reachable from the API. Without a Twitch user id the binding is like one made before
 * sign-in existed.
 */
export async function bindWalletDirect(
  sql: Sql,
  username: string,
  wallet: string,
  now: Date,
  options: { readonly twitchUserId?: string } = {},
): Promise<ClaimerWallet> {
  const login = normalizeLogin(username);
  if (login === undefined)
    throw new ValidationError(`username ${JSON.stringify(username)} is not a Twitch login`);
  decodeWallet(wallet);
  return sql.begin((tx) =>
    recordBinding(tx as unknown as Sql, {
      username: login,
      twitchUserId: options.twitchUserId ?? null,
      wallet,
      boundAt: now,
      nonce: `direct:${randomUUID()}`,
      authorizedAt: undefined,
    }),
  );
}

/** The wallet bound for a login or a user_hash, if any. */
export async function findWalletBinding(sql: Sql, user: string): Promise<ClaimerWallet | undefined> {
  return findBinding(sql, userHashOf(user));
}

export async function requireWalletBinding(sql: Sql, user: string): Promise<ClaimerWallet> {
  const binding = await findWalletBinding(sql, user);
  if (binding === undefined) throw new NotFoundError(`no wallet is bound for ${user}`);
  return binding;
}

/** A user as the routes accept one: a Twitch login or a user_hash (64 lowercase hex). */
export function userHashOf(user: string): string {
  const lowered = user.trim().toLowerCase();
  if (isUserHash(lowered)) return lowered;
  const login = normalizeLogin(lowered);
  if (login === undefined) {
    throw new ValidationError(
      'user must be a Twitch login (4–25 of a-z, 0-9, _) or a user_hash (64 hex characters)',
    );
  }
  return userHash(login);
}

/** Ended bindings announced per call; the rest wait for the next one. */
const ANNOUNCE_BATCH = 100;

/**
 * Puts WalletRebound on the bus for ended bindings not announced yet, and marks those the bus
 * took (wallet_binding_history is the outbox): a bus that is down delays an event, never loses
 * it. Concurrent callers announce different rows.
 */
export async function announceWalletRebindings(
  deps: { readonly sql: Sql; readonly events: EventBus },
  now: Date,
): Promise<number> {
  let failure: unknown;
  const announced = await deps.sql.begin(async (tx) => {
    const rows = await lockUnannouncedEndings(tx, ANNOUNCE_BATCH);
    const done: number[] = [];
    for (const row of rows) {
      try {
        await deps.events.publish({
          type: 'WalletRebound',
          userHash: row.userHash,
          previousWallet: row.wallet,
          wallet: row.nextWallet,
          reason: row.endReason,
          timestamp: Math.floor(Date.parse(row.endedAt) / 1000),
        });
      } catch (error) {
        failure = error;
        break;
      }
      done.push(row.id);
    }
    if (done.length > 0) await markEndingsAnnounced(tx, done, now);
    return done.length;
  });
  if (failure !== undefined) throw failure;
  return announced;
}

interface NewBinding {
  readonly username: string;
  readonly twitchUserId: string | null;
  readonly wallet: string;
  readonly boundAt: Date;
  readonly nonce: string;
  /** The session's authorization time; undefined for direct bindings, which skip the freshness check. */
  readonly authorizedAt: Date | undefined;
}

/**
 * Ends the user's own binding and any other binding of the login, then records the new one, in
 * the caller's transaction. Locks the user id and the login first, so two bindings touching
 * either are serialized.
 */
async function recordBinding(tx: Sql, binding: NewBinding): Promise<ClaimerWallet> {
  const hash = userHash(binding.username);
  const userKey = binding.twitchUserId ?? `none:${hash}`;
  await lockKeys(tx, [bindingLockKey(hash), `wallet-binding:twitch-user:${userKey}`], 'exclusive');
  if (await isSuppressed(tx, hash)) {
    throw new ConflictError(
      'this login opted out: no wallet is bound while it stays suppressed (a viewer lifts their own opt-out with DELETE /suppressions/self)',
    );
  }
  const rows = await listBindingsOf(tx, hash, binding.twitchUserId);
  const own = rows.find((r) => r.twitchUserId !== null && r.twitchUserId === binding.twitchUserId);
  if (own !== undefined && binding.authorizedAt !== undefined) {
    assertRebindingAuthorized(new Date(own.boundAt), binding.authorizedAt);
  }
  for (const ended of rows) {
    const reason = bindingEndReason(ended, ended === own, hash);
    const nextWallet = ended.userHash === hash ? binding.wallet : null;
    await recordEndedBinding(tx, ended, { endedAt: binding.boundAt, reason, nextWallet });
  }
  if (rows.length > 0)
    await deleteBindings(
      tx,
      rows.map((r) => r.userHash),
    );
  await insertBinding(tx, {
    userHash: hash,
    username: binding.username,
    wallet: binding.wallet,
    boundAt: binding.boundAt,
    nonce: binding.nonce,
    twitchUserId: binding.twitchUserId,
    authorizedAt: binding.authorizedAt ?? null,
  });
  return { userHash: hash, wallet: binding.wallet, boundAt: binding.boundAt.toISOString() };
}

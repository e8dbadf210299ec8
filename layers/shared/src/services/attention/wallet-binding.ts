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
import {
  type BindingMessageFields,
  decodeWallet,
  verifyBindingMessage,
} from '../../core/attention/binding-message.ts';
import { normalizeLogin } from '../../core/attention/signals.ts';
import { isUserHash, userHash } from '../../core/attention/user-hash.ts';
import type { BindingEndReason } from '../../core/events/domain-events.ts';
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

/**
 * What anyone may learn about a binding: what a claimer needs. Never the username, which would
 * turn the user_hash published on chain back into a Twitch login.
 */
export interface ClaimerWallet {
  readonly userHash: string;
  readonly wallet: string;
  readonly boundAt: string;
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

interface BindingRow {
  readonly user_hash: string;
  readonly username: string;
  readonly wallet: string;
  readonly bound_at: string;
  readonly twitch_user_id: string | null;
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
    const used = await tx`
      insert into attention.wallet_binding_nonces (nonce, user_hash, wallet, used_at)
      values (${request.nonce}, ${hash}, ${request.wallet}, ${boundAt.toISOString()}::timestamptz)
      on conflict (nonce) do nothing returning 1`;
    if (used.length === 0)
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
  const hash = userHashOf(user);
  const [row] = await sql<{ user_hash: string; wallet: string; bound_at: string }[]>`
    select user_hash, wallet, bound_at::text from attention.wallet_bindings where user_hash = ${hash}`;
  return row === undefined
    ? undefined
    : { userHash: row.user_hash, wallet: row.wallet, boundAt: new Date(row.bound_at).toISOString() };
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
    const rows = await tx<
      {
        id: number;
        user_hash: string;
        wallet: string;
        next_wallet: string | null;
        end_reason: BindingEndReason;
        ended_at: string;
      }[]
    >`
      select id::float8 as id, user_hash, wallet, next_wallet, end_reason, ended_at::text
      from attention.wallet_binding_history where announced_at is null
      order by id limit ${ANNOUNCE_BATCH} for update skip locked`;
    const done: number[] = [];
    for (const row of rows) {
      try {
        await deps.events.publish({
          type: 'WalletRebound',
          userHash: row.user_hash,
          previousWallet: row.wallet,
          wallet: row.next_wallet,
          reason: row.end_reason,
          timestamp: Math.floor(Date.parse(row.ended_at) / 1000),
        });
      } catch (error) {
        failure = error;
        break;
      }
      done.push(row.id);
    }
    if (done.length > 0) {
      await tx`
        update attention.wallet_binding_history set announced_at = ${now.toISOString()}::timestamptz
        where id = any(${done}::bigint[])`;
    }
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
  const [suppressed] = await tx`select 1 from attention.suppression_list where user_hash = ${hash}`;
  if (suppressed !== undefined) {
    throw new ConflictError(
      'this login opted out: no wallet is bound while it stays suppressed (a viewer lifts their own opt-out with DELETE /suppressions/self)',
    );
  }
  const rows = await tx<BindingRow[]>`
    select user_hash, username, wallet, bound_at::text, twitch_user_id from attention.wallet_bindings
    where user_hash = ${hash} or twitch_user_id = ${binding.twitchUserId}`;
  const own = rows.find((r) => r.twitch_user_id !== null && r.twitch_user_id === binding.twitchUserId);
  if (own !== undefined && binding.authorizedAt !== undefined) {
    const current = new Date(own.bound_at);
    if (binding.authorizedAt.getTime() <= current.getTime()) {
      throw new UnauthorizedError(
        `a rebinding needs a Twitch authorization made after the current binding (bound ${current.toISOString()}, this session authorized ${binding.authorizedAt.toISOString()}): sign in with Twitch again`,
      );
    }
  }
  for (const ended of rows) {
    const sameLogin = ended.user_hash === hash;
    const reason: BindingEndReason =
      ended === own
        ? sameLogin
          ? 'rebound'
          : 'login-changed'
        : ended.twitch_user_id === null
          ? 'legacy-replaced'
          : 'login-reused';
    await tx`
      insert into attention.wallet_binding_history
        (user_hash, username, wallet, twitch_user_id, bound_at, ended_at, end_reason, next_wallet)
      values (${ended.user_hash}, ${ended.username}, ${ended.wallet}, ${ended.twitch_user_id},
        ${ended.bound_at}::timestamptz, ${binding.boundAt.toISOString()}::timestamptz, ${reason},
        ${sameLogin ? binding.wallet : null})`;
  }
  if (rows.length > 0) {
    await tx`delete from attention.wallet_bindings where user_hash = any(${rows.map((r) => r.user_hash)}::text[])`;
  }
  await tx`
    insert into attention.wallet_bindings
      (user_hash, username, wallet, bound_at, nonce, twitch_user_id, authorized_at)
    values (${hash}, ${binding.username}, ${binding.wallet}, ${binding.boundAt.toISOString()}::timestamptz,
      ${binding.nonce}, ${binding.twitchUserId},
      ${binding.authorizedAt?.toISOString() ?? null}::timestamptz)`;
  return { userHash: hash, wallet: binding.wallet, boundAt: binding.boundAt.toISOString() };
}

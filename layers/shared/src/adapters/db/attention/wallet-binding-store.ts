/**
 * The named queries of wallet bindings: the bindings, the nonces each used once, and the
 * history of ended bindings, which is also WalletRebound's outbox. services/attention/
 * wallet-binding.ts owns the transactions and their locks.
 */

import type {
  walletBindingHistory,
  walletBindings,
} from '../../../../../../drizzle/schema/attention-wallets.ts';
import type { ClaimerWallet } from '../../../core/attention/wallet-bindings.ts';
import type { BindingEndReason } from '../../../core/events/domain-events.ts';
import type { Queryable } from '../../../ports/sql.ts';

/** A current binding; bound_at as the database's text, written back as is when it ends. */
export type StoredBinding = Pick<
  typeof walletBindings.$inferSelect,
  'userHash' | 'username' | 'wallet' | 'twitchUserId'
> & { readonly boundAt: string };

export type NewWalletBinding = Pick<
  typeof walletBindings.$inferInsert,
  'userHash' | 'username' | 'wallet' | 'nonce'
> & {
  readonly twitchUserId: string | null;
  readonly boundAt: Date;
  readonly authorizedAt: Date | null;
};

/** An ended binding not announced yet; ended_at as text. */
export type UnannouncedEnding = Pick<
  typeof walletBindingHistory.$inferSelect,
  'id' | 'userHash' | 'wallet' | 'nextWallet'
> & {
  readonly endReason: BindingEndReason;
  readonly endedAt: string;
};

/** Takes the nonce for this binding; false when it was used before. */
export async function useNonce(
  q: Queryable,
  use: { readonly nonce: string; readonly userHash: string; readonly wallet: string; readonly usedAt: Date },
): Promise<boolean> {
  const used = await q`
    insert into attention.wallet_binding_nonces (nonce, user_hash, wallet, used_at)
    values (${use.nonce}, ${use.userHash}, ${use.wallet}, ${use.usedAt.toISOString()}::timestamptz)
    on conflict (nonce) do nothing returning 1`;
  return used.length > 0;
}

export async function findBinding(q: Queryable, userHash: string): Promise<ClaimerWallet | undefined> {
  const [row] = await q<{ userHash: string; wallet: string; boundAt: string }[]>`
    select user_hash as "userHash", wallet, bound_at::text as "boundAt"
    from attention.wallet_bindings where user_hash = ${userHash}`;
  return row === undefined ? undefined : { ...row, boundAt: new Date(row.boundAt).toISOString() };
}

/** The bindings of the login and of the Twitch user id (a null id matches none). */
export async function listBindingsOf(
  q: Queryable,
  userHash: string,
  twitchUserId: string | null,
): Promise<StoredBinding[]> {
  return q<StoredBinding[]>`
    select user_hash as "userHash", username, wallet, bound_at::text as "boundAt", twitch_user_id as "twitchUserId"
    from attention.wallet_bindings
    where user_hash = ${userHash} or twitch_user_id = ${twitchUserId}`;
}

/** Keeps an ended binding in the history (not announced yet). */
export async function recordEndedBinding(
  q: Queryable,
  ended: StoredBinding,
  end: { readonly endedAt: Date; readonly reason: BindingEndReason; readonly nextWallet: string | null },
): Promise<void> {
  await q`
    insert into attention.wallet_binding_history
      (user_hash, username, wallet, twitch_user_id, bound_at, ended_at, end_reason, next_wallet)
    values (${ended.userHash}, ${ended.username}, ${ended.wallet}, ${ended.twitchUserId},
      ${ended.boundAt}::timestamptz, ${end.endedAt.toISOString()}::timestamptz, ${end.reason},
      ${end.nextWallet})`;
}

export async function deleteBindings(q: Queryable, userHashes: readonly string[]): Promise<void> {
  await q`delete from attention.wallet_bindings where user_hash = any(${[...userHashes]}::text[])`;
}

export async function insertBinding(q: Queryable, binding: NewWalletBinding): Promise<void> {
  await q`
    insert into attention.wallet_bindings
      (user_hash, username, wallet, bound_at, nonce, twitch_user_id, authorized_at)
    values (${binding.userHash}, ${binding.username}, ${binding.wallet}, ${binding.boundAt.toISOString()}::timestamptz,
      ${binding.nonce}, ${binding.twitchUserId},
      ${binding.authorizedAt?.toISOString() ?? null}::timestamptz)`;
}

/** Ended bindings not announced yet, oldest first, locked so concurrent callers take different rows. */
export async function lockUnannouncedEndings(q: Queryable, limit: number): Promise<UnannouncedEnding[]> {
  return q<UnannouncedEnding[]>`
    select id::float8 as id, user_hash as "userHash", wallet, next_wallet as "nextWallet",
      end_reason as "endReason", ended_at::text as "endedAt"
    from attention.wallet_binding_history where announced_at is null
    order by id limit ${limit} for update skip locked`;
}

export async function markEndingsAnnounced(q: Queryable, ids: readonly number[], at: Date): Promise<void> {
  await q`
    update attention.wallet_binding_history set announced_at = ${at.toISOString()}::timestamptz
    where id = any(${[...ids]}::bigint[])`;
}

/**
 * Ends the viewer's binding, if any, as `opted-out` (kept in the history, not announced yet) in
 * one statement; false when they had none.
 */
export async function endBindingAsOptedOut(q: Queryable, userHash: string, endedAt: Date): Promise<boolean> {
  const ended = await q`
    with ended as (delete from attention.wallet_bindings where user_hash = ${userHash} returning *)
    insert into attention.wallet_binding_history
      (user_hash, username, wallet, twitch_user_id, bound_at, ended_at, end_reason, next_wallet)
    select user_hash, username, wallet, twitch_user_id, bound_at, ${endedAt.toISOString()}::timestamptz, 'opted-out', null
    from ended returning 1`;
  return ended.length > 0;
}

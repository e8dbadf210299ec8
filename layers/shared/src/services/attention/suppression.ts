/**
 * Opt-out: in one transaction the viewer joins the suppression list and loses the username
 * mapping, every unsealed participation row and their wallet binding (kept in
 * wallet_binding_history as `opted-out`, announced as WalletRebound); what was already sealed
 * stays as it was, and so does their carried balance. Later events of the viewer are dropped at
 * ingest, and no wallet can be bound for them while they stay suppressed.
 *
 * An admin suppresses anyone (`POST /suppressions`); a viewer suppresses themself with their
 * sign-in session and may lift that suppression again, never one an admin made.
 */

import { SUPPRESSION_LOCK } from '../../core/attention/locks.ts';
import { isUserHash, userHash } from '../../core/attention/user-hash.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../../errors.ts';
import type { Sql } from '../../ports/sql.ts';
import { recordAdminAction } from '../platform/admin-audit.ts';
import { lockKeys } from '../platform/advisory-locks.ts';

export type SuppressionRequester = 'admin' | 'viewer';

export interface SuppressionResult {
  readonly userHash: string;
  readonly alreadySuppressed: boolean;
  readonly participationRowsDeleted: number;
  readonly mappingDeleted: boolean;
  readonly bindingRemoved: boolean;
}

/** The advisory lock key a wallet binding of this login takes (services/attention/wallet-binding.ts). */
export function bindingLockKey(hash: string): string {
  return `wallet-binding:login:${hash}`;
}

/**
 * `user` is a Twitch login or a user_hash (64 hex characters). `actor` is the admin who asked (an
 * admin token's name), recorded in the admin audit log in the same transaction; `null` when the
 * viewer opts themself out (their own session, not an admin action).
 */
export async function suppressUser(
  sql: Sql,
  user: string,
  reason: string | undefined,
  actor: string | null,
  options: { readonly now?: Date } = {},
): Promise<SuppressionResult> {
  const lowered = user.trim().toLowerCase();
  let hash: string;
  if (isUserHash(lowered)) hash = lowered;
  else if (/^[a-z0-9_]{4,25}$/.test(lowered)) hash = userHash(lowered);
  else
    throw new ValidationError(
      'user must be a Twitch login (4–25 of a-z, 0-9, _) or a 64-character user_hash',
    );

  return sql.begin(async (tx) => {
    // Waits for in-flight ingest batches and holds new ones off until this commits.
    await tx`select pg_advisory_xact_lock(${SUPPRESSION_LOCK})`;
    // Holds off a binding of the login until this commits; it then sees the suppression.
    await lockKeys(tx as unknown as Sql, [bindingLockKey(hash)], 'exclusive');
    const inserted = await tx`
      insert into attention.suppression_list (user_hash, reason, requested_by)
      values (${hash}, ${reason ?? null}, ${actor === null ? 'viewer' : 'admin'})
      on conflict (user_hash) do nothing returning 1`;
    const deletedParticipation = await tx`
      delete from attention.channel_participation cp
      where cp.user_hash = ${hash}
        and not exists (select 1 from attention.sealed_epochs s where s.epoch = cp.epoch and s.channel = cp.channel)
      returning 1`;
    const deletedMapping = await tx`delete from attention.user_mapping where user_hash = ${hash} returning 1`;
    const endedAt = (options.now ?? new Date()).toISOString();
    const removedBinding = await tx`
      with ended as (delete from attention.wallet_bindings where user_hash = ${hash} returning *)
      insert into attention.wallet_binding_history
        (user_hash, username, wallet, twitch_user_id, bound_at, ended_at, end_reason, next_wallet)
      select user_hash, username, wallet, twitch_user_id, bound_at, ${endedAt}::timestamptz, 'opted-out', null
      from ended returning 1`;
    const result = {
      userHash: hash,
      alreadySuppressed: inserted.length === 0,
      participationRowsDeleted: deletedParticipation.length,
      mappingDeleted: deletedMapping.length > 0,
      bindingRemoved: removedBinding.length > 0,
    };
    if (actor === null) return result;
    await recordAdminAction(tx, {
      actor,
      action: 'suppression.add',
      targetType: 'viewer',
      targetId: hash,
      before: { suppressed: result.alreadySuppressed },
      after: { suppressed: true },
      details: {
        reason: reason ?? null,
        participationRowsDeleted: result.participationRowsDeleted,
        mappingDeleted: result.mappingDeleted,
        bindingRemoved: result.bindingRemoved,
      },
    });
    return result;
  });
}

/**
 * A viewer lifts their own opt-out: collection resumes with their next events, and a wallet can
 * be bound again (their carried balance is then paid in a carry tree). A suppression an admin
 * made stays (403).
 */
export async function liftSelfSuppression(sql: Sql, hash: string): Promise<{ readonly userHash: string }> {
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${SUPPRESSION_LOCK})`;
    const [row] = await tx<{ requested_by: SuppressionRequester }[]>`
      select requested_by from attention.suppression_list where user_hash = ${hash} for update`;
    if (row === undefined) throw new ConflictError('you are not opted out: there is nothing to lift');
    if (row.requested_by !== 'viewer') {
      throw new ForbiddenError('an admin opted this login out: only an admin can lift it');
    }
    await tx`delete from attention.suppression_list where user_hash = ${hash}`;
    return { userHash: hash };
  });
}

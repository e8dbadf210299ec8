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

import {
  deleteUnsealedParticipationOf,
  deleteUserMapping,
} from '../../adapters/db/attention/participation-store.ts';
import {
  addSuppression,
  deleteSuppression,
  lockSuppressionListExclusive,
  lockSuppressionRequester,
} from '../../adapters/db/attention/suppression-store.ts';
import { endBindingAsOptedOut } from '../../adapters/db/attention/wallet-binding-store.ts';
import { isUserHash, userHash } from '../../core/attention/user-hash.ts';
import { ConflictError, ForbiddenError, ValidationError } from '../../errors.ts';
import type { Sql } from '../../ports/sql.ts';
import { recordAdminAction } from '../platform/admin-audit.ts';
import { lockKeys } from '../platform/advisory-locks.ts';

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
    await lockSuppressionListExclusive(tx);
    // Holds off a binding of the login until this commits; it then sees the suppression.
    await lockKeys(tx as unknown as Sql, [bindingLockKey(hash)], 'exclusive');
    const added = await addSuppression(tx, {
      userHash: hash,
      reason: reason ?? null,
      requestedBy: actor === null ? 'viewer' : 'admin',
    });
    const result = {
      userHash: hash,
      alreadySuppressed: !added,
      participationRowsDeleted: await deleteUnsealedParticipationOf(tx, hash),
      mappingDeleted: await deleteUserMapping(tx, hash),
      bindingRemoved: await endBindingAsOptedOut(tx, hash, options.now ?? new Date()),
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
    await lockSuppressionListExclusive(tx);
    const requestedBy = await lockSuppressionRequester(tx, hash);
    if (requestedBy === undefined) throw new ConflictError('you are not opted out: there is nothing to lift');
    if (requestedBy !== 'viewer') {
      throw new ForbiddenError('an admin opted this login out: only an admin can lift it');
    }
    await deleteSuppression(tx, hash);
    return { userHash: hash };
  });
}

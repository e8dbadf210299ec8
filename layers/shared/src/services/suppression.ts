/**
 * Opt-out: in one transaction the viewer joins the suppression list and loses the username
 * mapping and every unsealed participation row; what was already sealed stays as it was.
 * Later events of the viewer are dropped at ingest.
 */
import type { Sql } from '../adapters/db/client.ts';
import { SUPPRESSION_LOCK } from '../core/attention/locks.ts';
import { isUserHash, userHash } from '../core/attention/user-hash.ts';
import { ValidationError } from '../errors.ts';
import { recordAdminAction } from './admin-audit.ts';

export interface SuppressionResult {
  readonly userHash: string;
  readonly alreadySuppressed: boolean;
  readonly participationRowsDeleted: number;
  readonly mappingDeleted: boolean;
}

/**
 * `user` is a Twitch login or a user_hash (64 hex characters); `actor` is who asked (an admin
 * token's name), recorded in the admin audit log in the same transaction.
 */
export async function suppressUser(
  sql: Sql,
  user: string,
  reason: string | undefined,
  actor: string,
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
    const inserted = await tx`
      insert into attention.suppression_list (user_hash, reason) values (${hash}, ${reason ?? null})
      on conflict (user_hash) do nothing returning 1`;
    const deletedParticipation = await tx`
      delete from attention.channel_participation cp
      where cp.user_hash = ${hash}
        and not exists (select 1 from attention.sealed_epochs s where s.epoch = cp.epoch and s.channel = cp.channel)
      returning 1`;
    const deletedMapping = await tx`delete from attention.user_mapping where user_hash = ${hash} returning 1`;
    const result = {
      userHash: hash,
      alreadySuppressed: inserted.length === 0,
      participationRowsDeleted: deletedParticipation.length,
      mappingDeleted: deletedMapping.length > 0,
    };
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
      },
    });
    return result;
  });
}

/**
 * The named queries of an oracle call (`delivery.oracle_call_history`, DESIGN.md section 5): its
 * status moves only through these, each guarded by the statuses it may leave, so a call another
 * worker already moved on is left as it is.
 */
import type { CallStatus, oracleCallHistory } from '../../../../../../drizzle/schema/delivery.ts';
import type { Queryable } from '../../../ports/sql.ts';
import { bounded, fromJson, iso, numOrNull, strOrNull, toDate } from '../raw-values.ts';

/**
 * A call as the delivery services see it (and the operator surface shows it): the row as drizzle
 * infers it, less the bookkeeping `updated_at`.
 */
export type OracleCall = Readonly<Omit<typeof oracleCallHistory.$inferSelect, 'updatedAt'>>;

type Row = Record<string, unknown>;

export function toCall(r: Row): OracleCall {
  return {
    id: Number(r['id']),
    requestId: String(r['request_id']),
    chainId: Number(r['chain_id']),
    signerAddress: String(r['signer_address']),
    contractAddress: String(r['contract_address']),
    targetAddress: String(r['target_address']),
    seasonId: numOrNull(r['season_id']),
    playerAddress: strOrNull(r['player_address']),
    functionName: String(r['function_name']),
    parameters: fromJson(r['parameters']),
    callData: String(r['call_data']),
    status: r['status'] as CallStatus,
    generation: Number(r['generation']),
    attemptCount: Number(r['attempt_count']),
    maxAttempts: Number(r['max_attempts']),
    supersedeKey: strOrNull(r['supersede_key']),
    nextAttemptAt: toDate(r['next_attempt_at']),
    transactionHash: strOrNull(r['transaction_hash']),
    blockNumber: numOrNull(r['block_number']),
    gasUsed: numOrNull(r['gas_used']),
    errorMessage: strOrNull(r['error_message']),
    errorCode: strOrNull(r['error_code']),
    retryReason: strOrNull(r['retry_reason']),
    notes: strOrNull(r['notes']),
    createdAt: toDate(r['created_at']) ?? new Date(0),
    firstAttemptAt: toDate(r['first_attempt_at']),
    lastAttemptAt: toDate(r['last_attempt_at']),
    completedAt: toDate(r['completed_at']),
  };
}

export async function readCalls(q: Queryable, ids: readonly number[]): Promise<Map<number, OracleCall>> {
  if (ids.length === 0) return new Map();
  const rows =
    await q`select * from delivery.oracle_call_history where id = any(${[...new Set(ids)]}::bigint[])`;
  return new Map(rows.map((row) => [Number(row['id']), toCall(row)]));
}

/** A signer's calls whose retry time has come, or queued ones whose message was lost (older than the grace). */
export async function dueCalls(
  q: Queryable,
  signer: { chainId: number; address: string },
  now: number,
  queuedGraceMs: number,
  limit: number,
): Promise<OracleCall[]> {
  const rows = await q`
    select * from delivery.oracle_call_history
    where chain_id = ${signer.chainId} and signer_address = ${signer.address}
      and ((status = 'retrying' and next_attempt_at <= ${iso(now)})
        or (status = 'queued' and updated_at <= ${iso(now - queuedGraceMs)}))
    order by id limit ${limit}`;
  return rows.map(toCall);
}

/** For each of the calls with a supersede key, the newest later call with that key that succeeded. */
export async function supersedingSuccesses(
  q: Queryable,
  ids: readonly number[],
): Promise<Map<number, number>> {
  const newer = new Map<number, number>();
  if (ids.length === 0) return newer;
  for (const row of await q<{ id: bigint; by: bigint }[]>`
    select c.id, n.id as by from delivery.oracle_call_history c
    join lateral (
      select id from delivery.oracle_call_history n
      where n.supersede_key = c.supersede_key and n.id > c.id and n.status = 'success'
      order by n.id desc limit 1
    ) n on true
    where c.id = any(${ids as number[]}::bigint[])`) {
    newer.set(Number(row.id), Number(row.by));
  }
  return newer;
}

/** Locks the calls that may still be sent (queued, retrying), in id order; returns their ids. */
export async function lockSendableCalls(q: Queryable, ids: readonly number[]): Promise<Set<number>> {
  const rows = await q<{ id: bigint }[]>`
    select id from delivery.oracle_call_history
    where id = any(${ids as number[]}::bigint[]) and status in ('queued', 'retrying')
    order by id for update`;
  return new Set(rows.map((r) => Number(r.id)));
}

/** A call never sent because a newer one with its key succeeded first. */
export async function markSuperseded(q: Queryable, id: number, reason: string, now: number): Promise<void> {
  await q`
    update delivery.oracle_call_history set status = 'superseded', completed_at = ${iso(now)}, next_attempt_at = null,
      notes = ${reason}, updated_at = ${iso(now)}
    where id = ${id} and status in ('queued', 'retrying')`;
}

/** A send the open breaker kept from the node: retried now, the attempt not counted. */
export async function uncountSend(q: Queryable, id: number, now: number): Promise<void> {
  await q`
    update delivery.oracle_call_history set status = 'retrying', attempt_count = greatest(attempt_count - 1, 0),
      next_attempt_at = ${iso(now)}, retry_reason = 'circuit open', updated_at = ${iso(now)}
    where id = ${id} and status = 'pending'`;
}

/** The call holds its nonce and waits for what gets mined there. */
export async function awaitNonce(q: Queryable, id: number, now: number): Promise<void> {
  await q`
    update delivery.oracle_call_history set status = 'pending', next_attempt_at = null, updated_at = ${iso(now)}
    where id = ${id} and status in ('pending', 'retrying')`;
}

export interface FailedAttempt {
  readonly attemptsMade: number;
  readonly errorKind: string;
  readonly reason: string;
  readonly retryReason: string;
}

export async function scheduleRetry(
  q: Queryable,
  id: number,
  failed: FailedAttempt,
  now: number,
  retryAt: number,
): Promise<void> {
  await q`
    update delivery.oracle_call_history set status = 'retrying', attempt_count = ${failed.attemptsMade},
      next_attempt_at = ${iso(retryAt)}, error_message = ${bounded(failed.reason)},
      error_code = ${failed.errorKind}, retry_reason = ${failed.retryReason},
      first_attempt_at = coalesce(first_attempt_at, ${iso(now)}), last_attempt_at = ${iso(now)},
      updated_at = ${iso(now)}
    where id = ${id} and status in ('queued', 'pending', 'retrying')`;
}

/**
 * Ends a call that holds no nonce as failed or superseded; false when it had ended already (so
 * its message is not dead-lettered twice).
 */
export async function endWithoutNonce(
  q: Queryable,
  id: number,
  end: { status: 'failed' | 'superseded'; attemptsMade: number; errorCode: string; reason: string },
  now: number,
): Promise<boolean> {
  const [row] = await q`
    update delivery.oracle_call_history set status = ${end.status}, attempt_count = ${end.attemptsMade},
      error_message = ${bounded(end.reason)}, error_code = ${end.errorCode}, next_attempt_at = null,
      completed_at = ${iso(now)}, first_attempt_at = coalesce(first_attempt_at, ${iso(now)}),
      last_attempt_at = ${iso(now)}, updated_at = ${iso(now)}
    where id = ${id} and status in ('queued', 'pending', 'retrying')
    returning id`;
  return row !== undefined;
}

/** Failed for good while holding a nonce: pending until the fill (or its own transaction) is mined. */
export async function markFilling(
  q: Queryable,
  id: number,
  end: { attemptsMade: number; errorCode: string; reason: string; nonce: number },
  now: number,
): Promise<void> {
  await q`
    update delivery.oracle_call_history set status = 'pending', attempt_count = ${end.attemptsMade},
      error_message = ${bounded(end.reason)}, error_code = ${end.errorCode}, next_attempt_at = null,
      notes = ${`failed for good; filling nonce ${end.nonce}`}, last_attempt_at = ${iso(now)}, updated_at = ${iso(now)}
    where id = ${id}`;
}

/** A retry at the nonce the call holds: counted, and pending again. */
export async function markResent(q: Queryable, id: number, attemptsMade: number, now: number): Promise<void> {
  await q`
    update delivery.oracle_call_history set status = 'pending', attempt_count = ${attemptsMade},
      last_attempt_at = ${iso(now)}, next_attempt_at = null, updated_at = ${iso(now)}
    where id = ${id}`;
}

/** A retry the open breaker held back: due again now, with the count it had. */
export async function retryNow(q: Queryable, id: number, attemptCount: number, now: number): Promise<void> {
  await q`
    update delivery.oracle_call_history set status = 'retrying', attempt_count = ${attemptCount},
      next_attempt_at = ${iso(now)}, updated_at = ${iso(now)}
    where id = ${id}`;
}

export interface MinedCall {
  readonly id: number;
  readonly hash: string;
  readonly blockNumber: number | null;
  readonly gasUsed: bigint | null;
}

/** Completes calls whose own transaction was mined (one statement for the lot). */
export async function markCallsSucceeded(
  q: Queryable,
  calls: readonly MinedCall[],
  now: number,
): Promise<void> {
  await q`
    update delivery.oracle_call_history c set status = 'success', transaction_hash = u.hash, block_number = u.block,
      gas_used = u.gas, completed_at = ${iso(now)}::timestamptz, next_attempt_at = null, updated_at = ${iso(now)}::timestamptz,
      notes = case when c.notes like 'failed for good%' then 'own transaction mined before the fill' else c.notes end
    from unnest(${calls.map((c) => c.id)}::bigint[], ${calls.map((c) => c.hash)}::text[],
      ${calls.map((c) => c.blockNumber)}::bigint[],
      ${calls.map((c) => c.gasUsed?.toString() ?? null)}::bigint[]) as u(id, hash, block, gas)
    where c.id = u.id`;
}

/** Older calls with the key that hold no nonce: never sent over the one that succeeded. */
export async function supersedeOlder(
  q: Queryable,
  succeeded: { id: number; supersedeKey: string },
  now: number,
): Promise<void> {
  await q`
    update delivery.oracle_call_history o set status = 'superseded', completed_at = ${iso(now)},
      next_attempt_at = null, notes = ${`superseded by call ${succeeded.id}, which succeeded`}, updated_at = ${iso(now)}
    where o.supersede_key = ${succeeded.supersedeKey} and o.id < ${succeeded.id} and o.status in ('queued', 'retrying')
      and not exists (select 1 from delivery.oracle_tx_attempts a where a.call_id = o.id and a.outcome = 'pending')`;
}

/** The call's own transaction was mined and reverted: where, and why. */
export async function recordRevert(q: Queryable, mined: MinedCall, reason: string): Promise<void> {
  await q`
    update delivery.oracle_call_history set transaction_hash = ${mined.hash},
      block_number = ${mined.blockNumber}, gas_used = ${mined.gasUsed?.toString() ?? null}::bigint,
      error_code = 'execution', error_message = ${reason}
    where id = ${mined.id}`;
}

/** The fill of a superseded call was mined: the call ends superseded. */
export async function completeSuperseded(q: Queryable, id: number, now: number): Promise<void> {
  await q`
    update delivery.oracle_call_history set status = 'superseded', completed_at = ${iso(now)}, updated_at = ${iso(now)}
    where id = ${id}`;
}

/** Fails a call for good; false when it had failed already (so it is dead-lettered once). */
export async function completeFailed(
  q: Queryable,
  id: number,
  reason: string,
  now: number,
): Promise<boolean> {
  const [row] = await q`
    update delivery.oracle_call_history set status = 'failed', completed_at = ${iso(now)}, next_attempt_at = null,
      error_message = ${bounded(reason)}, updated_at = ${iso(now)}
    where id = ${id} and status <> 'failed' returning id`;
  return row !== undefined;
}

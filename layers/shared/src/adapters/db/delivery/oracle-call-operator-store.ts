/**
 * The named queries of the operator surface over oracle calls: listing and reading them,
 * reopening a failed call as a new generation, abandoning a compensated one, and the counts the
 * delivery health report is made of.
 */
import type { CallStatus } from '../../../../../../drizzle/schema/delivery.ts';
import type { Queryable } from '../../../ports/sql.ts';
import { bounded, iso } from '../raw-values.ts';
import { type OracleCall, toCall } from './oracle-call-row.ts';
import { type TxAttempt, toAttempt } from './tx-attempt-store.ts';

export interface CallListFilter {
  readonly status: CallStatus | null;
  /** Lowercase; matches the target, contract or player address. */
  readonly address: string | null;
  readonly functionName: string | null;
  readonly from: Date | null;
  readonly to: Date | null;
  readonly beforeId: number | null;
  readonly limit: number;
}

/** Newest first. */
export async function listCalls(q: Queryable, filter: CallListFilter): Promise<OracleCall[]> {
  const { status, address, functionName, beforeId } = filter;
  const from = filter.from?.toISOString() ?? null;
  const to = filter.to?.toISOString() ?? null;
  const rows = await q`
    select * from delivery.oracle_call_history
    where (${status}::text is null or status = ${status})
      and (${address}::text is null or target_address = ${address} or contract_address = ${address} or player_address = ${address})
      and (${functionName}::text is null or function_name = ${functionName})
      and (${from}::timestamptz is null or created_at >= ${from}::timestamptz)
      and (${to}::timestamptz is null or created_at < ${to}::timestamptz)
      and (${beforeId}::bigint is null or id < ${beforeId})
    order by id desc limit ${filter.limit}`;
  return rows.map(toCall);
}

export async function readCall(q: Queryable, id: number): Promise<OracleCall | undefined> {
  const [row] = await q`select * from delivery.oracle_call_history where id = ${id}`;
  return row === undefined ? undefined : toCall(row);
}

/** Every attempt the call made, oldest first. */
export async function attemptsOfCall(q: Queryable, callId: number): Promise<TxAttempt[]> {
  const rows = await q`select * from delivery.oracle_tx_attempts where call_id = ${callId} order by id`;
  return rows.map(toAttempt);
}

/** What an audit entry records of a call before an operator changes it. */
export interface CallBefore {
  readonly status: string;
  readonly generation: number;
  readonly attemptCount: number;
  readonly errorMessage: string | null;
}

/** Locks the call's row and reads what the audit entry records of it. */
export async function lockCallForChange(q: Queryable, id: number): Promise<CallBefore | undefined> {
  const [row] = await q<
    { status: string; generation: number; attempt_count: number; error_message: string | null }[]
  >`select status, generation, attempt_count, error_message from delivery.oracle_call_history
    where id = ${id} for update`;
  return row === undefined
    ? undefined
    : {
        status: row.status,
        generation: row.generation,
        attemptCount: row.attempt_count,
        errorMessage: row.error_message,
      };
}

/** Reopens a failed call as a new generation with fresh attempts; undefined unless it was failed. */
export async function reopenFailedCall(
  q: Queryable,
  id: number,
  reason: string,
  now: number,
): Promise<OracleCall | undefined> {
  const [reopened] = await q`
    update delivery.oracle_call_history set status = 'queued', generation = generation + 1, attempt_count = 0,
      next_attempt_at = null, error_message = null, error_code = null, retry_reason = null, completed_at = null,
      transaction_hash = null, block_number = null, gas_used = null,
      notes = ${reason} || ' (after generation ' || generation::text || ')', updated_at = ${iso(now)}
    where id = ${id} and status = 'failed'
    returning *`;
  return reopened === undefined ? undefined : toCall(reopened);
}

/**
 * Abandons the call with this request id if it failed for good (or was superseded), recording
 * why. False when it is in any other state.
 */
export async function abandonEndedCall(q: Queryable, requestId: string, reason: string): Promise<boolean> {
  const abandoned = await q`
    update delivery.oracle_call_history set status = 'abandoned', next_attempt_at = null,
      notes = ${bounded(reason)}, updated_at = now()
    where request_id = ${requestId} and status in ('failed', 'superseded')
    returning id`;
  return abandoned.length > 0;
}

export interface DeliveryCounts {
  readonly succeeded: number;
  /** Failed for good, or abandoned (an abandoned call failed first; a refund elsewhere is no success). */
  readonly failed: number;
  readonly pending: number;
  readonly retrying: number;
  readonly reverted: number;
}

/** Calls completed since `since`, the open ones now, and attempts mined reverted since `since`. */
export async function deliveryCounts(q: Queryable, since: Date): Promise<DeliveryCounts> {
  const from = since.toISOString();
  const [row] = await q<DeliveryCounts[]>`
    select
      count(*) filter (where status = 'success' and completed_at >= ${from}::timestamptz)::int as succeeded,
      count(*) filter (where status in ('failed', 'abandoned') and completed_at >= ${from}::timestamptz)::int as failed,
      count(*) filter (where status = 'pending')::int as pending,
      count(*) filter (where status = 'retrying')::int as retrying,
      (select count(*)::int from delivery.oracle_tx_attempts where outcome = 'reverted' and resolved_at >= ${from}::timestamptz) as reverted
    from delivery.oracle_call_history`;
  return row ?? { succeeded: 0, failed: 0, pending: 0, retrying: 0, reverted: 0 };
}

/**
 * How oracle calls ended, read from the delivery engine's `delivery.oracle_call_history` by
 * request id (read-only: the engine alone writes it).
 */
import type { OracleCallOutcome, OracleCallState } from '../../../ports/oracle-call-gateway.ts';
import type { Queryable } from '../../../ports/sql.ts';
import { numOrNull, strOrNull, toDate } from '../raw-values.ts';
import type { OracleCall } from './oracle-call-store.ts';

type Row = Record<string, unknown>;

/** The outcome is the call's own columns, by the same names (checked here against the call's type). */
function toOutcome(row: Row): OracleCallOutcome & Omit<Pick<OracleCall, keyof OracleCallOutcome>, 'status'> {
  return {
    requestId: String(row['request_id']),
    status: row['status'] as OracleCallState,
    transactionHash: strOrNull(row['transaction_hash']),
    blockNumber: numOrNull(row['block_number']),
    gasUsed: numOrNull(row['gas_used']),
    attemptCount: Number(row['attempt_count']),
    errorCode: strOrNull(row['error_code']),
    errorMessage: strOrNull(row['error_message']),
    createdAt: toDate(row['created_at']) ?? new Date(0),
    completedAt: toDate(row['completed_at']),
  };
}

export async function readOracleCallOutcomes(
  q: Queryable,
  requestIds: readonly string[],
): Promise<Map<string, OracleCallOutcome>> {
  const outcomes = new Map<string, OracleCallOutcome>();
  for (let i = 0; i < requestIds.length; i += 5_000) {
    const chunk = requestIds.slice(i, i + 5_000);
    const rows = await q`
      select request_id, status, transaction_hash, block_number, gas_used, attempt_count,
             error_code, error_message, created_at, completed_at
      from delivery.oracle_call_history
      where request_id = any(${q.array(chunk as string[])})`;
    for (const row of rows) outcomes.set(String(row['request_id']), toOutcome(row));
  }
  return outcomes;
}

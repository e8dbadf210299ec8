/**
 * How oracle calls ended, read from the delivery engine's `delivery.oracle_call_history` by
 * request id (read-only: the engine alone writes it).
 */
import type { OracleCallOutcome, OracleCallState } from '../../../ports/oracle-call-gateway.ts';
import type { Sql } from '../../../ports/sql.ts';

interface Row {
  request_id: string;
  status: OracleCallState;
  transaction_hash: string | null;
  block_number: bigint | null;
  gas_used: bigint | null;
  attempt_count: number;
  error_code: string | null;
  error_message: string | null;
  created_at: string | Date;
  completed_at: string | Date | null;
}

// The shared client hands raw-query timestamps back as PostgreSQL text (drizzle's parsers).
const toDate = (value: string | Date): Date => (value instanceof Date ? value : new Date(value));

export async function readOracleCallOutcomes(
  sql: Sql,
  requestIds: readonly string[],
): Promise<Map<string, OracleCallOutcome>> {
  const outcomes = new Map<string, OracleCallOutcome>();
  for (let i = 0; i < requestIds.length; i += 5_000) {
    const chunk = requestIds.slice(i, i + 5_000);
    const rows = await sql<Row[]>`
      select request_id, status, transaction_hash, block_number, gas_used, attempt_count,
             error_code, error_message, created_at, completed_at
      from delivery.oracle_call_history
      where request_id = any(${sql.array(chunk as string[])})`;
    for (const row of rows) {
      outcomes.set(row.request_id, {
        requestId: row.request_id,
        status: row.status,
        transactionHash: row.transaction_hash,
        blockNumber: row.block_number === null ? null : Number(row.block_number),
        gasUsed: row.gas_used === null ? null : Number(row.gas_used),
        attemptCount: row.attempt_count,
        errorCode: row.error_code,
        errorMessage: row.error_message,
        createdAt: toDate(row.created_at),
        completedAt: row.completed_at === null ? null : toDate(row.completed_at),
      });
    }
  }
  return outcomes;
}

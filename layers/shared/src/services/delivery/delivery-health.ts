/**
 * The health the source's OracleMonitor watched: the success rate of oracle calls over a window
 * (warning under 90 %, critical under 70 %) and the failed transactions in it.
 */
import type { Sql } from '../../ports/sql.ts';

export type HealthLevel = 'ok' | 'warning' | 'critical';

export interface DeliveryHealth {
  readonly since: Date;
  readonly succeeded: number;
  readonly failed: number;
  /** Percent of finished calls that succeeded; 100 when none finished. */
  readonly successRate: number;
  readonly level: HealthLevel;
  readonly pending: number;
  readonly retrying: number;
  /** Transactions mined reverted, plus calls failed for good, in the window. */
  readonly failedTransactions: number;
}

export function healthLevel(successRate: number): HealthLevel {
  if (successRate < 70) return 'critical';
  if (successRate < 90) return 'warning';
  return 'ok';
}

export async function deliveryHealth(sql: Sql, since: Date): Promise<DeliveryHealth> {
  const from = since.toISOString();
  const [row] = await sql<
    { succeeded: number; failed: number; pending: number; retrying: number; reverted: number }[]
  >`
    select
      count(*) filter (where status = 'success' and completed_at >= ${from}::timestamptz)::int as succeeded,
      -- An abandoned call failed first; its refund elsewhere does not make it a success.
      count(*) filter (where status in ('failed', 'abandoned') and completed_at >= ${from}::timestamptz)::int as failed,
      count(*) filter (where status = 'pending')::int as pending,
      count(*) filter (where status = 'retrying')::int as retrying,
      (select count(*)::int from delivery.oracle_tx_attempts where outcome = 'reverted' and resolved_at >= ${from}::timestamptz) as reverted
    from delivery.oracle_call_history`;
  const succeeded = row?.succeeded ?? 0;
  const failed = row?.failed ?? 0;
  const finished = succeeded + failed;
  const successRate = finished === 0 ? 100 : (succeeded / finished) * 100;
  return {
    since,
    succeeded,
    failed,
    successRate,
    level: healthLevel(successRate),
    pending: row?.pending ?? 0,
    retrying: row?.retrying ?? 0,
    failedTransactions: failed,
  };
}

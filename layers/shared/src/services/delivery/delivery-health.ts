/**
 * The health the source's OracleMonitor watched: the success rate of oracle calls over a window
 * (warning under 90 %, critical under 70 %) and the failed transactions in it.
 */
import { deliveryCounts } from '../../adapters/db/delivery/oracle-call-operator-store.ts';
import { type HealthLevel, healthLevel, successRate } from '../../core/delivery/delivery-health-level.ts';
import type { Sql } from '../../ports/sql.ts';

export { type HealthLevel, healthLevel };

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

export async function deliveryHealth(sql: Sql, since: Date): Promise<DeliveryHealth> {
  const { succeeded, failed, pending, retrying } = await deliveryCounts(sql, since);
  const rate = successRate(succeeded, failed);
  return {
    since,
    succeeded,
    failed,
    successRate: rate,
    level: healthLevel(rate),
    pending,
    retrying,
    failedTransactions: failed,
  };
}

/**
 * The named queries of the admin alert state (`delivery.admin_alert_state`: consecutive failed
 * attempts per target address) and of the alerts raised (`delivery.admin_alerts`).
 */
import type { adminAlertState, adminAlerts } from '../../../../../../drizzle/schema/delivery.ts';
import type { Queryable } from '../../../ports/sql.ts';
import { bounded, iso, toDate } from '../raw-values.ts';

/** A target address with failures counted, as drizzle infers the state row (less `updated_at`). */
export type ActiveFailure = Readonly<Omit<typeof adminAlertState.$inferSelect, 'updatedAt'>>;

/** An alert as stored, as drizzle infers the row. */
export type StoredAlert = Readonly<typeof adminAlerts.$inferSelect>;

/** Creates the target's state row if need be and locks it; returns its count and last alert time. */
export async function lockAlertState(
  q: Queryable,
  target: string,
): Promise<{ consecutiveFailures: number; lastAlertAt: number | null }> {
  await q`insert into delivery.admin_alert_state (target_address) values (${target}) on conflict do nothing`;
  const [row] = await q<{ consecutive_failures: number; last_alert_at: string | null }[]>`
    select consecutive_failures, last_alert_at from delivery.admin_alert_state
    where target_address = ${target} for update`;
  return {
    consecutiveFailures: row?.consecutive_failures ?? 0,
    lastAlertAt: toDate(row?.last_alert_at)?.getTime() ?? null,
  };
}

export async function saveFailureState(
  q: Queryable,
  target: string,
  state: {
    consecutiveFailures: number;
    lastAlertAt: number | null;
    functionName: string | null;
    error: string;
  },
  now: number,
): Promise<void> {
  await q`
    update delivery.admin_alert_state set
      consecutive_failures = ${state.consecutiveFailures},
      last_alert_at = ${state.lastAlertAt === null ? null : iso(state.lastAlertAt)},
      last_failure_at = ${iso(now)},
      last_function_name = ${state.functionName},
      last_error = ${bounded(state.error)},
      updated_at = ${iso(now)}
    where target_address = ${target}`;
}

export async function insertAlert(
  q: Queryable,
  alert: Omit<StoredAlert, 'id' | 'createdAt'>,
  now: number,
): Promise<void> {
  await q`
    insert into delivery.admin_alerts
      (target_address, function_name, consecutive_failures, attempt_count, message, error, published_to, created_at)
    values (${alert.targetAddress}, ${alert.functionName}, ${alert.consecutiveFailures}, ${alert.attemptCount},
            ${alert.message}, ${alert.error === null ? null : bounded(alert.error)}, ${alert.publishedTo}, ${iso(now)})`;
}

/** Count and cooldown start over for these (lowercase) targets. */
export async function resetAlertStates(q: Queryable, targets: readonly string[], now: number): Promise<void> {
  await q`
    update delivery.admin_alert_state set consecutive_failures = 0, last_alert_at = null, updated_at = ${iso(now)}
    where target_address = any(${targets as string[]}::text[]) and (consecutive_failures <> 0 or last_alert_at is not null)`;
}

export async function failureCount(q: Queryable, target: string): Promise<number> {
  const [row] = await q<{ consecutive_failures: number }[]>`
    select consecutive_failures from delivery.admin_alert_state where target_address = ${target}`;
  return row?.consecutive_failures ?? 0;
}

/** Targets with failures counted, most first. */
export async function activeFailures(q: Queryable): Promise<ActiveFailure[]> {
  const rows = await q`
    select target_address, consecutive_failures, last_alert_at, last_failure_at, last_function_name, last_error
    from delivery.admin_alert_state where consecutive_failures > 0
    order by consecutive_failures desc, target_address`;
  return rows.map((r) => ({
    targetAddress: String(r['target_address']),
    consecutiveFailures: Number(r['consecutive_failures']),
    lastAlertAt: toDate(r['last_alert_at']),
    lastFailureAt: toDate(r['last_failure_at']),
    lastFunctionName: (r['last_function_name'] as string | null) ?? null,
    lastError: (r['last_error'] as string | null) ?? null,
  }));
}

/** Newest first. */
export async function listAlerts(
  q: Queryable,
  filter: { target: string | null; since: Date | null; limit: number },
): Promise<StoredAlert[]> {
  const since = filter.since?.toISOString() ?? null;
  const rows = await q`
    select * from delivery.admin_alerts
    where (${filter.target}::text is null or target_address = ${filter.target})
      and (${since}::timestamptz is null or created_at >= ${since}::timestamptz)
    order by id desc limit ${filter.limit}`;
  return rows.map((r) => ({
    id: Number(r['id']),
    targetAddress: String(r['target_address']),
    functionName: (r['function_name'] as string | null) ?? null,
    consecutiveFailures: Number(r['consecutive_failures']),
    attemptCount: (r['attempt_count'] as number | null) ?? null,
    message: String(r['message']),
    error: (r['error'] as string | null) ?? null,
    publishedTo: (r['published_to'] as string | null) ?? null,
    createdAt: toDate(r['created_at']) ?? new Date(0),
  }));
}

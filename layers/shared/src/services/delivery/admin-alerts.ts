/**
 * The source's adminAlertService, persisted: consecutive failed attempts per target address,
 * an alert when the count reaches the threshold, then at most one per cooldown; a success
 * resets both. Every alert is stored in delivery.admin_alerts and published to the sink.
 */

import { type AlertPolicy, DEFAULT_ALERT_POLICY, registerFailure } from '../../core/delivery/alert-policy.ts';
import type { AlertSink } from '../../ports/alert-sink.ts';
import type { Sql } from '../../ports/sql.ts';
import { iso, toDate } from './engine.ts';

export interface ActiveFailure {
  readonly targetAddress: string;
  readonly consecutiveFailures: number;
  readonly lastAlertAt: Date | null;
  readonly lastFailureAt: Date | null;
  readonly lastFunctionName: string | null;
  readonly lastError: string | null;
}

export interface StoredAlert {
  readonly id: number;
  readonly targetAddress: string;
  readonly functionName: string | null;
  readonly consecutiveFailures: number;
  readonly attemptCount: number | null;
  readonly message: string;
  readonly error: string | null;
  readonly publishedTo: string | null;
  readonly createdAt: Date;
}

export class AdminAlertService {
  #policy: AlertPolicy;

  constructor(
    private readonly sql: Sql,
    private readonly sink: AlertSink,
    private readonly now: () => number,
    policy: Partial<AlertPolicy> = {},
    private readonly onPublishError: (error: unknown) => void = () => {},
  ) {
    this.#policy = { ...DEFAULT_ALERT_POLICY, ...policy };
  }

  get policy(): AlertPolicy {
    return this.#policy;
  }

  setAlertThreshold(threshold: number): void {
    if (!Number.isInteger(threshold) || threshold < 1)
      throw new RangeError('alert threshold must be a positive integer');
    this.#policy = { ...this.#policy, threshold };
  }

  setAlertCooldown(cooldownMs: number): void {
    if (!(cooldownMs >= 0)) throw new RangeError('alert cooldown must be zero or more milliseconds');
    this.#policy = { ...this.#policy, cooldownMs };
  }

  /** Counts one failed attempt against `targetAddress`; returns whether it raised an alert. */
  async recordFailure(
    targetAddress: string,
    functionName: string | undefined,
    error: string,
    attemptCount: number,
  ): Promise<{ alerted: boolean; consecutiveFailures: number }> {
    const target = targetAddress.toLowerCase();
    const now = this.now();
    const outcome = await this.sql.begin(async (tx) => {
      await tx`insert into delivery.admin_alert_state (target_address) values (${target}) on conflict do nothing`;
      const [row] = await tx<{ consecutive_failures: number; last_alert_at: string | null }[]>`
        select consecutive_failures, last_alert_at from delivery.admin_alert_state
        where target_address = ${target} for update`;
      const decided = registerFailure(
        {
          consecutiveFailures: row?.consecutive_failures ?? 0,
          lastAlertAt: toDate(row?.last_alert_at)?.getTime() ?? null,
        },
        now,
        this.#policy,
      );
      const lastAlertAt = decided.state.lastAlertAt === null ? null : iso(decided.state.lastAlertAt);
      await tx`
        update delivery.admin_alert_state set
          consecutive_failures = ${decided.state.consecutiveFailures},
          last_alert_at = ${lastAlertAt},
          last_failure_at = ${iso(now)},
          last_function_name = ${functionName ?? null},
          last_error = ${error.slice(0, 2000)},
          updated_at = ${iso(now)}
        where target_address = ${target}`;
      if (!decided.alert) return { ...decided, message: undefined };
      const message =
        `Oracle calls to ${target} failed ${decided.state.consecutiveFailures} times in a row` +
        `${functionName === undefined ? '' : ` (last: ${functionName}, attempt ${attemptCount})`}: ${error}`;
      await tx`
        insert into delivery.admin_alerts
          (target_address, function_name, consecutive_failures, attempt_count, message, error, published_to, created_at)
        values (${target}, ${functionName ?? null}, ${decided.state.consecutiveFailures}, ${attemptCount},
                ${message}, ${error.slice(0, 2000)}, ${this.sink.destination}, ${iso(now)})`;
      return { ...decided, message };
    });
    if (outcome.alert && outcome.message !== undefined) {
      try {
        await this.sink.publish({
          subject: `Oracle alert: ${outcome.state.consecutiveFailures} consecutive failures for ${target}`,
          message: outcome.message,
          targetAddress: target,
          functionName,
          consecutiveFailures: outcome.state.consecutiveFailures,
          error,
          raisedAt: new Date(now),
        });
      } catch (publishError) {
        // The alert is stored either way; a paging outage must not fail the delivery path.
        this.onPublishError(publishError);
      }
    }
    return { alerted: outcome.alert, consecutiveFailures: outcome.state.consecutiveFailures };
  }

  /** A success for `targetAddress`: count and cooldown start over. */
  async recordSuccess(targetAddresses: string | readonly string[]): Promise<void> {
    const targets = [
      ...new Set(
        (typeof targetAddresses === 'string' ? [targetAddresses] : targetAddresses).map((t) =>
          t.toLowerCase(),
        ),
      ),
    ];
    if (targets.length === 0) return;
    await this.sql`
      update delivery.admin_alert_state set consecutive_failures = 0, last_alert_at = null, updated_at = ${iso(this.now())}
      where target_address = any(${targets}::text[]) and (consecutive_failures <> 0 or last_alert_at is not null)`;
  }

  async getFailureCount(targetAddress: string): Promise<number> {
    const [row] = await this.sql<{ consecutive_failures: number }[]>`
      select consecutive_failures from delivery.admin_alert_state where target_address = ${targetAddress.toLowerCase()}`;
    return row?.consecutive_failures ?? 0;
  }

  async resetFailureCount(targetAddress: string): Promise<void> {
    await this.recordSuccess(targetAddress);
  }

  async getActiveFailures(): Promise<ActiveFailure[]> {
    const rows = await this.sql<
      {
        target_address: string;
        consecutive_failures: number;
        last_alert_at: Date | null;
        last_failure_at: Date | null;
        last_function_name: string | null;
        last_error: string | null;
      }[]
    >`
      select target_address, consecutive_failures, last_alert_at, last_failure_at, last_function_name, last_error
      from delivery.admin_alert_state where consecutive_failures > 0
      order by consecutive_failures desc, target_address`;
    return rows.map((r) => ({
      targetAddress: r.target_address,
      consecutiveFailures: r.consecutive_failures,
      lastAlertAt: toDate(r.last_alert_at),
      lastFailureAt: toDate(r.last_failure_at),
      lastFunctionName: r.last_function_name,
      lastError: r.last_error,
    }));
  }

  async listAlerts(
    options: { targetAddress?: string; since?: Date; limit?: number } = {},
  ): Promise<StoredAlert[]> {
    const target = options.targetAddress?.toLowerCase() ?? null;
    const since = options.since?.toISOString() ?? null;
    const rows = await this.sql<
      {
        id: bigint | number;
        target_address: string;
        function_name: string | null;
        consecutive_failures: number;
        attempt_count: number | null;
        message: string;
        error: string | null;
        published_to: string | null;
        created_at: Date;
      }[]
    >`
      select * from delivery.admin_alerts
      where (${target}::text is null or target_address = ${target})
        and (${since}::timestamptz is null or created_at >= ${since}::timestamptz)
      order by id desc limit ${options.limit ?? 100}`;
    return rows.map((r) => ({
      id: Number(r.id),
      targetAddress: r.target_address,
      functionName: r.function_name,
      consecutiveFailures: r.consecutive_failures,
      attemptCount: r.attempt_count,
      message: r.message,
      error: r.error,
      publishedTo: r.published_to,
      createdAt: toDate(r.created_at) ?? new Date(0),
    }));
  }
}

/** Locally alerts are logged (and stored by the service); nothing is paged. */
export class LoggingAlertSink implements AlertSink {
  readonly destination = 'log';
  readonly published: import('../../ports/alert-sink.ts').AdminAlert[] = [];

  constructor(private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {}

  async publish(alert: import('../../ports/alert-sink.ts').AdminAlert): Promise<void> {
    this.published.push(alert);
    this.write(JSON.stringify({ level: 'WARN', message: alert.subject, alert }));
  }
}

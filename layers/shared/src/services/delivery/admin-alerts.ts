/**
 * The source's adminAlertService, persisted: consecutive failed attempts per target address,
 * an alert when the count reaches the threshold, then at most one per cooldown; a success
 * resets both. Every alert is stored in delivery.admin_alerts and published to the sink.
 */

import {
  type ActiveFailure,
  activeFailures,
  failureCount,
  insertAlert,
  listAlerts,
  lockAlertState,
  resetAlertStates,
  type StoredAlert,
  saveFailureState,
} from '../../adapters/db/delivery/admin-alert-store.ts';
import { type AlertPolicy, DEFAULT_ALERT_POLICY, registerFailure } from '../../core/delivery/alert-policy.ts';
import type { AdminAlert, AlertSink } from '../../ports/alert-sink.ts';
import type { Sql } from '../../ports/sql.ts';

export type { ActiveFailure, StoredAlert };

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
      const decided = registerFailure(await lockAlertState(tx, target), now, this.#policy);
      const { consecutiveFailures, lastAlertAt } = decided.state;
      const state = { consecutiveFailures, lastAlertAt, functionName: functionName ?? null, error };
      await saveFailureState(tx, target, state, now);
      if (!decided.alert) return { ...decided, message: undefined };
      const message =
        `Oracle calls to ${target} failed ${consecutiveFailures} times in a row` +
        `${functionName === undefined ? '' : ` (last: ${functionName}, attempt ${attemptCount})`}: ${error}`;
      const alert = {
        targetAddress: target,
        functionName: functionName ?? null,
        consecutiveFailures,
        attemptCount,
        message,
        error,
        publishedTo: this.sink.destination,
      };
      await insertAlert(tx, alert, now);
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
    await resetAlertStates(this.sql, targets, this.now());
  }

  getFailureCount(targetAddress: string): Promise<number> {
    return failureCount(this.sql, targetAddress.toLowerCase());
  }

  async resetFailureCount(targetAddress: string): Promise<void> {
    await this.recordSuccess(targetAddress);
  }

  getActiveFailures(): Promise<ActiveFailure[]> {
    return activeFailures(this.sql);
  }

  listAlerts(options: { targetAddress?: string; since?: Date; limit?: number } = {}): Promise<StoredAlert[]> {
    return listAlerts(this.sql, {
      target: options.targetAddress?.toLowerCase() ?? null,
      since: options.since ?? null,
      limit: options.limit ?? 100,
    });
  }
}

/** Locally alerts are logged (and stored by the service); nothing is paged. */
export class LoggingAlertSink implements AlertSink {
  readonly destination = 'log';
  readonly published: AdminAlert[] = [];

  constructor(private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {}

  async publish(alert: AdminAlert): Promise<void> {
    this.published.push(alert);
    this.write(JSON.stringify({ level: 'WARN', message: alert.subject, alert }));
  }
}

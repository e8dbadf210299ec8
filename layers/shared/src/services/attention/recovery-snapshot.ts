/**
 * The recovery dashboard's daily snapshot (attention-oracle.md): carried balances, what binding
 * recovered of them, mapping and binding coverage of the day's participants, and the overflow past
 * the shard cap. Every number is read from records that do not change once written (the carry
 * ledger up to `asOf`, the sealed participants and the tree builds of the day's epochs), and the
 * row is upserted by day: taking a day again replaces its row, never adds to it.
 * README.md, "Recovery dashboard", defines each number.
 */

import {
  listStoredRecoverySnapshots,
  upsertRecoverySnapshot,
} from '../../adapters/db/attention/recovery-snapshot-store.ts';
import { checkDayRange, type RecoveryWindow } from '../../core/attention/recovery-day.ts';
import {
  isCompleteSnapshot,
  type RecoverySnapshot,
  recoverySnapshotOf,
} from '../../core/attention/recovery-snapshot.ts';
import { METRIC } from '../../metric-names.ts';
import type { Sql } from '../../ports/sql.ts';
import type { Telemetry } from '../../ports/telemetry.ts';

export type { RecoverySnapshot };

/** Takes (or takes again) the day's snapshot and emits it as metrics. */
export async function takeRecoverySnapshot(
  sql: Sql,
  window: RecoveryWindow,
  telemetry: Telemetry,
): Promise<RecoverySnapshot> {
  const snapshot = recoverySnapshotOf(await upsertRecoverySnapshot(sql, window), window.complete);
  emitRecoveryMetrics(telemetry, snapshot);
  return snapshot;
}

export interface RecoveryQuery {
  /** Days from and to (inclusive), `YYYY-MM-DD`. */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  /** At most this many days, newest first. @default 31 */
  readonly limit?: number | undefined;
}

/** Snapshots newest day first, within the days asked for. */
export async function listRecoverySnapshots(
  sql: Sql,
  query: RecoveryQuery = {},
): Promise<RecoverySnapshot[]> {
  checkDayRange(query.from, query.to);
  const rows = await listStoredRecoverySnapshots(sql, {
    from: query.from ?? null,
    to: query.to ?? null,
    limit: query.limit ?? 31,
  });
  return rows.map((r) => recoverySnapshotOf(r, isCompleteSnapshot(r)));
}

/** The numbers on the dashboard (lib/stacks/monitoring-stack.ts), one point per day. */
function emitRecoveryMetrics(telemetry: Telemetry, s: RecoverySnapshot): void {
  telemetry.metric(METRIC.recoveryCarriedViewers, 'Count', s.carried.viewers);
  telemetry.metric(METRIC.recoveryCarriedAmount, 'Count', Number(s.carried.amount));
  telemetry.metric(METRIC.recoveredViewers, 'Count', s.recovered.viewers);
  telemetry.metric(METRIC.recoveredAmount, 'Count', Number(s.recovered.amount));
  if (s.recovered.rate !== null) telemetry.metric(METRIC.recoveryRate, 'Percent', s.recovered.rate);
  if (s.coverage.mapping !== null)
    telemetry.metric(METRIC.dailyMappingCoverage, 'Percent', s.coverage.mapping);
  if (s.coverage.binding !== null)
    telemetry.metric(METRIC.dailyBindingCoverage, 'Percent', s.coverage.binding);
  if (s.overflow.participationShare !== null)
    telemetry.metric(METRIC.dailyOverflowShare, 'Percent', s.overflow.participationShare);
  telemetry.metric(METRIC.dailyOverflowAmount, 'Count', Number(s.overflow.amount));
}

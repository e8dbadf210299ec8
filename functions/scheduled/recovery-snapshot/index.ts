/**
 * The recovery dashboard's snapshot, invoked by EventBridge Scheduler daily at 01:00 UTC
 * (attention-oracle.md): the day before is taken once its last epoch is sealed and its carry
 * trees built (services/attention/recovery-snapshot.ts), stored and emitted as metrics.
 * `{ "day": "YYYY-MM-DD" }` takes that day instead; taking a day again replaces its row.
 */
import { previousDay, recoveryWindow } from '../../../layers/shared/src/core/attention/recovery-day.ts';
import { ValidationError } from '../../../layers/shared/src/errors.ts';
import { powertoolsTelemetry } from '../../../layers/shared/src/observability.ts';
import type { Sql } from '../../../layers/shared/src/ports/sql.ts';
import type { Telemetry } from '../../../layers/shared/src/ports/telemetry.ts';
import {
  type RecoverySnapshot,
  takeRecoverySnapshot,
} from '../../../layers/shared/src/services/attention/recovery-snapshot.ts';
import { type PlatformOf, scheduled } from '../../handlers.ts';

export interface RecoverySnapshotDeps {
  readonly sql: Sql;
  readonly telemetry: Telemetry;
}

export async function recoverySnapshotDependencies(
  platform: PlatformOf<'DATABASE_URL'>,
): Promise<RecoverySnapshotDeps> {
  return { sql: (await platform.database()).sql, telemetry: powertoolsTelemetry };
}

export async function handle(event: unknown, deps: RecoverySnapshotDeps): Promise<RecoverySnapshot> {
  const day = (event as { day?: unknown } | null)?.day;
  if (day !== undefined && typeof day !== 'string') {
    throw new ValidationError('recovery snapshot event day must be a string (YYYY-MM-DD)');
  }
  const now = new Date();
  const snapshot = await takeRecoverySnapshot(
    deps.sql,
    recoveryWindow(day ?? previousDay(now), now),
    deps.telemetry,
  );
  deps.telemetry.info('recovery snapshot taken', { snapshot });
  return snapshot;
}

export const handler = scheduled(recoverySnapshotDependencies, handle, { require: ['DATABASE_URL'] });

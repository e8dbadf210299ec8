/**
 * The recovery dashboard's snapshot, invoked by EventBridge Scheduler daily at 01:00 UTC
 * (attention-oracle.md): the day before is taken once its last epoch is sealed and its carry
 * trees built (services/attention/recovery-snapshot.ts), stored and emitted as metrics.
 * `{ "day": "YYYY-MM-DD" }` takes that day instead; taking a day again replaces its row.
 */
import { loadConfig } from '../../../layers/shared/src/config.ts';
import { previousDay, recoveryWindow } from '../../../layers/shared/src/core/attention/recovery-day.ts';
import { ValidationError } from '../../../layers/shared/src/errors.ts';
import { flushMetrics, logger } from '../../../layers/shared/src/observability.ts';
import {
  type RecoverySnapshot,
  takeRecoverySnapshot,
} from '../../../layers/shared/src/services/attention/recovery-snapshot.ts';
import { database } from '../../dependencies.ts';

loadConfig(process.env, { require: ['DATABASE_URL'] });

export async function handler(event: unknown): Promise<RecoverySnapshot> {
  try {
    const day = (event as { day?: unknown } | null)?.day;
    if (day !== undefined && typeof day !== 'string') {
      throw new ValidationError('recovery snapshot event day must be a string (YYYY-MM-DD)');
    }
    const now = new Date();
    const { sql } = await database();
    const snapshot = await takeRecoverySnapshot(sql, recoveryWindow(day ?? previousDay(now), now));
    logger.info('recovery snapshot taken', { snapshot });
    return snapshot;
  } finally {
    flushMetrics();
  }
}

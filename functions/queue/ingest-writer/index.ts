/**
 * The ingest queue's consumer. All valid messages of a batch are written in one transaction;
 * a malformed message is reported as a batch item failure on its own (after 5 receives SQS
 * moves it to the DLQ), and if the transaction fails every message is retried.
 *
 * Exactly once: every event has its id, the primary key of `attention.raw_events`; the batch's
 * insert skips ids already there (`on conflict (event_id) do nothing`) and only the events it
 * inserted count towards participation, so a redelivered batch adds nothing twice.
 */
import type { SQSRecord } from 'aws-lambda';
import { decodeIngestMessage } from '../../../layers/shared/src/core/attention/ingest-message.ts';
import type { KeyedEvent } from '../../../layers/shared/src/core/attention/signals.ts';
import { METRIC } from '../../../layers/shared/src/metric-names.ts';
import { logger, MetricUnit, metrics } from '../../../layers/shared/src/observability.ts';
import type { Sql } from '../../../layers/shared/src/ports/sql.ts';
import { writeIngestBatch } from '../../../layers/shared/src/services/attention/ingest-writer.ts';
import { type PlatformOf, sqsRecords } from '../../handlers.ts';

export interface IngestWriterDeps {
  readonly sql: Sql;
}

export async function ingestWriterDependencies(
  platform: PlatformOf<'DATABASE_URL'>,
): Promise<IngestWriterDeps> {
  return { sql: (await platform.database()).sql };
}

/** The batch written in one transaction; returns the messages to report as failed. */
export async function writeBatch(
  records: readonly SQSRecord[],
  deps: IngestWriterDeps,
): Promise<ReadonlySet<string>> {
  const failures = new Set<string>();
  const events: KeyedEvent[] = [];
  const good: string[] = [];
  let oldestSentMs = Number.POSITIVE_INFINITY;
  for (const record of records) {
    try {
      events.push(...decodeIngestMessage(record.body));
      good.push(record.messageId);
      oldestSentMs = Math.min(oldestSentMs, Number(record.attributes?.SentTimestamp ?? Date.now()));
    } catch (error) {
      metrics.addMetric('IngestInvalidMessages', MetricUnit.Count, 1);
      logger.warn('malformed ingest message', {
        messageId: record.messageId,
        error: (error as Error).message,
      });
      failures.add(record.messageId);
    }
  }
  try {
    if (events.length > 0) {
      const result = await writeIngestBatch(deps.sql, events, new Date());
      metrics.addMetric('IngestEventsAccepted', MetricUnit.Count, result.accepted);
      metrics.addMetric('IngestDuplicates', MetricUnit.Count, result.duplicates);
      metrics.addMetric('IngestSuppressed', MetricUnit.Count, result.suppressed);
      metrics.addMetric(METRIC.lateEvents, MetricUnit.Count, result.late);
      if (Number.isFinite(oldestSentMs)) {
        metrics.addMetric(
          'IngestQueueLagMs',
          MetricUnit.Milliseconds,
          Math.max(0, Date.now() - oldestSentMs),
        );
      }
      logger.info('ingest batch written', { messages: good.length, ...result });
    }
  } catch (error) {
    logger.error('ingest batch failed; every message will be retried', { error: error as Error });
    for (const id of good) failures.add(id);
  }
  return failures;
}

export async function handle(record: SQSRecord, failed: ReadonlySet<string>): Promise<void> {
  if (failed.has(record.messageId)) throw new Error(`ingest message ${record.messageId} not written`);
}

export const handler = sqsRecords(
  ingestWriterDependencies,
  (record, _deps, batch) => handle(record, batch.prepared),
  {
    fifo: false,
    prepare: writeBatch,
    require: ['DATABASE_URL'],
  },
);

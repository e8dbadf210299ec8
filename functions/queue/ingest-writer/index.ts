/**
 * The ingest queue's consumer. All valid messages of a batch are written in one transaction;
 * a malformed message is reported as a batch item failure on its own (after 5 receives SQS
 * moves it to the DLQ), and if the transaction fails every message is retried.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadConfig } from '../../../layers/shared/src/config.ts';
import { decodeIngestMessage } from '../../../layers/shared/src/core/attention/ingest-message.ts';
import type { KeyedEvent } from '../../../layers/shared/src/core/attention/signals.ts';
import { METRIC } from '../../../layers/shared/src/metric-names.ts';
import { flushMetrics, logger, MetricUnit, metrics } from '../../../layers/shared/src/observability.ts';
import { writeIngestBatch } from '../../../layers/shared/src/services/attention/ingest-writer.ts';
import { database } from '../../dependencies.ts';

loadConfig(process.env, { require: ['DATABASE_URL'] });

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const failures: { itemIdentifier: string }[] = [];
  const events: KeyedEvent[] = [];
  const good: string[] = [];
  let oldestSentMs = Number.POSITIVE_INFINITY;
  for (const record of event.Records) {
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
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  try {
    if (events.length > 0) {
      const { sql } = await database();
      const result = await writeIngestBatch(sql, events, new Date());
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
    for (const id of good) failures.push({ itemIdentifier: id });
  } finally {
    flushMetrics();
  }
  return { batchItemFailures: failures };
}

/**
 * The oracle-calls FIFO queue's consumer: signs, records and sends the calls of a batch
 * together (nonces in a row), then lets the confirmer look at what was already mined. A message
 * whose call could not be tried (circuit open) is reported as a batch item failure and comes back;
 * Powertools' FIFO processor returns every later message of its group unprocessed with it, so the
 * group's order holds, and goes on with the other groups (`skipGroupOnError`).
 */
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadConfig } from '../../../layers/shared/src/config.ts';
import { flushMetrics, logger, MetricUnit, metrics } from '../../../layers/shared/src/observability.ts';
import { confirmDeliveries } from '../../../layers/shared/src/services/delivery/confirm-deliveries.ts';
import { processOracleCallMessages } from '../../../layers/shared/src/services/delivery/process-oracle-call-messages.ts';
import { deliveryEngine } from '../../delivery.ts';

loadConfig(process.env, {
  require: ['DATABASE_URL', 'EVM_RPC_URL', 'EVM_SIGNER_SECRET_ARN', 'ORACLE_CALLS_QUEUE_URL'],
});

const processor = new SqsFifoPartialProcessorAsync();

function body(record: SQSRecord): unknown {
  try {
    return JSON.parse(record.body);
  } catch {
    return record.body;
  }
}

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  try {
    const deps = await deliveryEngine();
    // One pass over the whole batch, so its calls take consecutive nonces in one transaction;
    // the processor then reads each message's result in order.
    const results = processOracleCallMessages(deps, event.Records.map(body));
    const index = new Map(event.Records.map((record, i) => [record.messageId, i]));
    // A malformed message is acknowledged (it can never succeed, and its group must not stall
    // behind it) but counted and logged, so a producer writing broken messages shows.
    // (A pass that failed as a whole fails every message below, through the processor.)
    const malformed = (await results.catch(() => [])).flatMap((result, i) =>
      result.ok && result.outcome === 'malformed' ? [event.Records[i]?.messageId] : [],
    );
    if (malformed.length > 0) {
      metrics.addMetric('OracleCallMalformedMessages', MetricUnit.Count, malformed.length);
      logger.warn('malformed oracle-calls messages dropped', { messageIds: malformed });
    }
    const response = await processPartialResponse(
      event,
      async (record: SQSRecord) => {
        const result = (await results)[index.get(record.messageId) ?? -1];
        if (result === undefined) throw new Error(`no result for message ${record.messageId}`);
        if (!result.ok) throw result.error;
        return result.outcome;
      },
      processor,
      { context, skipGroupOnError: true, throwOnFullBatchFailure: false },
    );
    await confirmDeliveries(deps).catch((error: unknown) =>
      logger.warn('confirm after send failed; the scheduled confirmer will catch up', {
        error: error as Error,
      }),
    );
    return response;
  } finally {
    flushMetrics();
  }
}

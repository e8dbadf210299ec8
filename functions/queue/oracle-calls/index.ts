/**
 * The oracle-calls FIFO queue's consumer: signs, records and sends the calls of a batch
 * together (nonces in a row), then lets the confirmer look at what was already mined. A message
 * whose call could not be tried (circuit open) is reported as a batch item failure and comes back;
 * Powertools' FIFO processor returns every later message of its group unprocessed with it, so the
 * group's order holds, and goes on with the other groups (`skipGroupOnError`).
 *
 * Exactly once: a message names its call (id and generation) in `delivery.oracle_call_history`,
 * and only a call still `queued` at that generation is sent; sending takes a nonce recorded in
 * `delivery.oracle_tx_attempts` (unique per chain, signer and nonce, claimed in the same statement
 * that moves the call on), so a redelivered message finds the call sent and sends nothing.
 */
import type { SQSRecord } from 'aws-lambda';
import { logger, MetricUnit, metrics } from '../../../layers/shared/src/observability.ts';
import { confirmDeliveries } from '../../../layers/shared/src/services/delivery/confirm-deliveries.ts';
import type { DeliveryDeps } from '../../../layers/shared/src/services/delivery/engine.ts';
import { processOracleCallMessages } from '../../../layers/shared/src/services/delivery/process-oracle-call-messages.ts';
import { deliveryEngine } from '../../delivery.ts';
import { sqsRecords } from '../../handlers.ts';

type Results = Awaited<ReturnType<typeof processOracleCallMessages>>;

function body(record: SQSRecord): unknown {
  try {
    return JSON.parse(record.body);
  } catch {
    return record.body;
  }
}

/**
 * One pass over the whole batch, so its calls take consecutive nonces in one transaction; each
 * message's result is then read in order. (A pass that failed as a whole fails every message.)
 */
async function sendAll(
  records: readonly SQSRecord[],
  deps: DeliveryDeps,
): Promise<Map<string, Results[number]>> {
  const results = await processOracleCallMessages(deps, records.map(body)).catch((error: unknown) =>
    records.map((): Results[number] => ({ ok: false, error: error as Error })),
  );
  // A malformed message is acknowledged (it can never succeed, and its group must not stall
  // behind it) but counted and logged, so a producer writing broken messages shows.
  const malformed = results.flatMap((result, i) =>
    result.ok && result.outcome === 'malformed' ? [records[i]?.messageId] : [],
  );
  if (malformed.length > 0) {
    metrics.addMetric('OracleCallMalformedMessages', MetricUnit.Count, malformed.length);
    logger.warn('malformed oracle-calls messages dropped', { messageIds: malformed });
  }
  return new Map(records.map((record, i) => [record.messageId, results[i] as Results[number]]));
}

export async function handle(
  record: SQSRecord,
  results: ReadonlyMap<string, Results[number]>,
): Promise<unknown> {
  const result = results.get(record.messageId);
  if (result === undefined) throw new Error(`no result for message ${record.messageId}`);
  if (!result.ok) throw result.error;
  return result.outcome;
}

export const handler = sqsRecords(deliveryEngine, (record, _deps, batch) => handle(record, batch.prepared), {
  fifo: true,
  prepare: sendAll,
  finish: (deps) =>
    confirmDeliveries(deps).then(
      () => {},
      (error: unknown) =>
        logger.warn('confirm after send failed; the scheduled confirmer will catch up', {
          error: error as Error,
        }),
    ),
  require: ['DATABASE_URL', 'EVM_RPC_URL', 'EVM_SIGNER_SECRET_ARN', 'ORACLE_CALLS_QUEUE_URL'],
});

/**
 * Found by the queue consumer fuzz (fuzz-queue-consumers.test.ts): the oracle-calls consumer
 * acknowledged a malformed message, rightly (it can never succeed, and a FIFO group must not
 * stall behind it), but silently: no metric and no log line, so a producer writing broken
 * messages went unseen while its calls were never made.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import { type FuzzPlatform, startFuzzPlatform } from '../fixtures/fuzz-platform.ts';
import { lambdaContext, sqsRecord } from '../fixtures/sqs-event.ts';

vi.hoisted(() => {
  process.env['LOG_LEVEL'] = 'SILENT';
});

type Consumer = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

let platform: FuzzPlatform;
let handler: Consumer;
let addMetric: MockInstance;

beforeAll(async () => {
  platform = await startFuzzPlatform();
  handler = await platform.handlerOf<Consumer>({ entry: 'functions/queue/oracle-calls/index.ts' });
  const { metrics } = await import('../../layers/shared/src/observability.ts');
  addMetric = vi.spyOn(metrics, 'addMetric');
});

afterAll(async () => {
  addMetric?.mockRestore();
  await platform?.stop();
});

const record = (messageId: string, body: string) => sqsRecord('oracleCalls', messageId, body, '0xsigner');

describe('a malformed oracle-calls message', () => {
  it('is acknowledged and counted in a metric, so a broken producer shows', async () => {
    addMetric.mockClear();
    const response = await handler(
      { Records: [record('m-1', '{"callId":"one"}'), record('m-2', 'not json')] },
      lambdaContext('OracleCalls'),
    );
    expect(response.batchItemFailures).toEqual([]);
    const counted = addMetric.mock.calls
      .filter(([name]) => name === 'OracleCallMalformedMessages')
      .reduce((sum, call) => sum + Number(call[2]), 0);
    expect(counted).toBe(2);
  });
});

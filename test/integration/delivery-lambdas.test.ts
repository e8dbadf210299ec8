import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../functions/platform.ts';
import type { RequiredConfig } from '../../functions/required-config.ts';
import { StaticSecretStore } from '../../layers/shared/src/adapters/aws/secrets-manager-store.ts';
import { enqueueOracleCalls } from '../../layers/shared/src/services/delivery/enqueue-oracle-call.ts';
import { UPDATE_MARKET_SENTIMENT } from '../../layers/shared/src/services/delivery/fpmm-oracle-calls.ts';
import { ANVIL_DEV_ACCOUNTS } from '../../local/anvil.ts';
import { type DeliveryHarness, startDeliveryHarness } from '../fixtures/delivery.ts';
import { platformFromEnv } from '../fixtures/platform.ts';

const PLAYER = '0x00000000000000000000000000000000000000dd';

function sqsRecord(messageId: string, body: string, groupId?: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
      ...(groupId === undefined ? {} : { MessageGroupId: groupId }),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:oracle-calls.fifo',
    awsRegion: 'us-east-1',
  };
}

const context = {
  functionName: 'oracle-calls',
  awsRequestId: 'test',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

describe('delivery Lambda entry points', () => {
  let h: DeliveryHarness;
  let platform: Platform<RequiredConfig<'EVM_RPC_URL' | 'EVM_SIGNER_SECRET_ARN'>>;
  beforeAll(async () => {
    h = await startDeliveryHarness();
    Object.assign(process.env, {
      ORACLE_MODE: 'local',
      DATABASE_URL: h.db.url,
      // Through the harness's proxy, so a test can take the RPC down.
      EVM_RPC_URL: h.proxy.url,
      EVM_SIGNER_SECRET_ARN: 'evm-signer',
      ORACLE_CALLS_QUEUE_URL: h.queue.queueUrl,
      ORACLE_CALLS_DLQ_URL: h.queue.deadLetterQueueUrl,
      SQS_ENDPOINT: h.sqsEndpoint,
      LOG_LEVEL: 'ERROR',
    });
    // anvil's well-known dev account 0, as the local runtime configures it.
    platform = platformFromEnv(
      {
        secrets: new StaticSecretStore({
          'evm-signer': JSON.stringify({ privateKey: ANVIL_DEV_ACCOUNTS[0].privateKey }),
        }),
      },
      ['EVM_RPC_URL', 'EVM_SIGNER_SECRET_ARN'],
    );
  });
  afterAll(async () => {
    await platform.close();
    await h.close();
  });

  it('sends a batch from the queue, acknowledges a malformed message, and reports no failures', async () => {
    const enqueued = await enqueueOracleCalls(
      h.enqueueDeps,
      [1, 2, 3].map((i) => ({
        requestId: `lambda-${i}`,
        contractAddress: h.fpmmAddress,
        functionSignature: UPDATE_MARKET_SENTIMENT,
        args: [4, PLAYER, -100 * i],
      })),
    );
    const records = enqueued.map(({ call }) =>
      sqsRecord(
        `m-${call.id}`,
        JSON.stringify({ callId: call.id, requestId: call.requestId, generation: 1 }),
      ),
    );
    records.push(sqsRecord('m-bad', '{"not":"a call"}'));
    const handler = (await import('../../functions/queue/oracle-calls/index.ts')).handler.on(platform);
    const response = await handler({ Records: records } satisfies SQSEvent, context);
    expect(response.batchItemFailures).toEqual([]);

    const statuses = await h.db.sql<{ status: string }[]>`
      select status from delivery.oracle_call_history where request_id like 'lambda-%'`;
    expect(statuses.map((s) => s.status)).toEqual(['success', 'success', 'success']);
    expect(await h.fpmm.getFunction('marketSentimentBps')(4, PLAYER)).toBe(-300n);
  });

  it('runs the scheduled confirmer and reports the success rate', async () => {
    const handler = (await import('../../functions/scheduled/delivery-confirmer/index.ts')).handler.on(
      platform,
    );
    const report = await handler({});
    expect(report).toMatchObject({ skipped: false, pending: 0, successRate: 100, level: 'ok' });
  });

  it('returns the messages behind a failed one in its FIFO group unprocessed, and goes on with other groups', async () => {
    const { confirmDeliveries } = await import(
      '../../layers/shared/src/services/delivery/confirm-deliveries.ts'
    );
    const { deliveryEngine } = await import('../../functions/delivery.ts');
    const engine = await deliveryEngine(platform);
    const [done] = await h.db.sql<{ id: number; request_id: string }[]>`
      select id::int, request_id from delivery.oracle_call_history where status = 'success' order by id limit 1`;
    if (done === undefined) throw new Error('the first test sent nothing');
    const queued = await enqueueOracleCalls(
      h.enqueueDeps,
      [2, 4].map((i) => ({
        requestId: `fifo-${i}`,
        contractAddress: h.fpmmAddress,
        functionSignature: UPDATE_MARKET_SENTIMENT,
        args: [5, PLAYER, i],
      })),
    );
    const [second, fourth] = queued.map((q) => q.call);
    if (second === undefined || fourth === undefined) throw new Error('not enqueued');
    // The RPC goes down long enough for the confirmer's failures to open the endpoint's breaker.
    await h.proxy.down();
    for (let i = 0; i < 5; i++) await confirmDeliveries(engine);
    await h.proxy.up();
    expect(engine.breakers.allows(engine.chain.endpoint)).toBe(false);

    const message = (id: string, call: { id: number; requestId: string }, group: string) =>
      sqsRecord(id, JSON.stringify({ callId: call.id, requestId: call.requestId, generation: 1 }), group);
    const signerGroup = h.signer.address.toLowerCase();
    const records = [
      message('a1-duplicate', { id: done.id, requestId: done.request_id }, signerGroup),
      message('a2-send', second, signerGroup),
      message('a3-duplicate', { id: done.id, requestId: done.request_id }, signerGroup),
      message('a4-send', fourth, signerGroup),
      message('b1-duplicate', { id: done.id, requestId: done.request_id }, 'another-group'),
      sqsRecord('b2-malformed', '{"not":"a call"}', 'another-group'),
    ];
    const handler = (await import('../../functions/queue/oracle-calls/index.ts')).handler.on(platform);
    const response = await handler({ Records: records } satisfies SQSEvent, context);

    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      'a2-send',
      'a3-duplicate',
      'a4-send',
    ]);
    const untouched = await h.db.sql<{ status: string; attempt_count: number; attempts: number }[]>`
      select status, attempt_count,
        (select count(*)::int from delivery.oracle_tx_attempts a where a.call_id = c.id) as attempts
      from delivery.oracle_call_history c where id = any(${[second.id, fourth.id]}::bigint[]) order by id`;
    expect(untouched).toEqual([
      { status: 'queued', attempt_count: 0, attempts: 0 },
      { status: 'queued', attempt_count: 0, attempts: 0 },
    ]);
  });
});

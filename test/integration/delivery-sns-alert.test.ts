import { SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SnsAlertSink } from '../../layers/shared/src/adapters/aws/sns-alert-sink.ts';
import { sqsClient } from '../../layers/shared/src/adapters/aws/sqs-work-queue.ts';

describe('admin alerts on SNS', () => {
  let server: Awaited<ReturnType<typeof startFauxqs>>;
  beforeAll(async () => {
    server = await startFauxqs({ port: 0, logger: false });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('publishes an alert to the admin topic, where a subscriber receives it', async () => {
    const endpoint = `http://127.0.0.1:${server.port}`;
    const { topicArn } = server.createTopic('oracle-admin-alerts');
    const inbox = server.createQueue('alert-inbox');
    server.subscribe({
      topic: 'oracle-admin-alerts',
      queue: 'alert-inbox',
      attributes: { RawMessageDelivery: 'true' },
    });
    const sns = new SNSClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const sink = new SnsAlertSink(topicArn, sns);
    await sink.publish({
      subject: 'Oracle alert: 3 consecutive failures for 0xabc',
      message: 'Oracle calls to 0xabc failed 3 times in a row',
      targetAddress: '0xabc',
      functionName: 'updateRaffleProbability',
      consecutiveFailures: 3,
      error: 'execution: FPMM: season closed',
      raisedAt: new Date(Date.UTC(2026, 0, 1)),
    });
    const sqs = sqsClient({ endpoint });
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: inbox.queueUrl, WaitTimeSeconds: 1 }),
    );
    const body = JSON.parse(received.Messages?.[0]?.Body ?? '{}') as Record<string, unknown>;
    expect(body).toMatchObject({
      targetAddress: '0xabc',
      consecutiveFailures: 3,
      raisedAt: '2026-01-01T00:00:00.000Z',
    });
    sns.destroy();
    sqs.destroy();
  });
});

/**
 * What a Lambda event source mapping does on AWS, for the local runtime: receive a batch, hand
 * it to the consumer as an SQSEvent, delete what succeeded, leave the reported failures to
 * come back after their visibility timeout (and reach the DLQ after maxReceiveCount).
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export type SqsConsumer = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

export interface PollResult {
  readonly received: number;
  readonly failed: number;
}

/** Receives once (up to `batchSize`, in rounds of 10) and runs the consumer on what came. */
export async function pollOnce(
  client: SQSClient,
  queueUrl: string,
  consumer: SqsConsumer,
  options: { batchSize?: number; visibilityTimeoutSeconds?: number } = {},
): Promise<PollResult> {
  const batchSize = options.batchSize ?? 10;
  const records: SQSRecord[] = [];
  while (records.length < batchSize) {
    const out = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, batchSize - records.length),
        WaitTimeSeconds: 0,
        ...(options.visibilityTimeoutSeconds === undefined
          ? {}
          : { VisibilityTimeout: options.visibilityTimeoutSeconds }),
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) break;
    for (const m of messages) {
      records.push({
        messageId: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body ?? '',
        attributes: {
          ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
          SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
          SenderId: 'local',
          ApproximateFirstReceiveTimestamp:
            m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
          ...(m.Attributes?.MessageGroupId === undefined
            ? {}
            : { MessageGroupId: m.Attributes.MessageGroupId }),
          ...(m.Attributes?.MessageDeduplicationId === undefined
            ? {}
            : { MessageDeduplicationId: m.Attributes.MessageDeduplicationId }),
        },
        messageAttributes: {},
        md5OfBody: m.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: queueUrl,
        awsRegion: 'us-east-1',
      });
    }
  }
  if (records.length === 0) return { received: 0, failed: 0 };
  let failedIds = new Set<string>();
  try {
    const response = await consumer({ Records: records });
    failedIds = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
  } catch {
    // A thrown handler fails the whole batch, as on Lambda.
    failedIds = new Set(records.map((r) => r.messageId));
  }
  const done = records.filter((r) => !failedIds.has(r.messageId));
  for (let i = 0; i < done.length; i += 10) {
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: done.slice(i, i + 10).map((r, j) => ({ Id: String(j), ReceiptHandle: r.receiptHandle })),
      }),
    );
  }
  return { received: records.length, failed: failedIds.size };
}

/** Polls until the queue answers empty; returns totals. */
export async function drain(
  client: SQSClient,
  queueUrl: string,
  consumer: SqsConsumer,
  options: { batchSize?: number; maxRounds?: number } = {},
): Promise<PollResult> {
  let received = 0;
  let failed = 0;
  for (let round = 0; round < (options.maxRounds ?? 1000); round++) {
    const result = await pollOnce(client, queueUrl, consumer, options);
    received += result.received;
    failed += result.failed;
    if (result.received === 0) break;
  }
  return { received, failed };
}

/** Keeps polling every `intervalMs` until stopped. */
export function startPoller(
  client: SQSClient,
  queueUrl: string,
  consumer: SqsConsumer,
  options: { batchSize?: number; intervalMs?: number; onError?: (error: unknown) => void } = {},
): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    running = drain(client, queueUrl, consumer, options)
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.intervalMs ?? 500);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/** The Lambda context a consumer is invoked with: `timeoutMs` from now until the function's timeout. */
export function lambdaContext(timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    functionName: 'local',
    awsRequestId: `local-${deadline}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  } as Context;
}

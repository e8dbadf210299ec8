/**
 * The WorkQueue port on SQS (or any SQS-compatible endpoint, such as fauxqs locally). One
 * instance serves one queue and its dead-letter queue.
 */
import {
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  type SQSClientConfig,
} from '@aws-sdk/client-sqs';
import type { OutgoingMessage, ReceivedMessage, ReceiveOptions, WorkQueue } from '../../ports/work-queue.ts';

export interface SqsWorkQueueOptions {
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly client?: SQSClient;
  /** Used when no client is given: region, endpoint (fauxqs), credentials. */
  readonly clientConfig?: SQSClientConfig;
}

export function sqsClient(config: { region?: string; endpoint?: string } = {}): SQSClient {
  return new SQSClient({
    region: config.region ?? 'us-east-1',
    ...(config.endpoint === undefined
      ? {}
      : {
          endpoint: config.endpoint,
          // A local emulator accepts any credentials; real ones come from the Lambda role.
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }),
  });
}

const isFifo = (url: string) => url.endsWith('.fifo');

function entryFields(url: string, message: OutgoingMessage) {
  const fifo = isFifo(url);
  return {
    MessageBody: JSON.stringify(message.body),
    ...(fifo && message.groupId !== undefined ? { MessageGroupId: message.groupId } : {}),
    ...(fifo && message.deduplicationId !== undefined
      ? { MessageDeduplicationId: message.deduplicationId }
      : {}),
    // FIFO queues delay per queue, not per message.
    ...(!fifo && message.delaySeconds !== undefined ? { DelaySeconds: message.delaySeconds } : {}),
  };
}

export class SqsWorkQueue implements WorkQueue {
  readonly name: string;
  readonly #client: SQSClient;

  constructor(private readonly options: SqsWorkQueueOptions) {
    this.#client = options.client ?? new SQSClient(options.clientConfig ?? {});
    this.name = options.queueUrl.split('/').pop() ?? options.queueUrl;
  }

  get queueUrl(): string {
    return this.options.queueUrl;
  }

  get deadLetterQueueUrl(): string {
    return this.options.deadLetterQueueUrl;
  }

  async send(message: OutgoingMessage): Promise<{ messageId: string }> {
    const out = await this.#client.send(
      new SendMessageCommand({
        QueueUrl: this.options.queueUrl,
        ...entryFields(this.options.queueUrl, message),
      }),
    );
    return { messageId: out.MessageId ?? '' };
  }

  async sendBatch(messages: readonly OutgoingMessage[]): Promise<{ failed: number }> {
    const url = this.options.queueUrl;
    const sendChunk = async (chunk: readonly OutgoingMessage[]) => {
      const out = await this.#client.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: chunk.map((message, i) => ({ Id: String(i), ...entryFields(url, message) })),
        }),
      );
      return out.Failed?.length ?? 0;
    };
    const chunks: OutgoingMessage[][] = [];
    for (let start = 0; start < messages.length; start += 10) chunks.push(messages.slice(start, start + 10));
    let failed = 0;
    // A FIFO queue orders by arrival, so its chunks go one after another; others in parallel.
    if (isFifo(url)) for (const chunk of chunks) failed += await sendChunk(chunk);
    else failed = (await Promise.all(chunks.map(sendChunk))).reduce((a, b) => a + b, 0);
    return { failed };
  }

  receive(options: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    return this.#receive(this.options.queueUrl, options);
  }

  async delete(receiptHandle: string): Promise<void> {
    await this.#client.send(
      new DeleteMessageCommand({ QueueUrl: this.options.queueUrl, ReceiptHandle: receiptHandle }),
    );
  }

  async deleteBatch(receiptHandles: readonly string[]): Promise<void> {
    const chunks: string[][] = [];
    for (let start = 0; start < receiptHandles.length; start += 10)
      chunks.push(receiptHandles.slice(start, start + 10));
    await Promise.all(
      chunks.map((chunk) =>
        this.#client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.options.queueUrl,
            Entries: chunk.map((handle, i) => ({ Id: String(i), ReceiptHandle: handle })),
          }),
        ),
      ),
    );
  }

  async sendToDeadLetter(message: OutgoingMessage, received?: ReceivedMessage): Promise<void> {
    const url = this.options.deadLetterQueueUrl;
    await this.#client.send(new SendMessageCommand({ QueueUrl: url, ...entryFields(url, message) }));
    if (received !== undefined) await this.delete(received.receiptHandle);
  }

  receiveDeadLetters(options: ReceiveOptions = {}): Promise<ReceivedMessage[]> {
    return this.#receive(this.options.deadLetterQueueUrl, options);
  }

  async deleteDeadLetter(receiptHandle: string): Promise<void> {
    await this.#client.send(
      new DeleteMessageCommand({ QueueUrl: this.options.deadLetterQueueUrl, ReceiptHandle: receiptHandle }),
    );
  }

  async #receive(url: string, options: ReceiveOptions): Promise<ReceivedMessage[]> {
    const out = await this.#client.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: options.maxMessages ?? 10,
        WaitTimeSeconds: options.waitSeconds ?? 0,
        ...(options.visibilityTimeoutSeconds === undefined
          ? {}
          : { VisibilityTimeout: options.visibilityTimeoutSeconds }),
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'MessageGroupId'],
      }),
    );
    return (out.Messages ?? []).map((m) => ({
      messageId: m.MessageId ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
      body: parseBody(m.Body),
      receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? '1'),
      groupId: m.Attributes?.MessageGroupId,
    }));
  }
}

function parseBody(body: string | undefined): unknown {
  if (body === undefined) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

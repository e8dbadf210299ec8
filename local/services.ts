/**
 * The embedded default: every dependency of the platform started in this process or as a
 * child process of it, on loopback, each replaceable by a real endpoint through configuration.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { sqsClient } from '../layers/shared/src/adapters/aws/sqs-work-queue.ts';
import { startAnvil } from './anvil.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { freePort } from './ports.ts';

export interface Stoppable {
  stop(): Promise<void>;
}

export interface QueueSet {
  readonly url: string;
  readonly dlqUrl: string;
  readonly arn: string;
}

export interface LocalQueues {
  readonly ingest: QueueSet;
  readonly publish: QueueSet;
  readonly oracleCalls: QueueSet;
  readonly notifications: QueueSet;
}

export interface SqsService extends Stoppable {
  readonly endpoint: string;
  readonly client: SQSClient;
  readonly queues: LocalQueues;
  /** Messages in the queue at `url` (ready, delayed and in flight), read in process. */
  depth(url: string): number;
}

/** fauxqs: the SQS and SNS APIs, with redrive to DLQs and FIFO deduplication. */
export async function startSqs(): Promise<SqsService> {
  const { startFauxqs } = await import('fauxqs');
  const server = await startFauxqs({ port: await freePort(), logger: false });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const make = (
    name: string,
    fifo: boolean,
    maxReceiveCount: number,
    visibilityTimeout: number,
  ): QueueSet => {
    const suffix = fifo ? '.fifo' : '';
    const fifoAttributes: Record<string, string> = fifo
      ? { FifoQueue: 'true', ContentBasedDeduplication: 'false' }
      : {};
    const dlq = server.createQueue(`${name}-dlq${suffix}`, { attributes: fifoAttributes });
    const queue = server.createQueue(`${name}${suffix}`, {
      attributes: {
        ...fifoAttributes,
        VisibilityTimeout: String(visibilityTimeout),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount }),
      },
    });
    return { url: queue.queueUrl, dlqUrl: dlq.queueUrl, arn: queue.queueArn };
  };
  // Receive counts as DESIGN.md section 2 sets them: a poison message reaches the DLQ after 5
  // receives; oracle-calls has a high backstop because the engine counts attempts itself.
  const queues: LocalQueues = {
    ingest: make('ingest', false, 5, 2),
    publish: make('publish', true, 5, 5),
    oracleCalls: make('oracle-calls', true, 100, 5),
    notifications: make('notifications', false, 5, 5),
  };
  const client = sqsClient({ endpoint, region: 'us-east-1' });
  return {
    endpoint,
    client,
    queues,
    depth(url) {
      const found = server.inspectQueue(url.slice(url.lastIndexOf('/') + 1));
      if (found === undefined) throw new Error(`no queue at ${url}`);
      const { ready, delayed, inflight } = found.messages;
      return ready.length + delayed.length + inflight.length;
    },
    async stop() {
      client.destroy();
      await server.stop();
    },
  };
}

export interface DynamoService extends Stoppable {
  readonly endpoint: string;
  readonly tables: {
    readonly rateLimits: string;
    readonly idempotency: string;
    readonly wsConnections: string;
  };
}

/** The variables that point the functions at the local queues and tables, as the stacks name them. */
export function queueAndTableEnvironment(sqs: SqsService, dynamo: DynamoService): Record<string, string> {
  return {
    SQS_ENDPOINT: sqs.endpoint,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    INGEST_QUEUE_URL: sqs.queues.ingest.url,
    PUBLISH_QUEUE_URL: sqs.queues.publish.url,
    ORACLE_CALLS_QUEUE_URL: sqs.queues.oracleCalls.url,
    ORACLE_CALLS_DLQ_URL: sqs.queues.oracleCalls.dlqUrl,
    NOTIFICATIONS_QUEUE_URL: sqs.queues.notifications.url,
    RATE_LIMIT_TABLE: dynamo.tables.rateLimits,
    IDEMPOTENCY_TABLE: dynamo.tables.idempotency,
  };
}

/** dynalite: the DynamoDB API in memory, with the tables the platform uses. */
export async function startDynamo(): Promise<DynamoService> {
  const require = createRequire(import.meta.url);
  const dynalite = require('dynalite') as (options: {
    createTableMs: number;
    deleteTableMs: number;
  }) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0 });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const tables = { rateLimits: 'rate-limits', idempotency: 'idempotency', wsConnections: 'ws-connections' };
  for (const [table, key] of [
    [tables.rateLimits, 'pk'],
    [tables.idempotency, 'id'],
    [tables.wsConnections, 'connectionId'],
  ] as const) {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
  client.destroy();
  return {
    endpoint,
    tables,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

export { startAnvil, startEmbeddedPostgres };

export function generatedKey(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { RUNBOOK } from './alarm-set.ts';

export interface WorkQueueProps {
  /** FIFO queue (and FIFO DLQ). Senders set MessageGroupId and MessageDeduplicationId. @default false */
  readonly fifo?: boolean;
  /** Receives before a message moves to the DLQ. @default 5 */
  readonly maxReceiveCount?: number;
  /** At least six times the consumer's timeout (AWS guidance for Lambda consumers). @default Duration.seconds(30) */
  readonly visibilityTimeout?: Duration;
  /** @default Duration.days(4) */
  readonly retentionPeriod?: Duration;
  /** Age of the oldest message that raises the backlog alarm. @default Duration.minutes(15) */
  readonly maxMessageAge?: Duration;
  /** @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

export interface ConsumerOptions {
  /** @default 10 */
  readonly batchSize?: number;
  /** Standard queues only. @default - none */
  readonly maxBatchingWindow?: Duration;
  /** @default - no limit */
  readonly maxConcurrency?: number;
}

/**
 * A queue with its DLQ, redrive policy and alarms (a message in the DLQ; the oldest message too old).
 * Consumers always report partial batch failures.
 */
export class WorkQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly maxReceiveCount: number;
  readonly dlqAlarm: cloudwatch.Alarm;
  readonly ageAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: WorkQueueProps = {}) {
    super(scope, id);
    const fifo = props.fifo ?? false;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    this.maxReceiveCount = props.maxReceiveCount ?? 5;
    const common = {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy,
      ...(fifo ? { fifo: true, contentBasedDeduplication: false } : {}),
    };
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...common,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...common,
      visibilityTimeout: props.visibilityTimeout ?? Duration.seconds(30),
      retentionPeriod: props.retentionPeriod ?? Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: this.maxReceiveCount },
    });

    this.dlqAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `${id}: a message failed ${this.maxReceiveCount} times and is in the DLQ. Runbook: ${RUNBOOK}#dlq-depth`,
    });
    const maxAge = props.maxMessageAge ?? Duration.minutes(15);
    this.ageAlarm = new cloudwatch.Alarm(this, 'OldestMessageAlarm', {
      metric: this.queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: maxAge.toSeconds(),
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `${id}: the oldest message is older than ${maxAge.toMinutes()} min. Runbook: ${RUNBOOK}#queue-age`,
    });
  }

  grantConsume(grantee: iam.IGrantable): iam.Grant {
    return this.queue.grantConsumeMessages(grantee);
  }

  grantSend(grantee: iam.IGrantable): iam.Grant {
    return this.queue.grantSendMessages(grantee);
  }

  /** For consumers that move a finally failed message to the DLQ themselves. */
  grantSendToDeadLetter(grantee: iam.IGrantable): iam.Grant {
    return this.deadLetterQueue.grantSendMessages(grantee);
  }

  /** Subscribes a Lambda; it must return `batchItemFailures` (partial batch responses are always on). */
  addConsumer(fn: lambda.IFunction, options: ConsumerOptions = {}): void {
    if (this.queue.fifo && options.maxBatchingWindow !== undefined) {
      throw new Error(`${this.node.path}: a batching window is not supported on FIFO queues`);
    }
    fn.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: options.batchSize ?? 10,
        reportBatchItemFailures: true,
        ...(options.maxBatchingWindow === undefined ? {} : { maxBatchingWindow: options.maxBatchingWindow }),
        ...(options.maxConcurrency === undefined ? {} : { maxConcurrency: options.maxConcurrency }),
      }),
    );
  }
}

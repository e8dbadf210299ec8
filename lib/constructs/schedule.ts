import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, functionVersionsFinding } from '../nag.ts';
import { RUNBOOK } from './alarm-set.ts';

export interface ScheduleProps {
  /** The function invoked on each tick. */
  readonly target: lambda.IFunction;
  /** `rate(...)` or `cron(...)`, evaluated in UTC. */
  readonly expression: string;
  /** Payload of each invocation. @default - Scheduler's default (no payload) */
  readonly input?: Record<string, unknown>;
  /** Delivery retries before the event goes to the DLQ. @default 3 */
  readonly retryAttempts?: number;
  /** Events older than this are dropped to the DLQ instead of delivered late. @default Duration.hours(1) */
  readonly maxEventAge?: Duration;
  readonly description?: string;
  /** @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

/** An EventBridge Scheduler schedule invoking a Lambda, with a retry policy, its own DLQ and an alarm on it. */
export class Schedule extends Construct {
  readonly schedule: scheduler.Schedule;
  readonly deadLetterQueue: sqs.Queue;
  readonly dlqAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ScheduleProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: scheduler.ScheduleExpression.expression(props.expression),
      ...(props.description === undefined ? {} : { description: props.description }),
      target: new targets.LambdaInvoke(props.target, {
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: props.retryAttempts ?? 3,
        maxEventAge: props.maxEventAge ?? Duration.hours(1),
        ...(props.input === undefined
          ? {}
          : { input: scheduler.ScheduleTargetInput.fromObject(props.input) }),
      }),
    });
    acknowledge(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter queue of the schedule; nothing consumes it automatically.',
    );
    // The scheduler's target role is shared per function and lives at stack level.
    acknowledge(
      Stack.of(this),
      functionVersionsFinding(props.target),
      'The EventBridge Scheduler target role may invoke the scheduled function and its versions/aliases only.',
    );
    this.dlqAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: `${id}: a scheduled run could not be delivered. Runbook: ${RUNBOOK}#schedule-dlq`,
    });
  }
}

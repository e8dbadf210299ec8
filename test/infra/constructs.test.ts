import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { afterAll, describe, expect, it } from 'vitest';
import { AlarmSet } from '../../lib/constructs/alarm-set.ts';
import { NodeFunction } from '../../lib/constructs/node-function.ts';
import { Schedule } from '../../lib/constructs/schedule.ts';
import { WorkQueue } from '../../lib/constructs/work-queue.ts';
import { MIGRATE_ENTRY, REPO_ROOT } from '../../lib/functions.ts';
import { logicalIdOf } from './synth.ts';

// Each app's cloud assembly goes under one directory this file removes (an App without an
// outdir makes its own temp dir and leaves it behind).
const assemblies = mkdtempSync(join(tmpdir(), 'eo-cdk-constructs-'));
afterAll(() => rmSync(assemblies, { recursive: true, force: true }));

function makeStack(): Stack {
  const app = new App({
    outdir: mkdtempSync(join(assemblies, 'app-')),
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  return new Stack(app, 'Test');
}

function makeFunction(stack: Stack, props: Partial<ConstructorParameters<typeof NodeFunction>[2]> = {}) {
  return new NodeFunction(stack, 'Fn', { entry: join(REPO_ROOT, MIGRATE_ENTRY), stage: 'dev', ...props });
}

describe('WorkQueue', () => {
  it('defaults to five receives before the DLQ, SQS-managed encryption and TLS-only access', () => {
    const stack = makeStack();
    const wq = new WorkQueue(stack, 'Jobs');
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: {
        maxReceiveCount: 5,
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalIdOf(wq.deadLetterQueue), 'Arn'] },
      },
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 30,
    });
    t.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ],
      },
    });
  });

  it('makes the queue and its DLQ FIFO without content-based deduplication', () => {
    const stack = makeStack();
    new WorkQueue(stack, 'Ordered', { fifo: true, maxReceiveCount: 100 });
    const queues = Object.values(Template.fromStack(stack).findResources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(2);
    for (const q of queues)
      expect(q.Properties).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: false });
  });

  it('refuses a batching window on a FIFO queue', () => {
    const stack = makeStack();
    const wq = new WorkQueue(stack, 'Ordered', { fifo: true });
    const fn = makeFunction(stack);
    expect(() => wq.addConsumer(fn.function, { maxBatchingWindow: Duration.seconds(5) })).toThrow(/FIFO/);
  });

  it('alarms on the oldest message age at the configured limit', () => {
    const stack = makeStack();
    new WorkQueue(stack, 'Jobs', { maxMessageAge: Duration.minutes(10) });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 600,
    });
  });
});

describe('Schedule', () => {
  it('defaults to three retries within an hour, into its own DLQ', () => {
    const stack = makeStack();
    const fn = makeFunction(stack);
    const schedule = new Schedule(stack, 'Tick', { target: fn.function, expression: 'rate(1 hour)' });
    Template.fromStack(stack).hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      Target: Match.objectLike({
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalIdOf(schedule.deadLetterQueue), 'Arn'] } },
      }),
    });
  });
});

describe('AlarmSet', () => {
  it('routes every alarm of its stack to the topic, whoever created it', () => {
    const stack = makeStack();
    const topic = new sns.Topic(stack, 'Topic');
    new AlarmSet(stack, 'Alarms', { topic });
    new cloudwatch.Alarm(stack, 'Elsewhere', {
      metric: new cloudwatch.Metric({ namespace: 'X', metricName: 'Y' }),
      threshold: 1,
      evaluationPeriods: 1,
    });
    new WorkQueue(stack, 'Jobs');
    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(3);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: logicalIdOf(topic) }]);
  });
});

describe('NodeFunction', () => {
  it('applies reserved concurrency, VPC placement and a log group with the given retention', () => {
    const stack = makeStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 }) as ec2.IVpc;
    const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc });
    makeFunction(stack, {
      reservedConcurrency: 3,
      vpcPlacement: {
        vpc,
        subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        securityGroups: [sg],
      },
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      ReservedConcurrentExecutions: 3,
      VpcConfig: Match.objectLike({ SecurityGroupIds: [{ 'Fn::GetAtt': [logicalIdOf(sg), 'GroupId'] }] }),
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });
});

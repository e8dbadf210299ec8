/**
 * Turns a registry entry (lib/functions.ts) into a NodeFunction with exactly the grants and
 * environment the entry lists.
 */
import { Aws, Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { NodeFunction } from './constructs/node-function.ts';
import type { WorkQueue } from './constructs/work-queue.ts';
import {
  entryPath,
  type FunctionSpec,
  type QueueName,
  type SecretName,
  type TableName,
  tablesOf,
} from './functions.ts';
import { acknowledge } from './nag.ts';
import type { DatabaseAccess } from './stacks/data-stack.ts';
import type { StageConfig } from './stage.ts';
import { isEnabled, type StageSettings } from './stage-config.ts';
import { statementTimeoutMs } from './statement-timeout.ts';
import { type SystemOrCore, systemOfSetting, withNeeds } from './systems.ts';

const DEFAULT_TIMEOUT_SECONDS = 30;

/** Environment variable names, one per resource a function may be given. */
export const SECRET_ENV: Record<SecretName, string> = {
  evmSigner: 'EVM_SIGNER_SECRET_ARN',
  solanaPublisher: 'SOLANA_PUBLISHER_SECRET_ARN',
  twitch: 'TWITCH_SECRET_ARN',
  ingestApiKeys: 'INGEST_API_KEYS_SECRET_ARN',
  adminTokens: 'ADMIN_TOKENS_SECRET_ARN',
  airApiKey: 'AIR_API_KEY_SECRET_ARN',
  webPush: 'WEB_PUSH_SECRET_ARN',
};
export const TABLE_ENV: Record<TableName, string> = {
  idempotency: 'IDEMPOTENCY_TABLE',
  rateLimits: 'RATE_LIMIT_TABLE',
  wsConnections: 'WS_CONNECTIONS_TABLE',
};
export const QUEUE_ENV: Record<QueueName, string> = {
  ingest: 'INGEST_QUEUE_URL',
  publish: 'PUBLISH_QUEUE_URL',
  oracleCalls: 'ORACLE_CALLS_QUEUE_URL',
  notifications: 'NOTIFICATIONS_QUEUE_URL',
};
export const DLQ_ENV: Record<QueueName, string> = {
  ingest: 'INGEST_DLQ_URL',
  publish: 'PUBLISH_DLQ_URL',
  oracleCalls: 'ORACLE_CALLS_DLQ_URL',
  notifications: 'NOTIFICATIONS_DLQ_URL',
};

const TABLE_READ_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
const TABLE_WRITE_ACTIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
];

export interface FunctionResources {
  readonly stage: StageConfig;
  readonly vpc: ec2.IVpc;
  readonly database: DatabaseAccess;
  readonly secrets: Record<SecretName, secretsmanager.ISecret>;
  readonly tables: Record<TableName, dynamodb.ITable>;
  /** Global secondary index names per table. */
  readonly tableIndexes: Partial<Record<TableName, readonly string[]>>;
  readonly queues: Partial<Record<QueueName, WorkQueue>>;
  readonly bus: events.IEventBus;
  readonly alertTopic: sns.ITopic;
  /** The stage's systems and settings (lib/stages/<stage>.json). */
  readonly settings: StageSettings;
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is not available in this stack`);
  return value;
}

/**
 * The values of the settings a function (or the IRC task) reads. A setting of a system outside
 * the function's own and the ones it needs is a wiring error; an optional setting the stage file
 * leaves out is left out.
 */
export function settingsEnvironment(
  who: string,
  system: SystemOrCore,
  names: readonly string[],
  settings: StageSettings,
): Record<string, string> {
  const reachable = withNeeds(system);
  const environment: Record<string, string> = {};
  for (const name of names) {
    const owner = systemOfSetting(name);
    if (owner === undefined)
      throw new Error(`${who} reads ${name}, which no system declares (lib/systems.ts)`);
    if (!reachable.has(owner)) {
      throw new Error(
        `${who} (${system}) reads ${name} of ${owner}, a system ${system} does not need (lib/systems.ts)`,
      );
    }
    const value = settings.values[name];
    if (value !== undefined) environment[name] = value;
  }
  return environment;
}

export function createRegisteredFunction(
  scope: Construct,
  spec: FunctionSpec,
  res: FunctionResources,
): NodeFunction {
  const probed = (spec.probes ?? []).filter((probe) => isEnabled(res.settings, probe.system));
  const environment = Object.assign(
    settingsEnvironment(spec.name, spec.system, spec.settings ?? [], res.settings),
    ...probed.map((probe) => settingsEnvironment(spec.name, probe.system, probe.settings, res.settings)),
  ) as Record<string, string>;
  const fn = new NodeFunction(scope, spec.name, {
    entry: entryPath(spec),
    description: spec.description,
    stage: res.stage.name,
    logLevel: res.stage.logLevel,
    memorySize: spec.memoryMb ?? 512,
    timeout: Duration.seconds(spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS),
    logRetention: res.stage.logRetention,
    logRemovalPolicy: res.stage.removalPolicy,
    ...(spec.asyncRetryAttempts === undefined ? {} : { asyncRetryAttempts: spec.asyncRetryAttempts }),
    ...(spec.reservedConcurrency !== undefined && res.stage.applyReservedConcurrency
      ? { reservedConcurrency: spec.reservedConcurrency }
      : {}),
    ...(spec.database === true
      ? {
          vpcPlacement: {
            vpc: res.vpc,
            subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
            securityGroups: [res.database.clientSecurityGroup],
          },
        }
      : {}),
    environment,
  });
  const grantee = fn.function;

  if (spec.database === true && spec.databaseReader === true && res.database.readerEndpoint !== undefined) {
    fn.addEnvironment('DB_READER_HOST', res.database.readerEndpoint);
  }
  if (spec.database === true) {
    const role = required(spec.databaseRole, `the database role of ${spec.name}`);
    res.database.grantConnect(grantee, role);
    fn.addEnvironment('DB_HOST', res.database.proxyEndpoint)
      .addEnvironment('DB_PORT', res.database.port)
      .addEnvironment('DB_NAME', res.database.name)
      .addEnvironment('DB_USER', role)
      .addEnvironment(
        'DATABASE_STATEMENT_TIMEOUT_MS',
        String(statementTimeoutMs(spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS)),
      );
  }
  for (const name of [...(spec.secrets ?? []), ...probed.flatMap((probe) => probe.secrets ?? [])]) {
    res.secrets[name].grantRead(grantee);
    fn.addEnvironment(SECRET_ENV[name], res.secrets[name].secretArn);
  }
  for (const { table, access } of tablesOf(spec)) {
    const t = res.tables[table];
    // Named index ARNs instead of CDK's `index/*`, so the grant covers exactly the indexes that exist.
    grantee.addToRolePolicy(
      new iam.PolicyStatement({
        actions: access === 'read' ? TABLE_READ_ACTIONS : [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS],
        resources: [
          t.tableArn,
          ...(res.tableIndexes[table] ?? []).map((index) => `${t.tableArn}/index/${index}`),
        ],
      }),
    );
    fn.addEnvironment(TABLE_ENV[table], t.tableName);
  }
  for (const name of spec.sends ?? []) {
    const queue = required(res.queues[name], `queue ${name}`);
    queue.grantSend(grantee);
    fn.addEnvironment(QUEUE_ENV[name], queue.queue.queueUrl);
  }
  for (const name of spec.observes ?? []) {
    // A queue of a disabled system does not exist; there is nothing to observe.
    const queue = res.queues[name];
    if (queue === undefined) continue;
    queue.queue.grant(grantee, 'sqs:GetQueueAttributes');
    fn.addEnvironment(QUEUE_ENV[name], queue.queue.queueUrl);
  }
  for (const name of spec.sendsToDeadLetter ?? []) {
    const queue = required(res.queues[name], `queue ${name}`);
    queue.grantSendToDeadLetter(grantee);
    fn.addEnvironment(DLQ_ENV[name], queue.deadLetterQueue.queueUrl);
  }
  if ((spec.emits ?? []).length > 0) {
    res.bus.grantPutEventsTo(grantee);
    fn.addEnvironment('EVENT_BUS_NAME', res.bus.eventBusName);
  }
  if (spec.alerts === true) {
    res.alertTopic.grantPublish(grantee);
    fn.addEnvironment('ALERT_TOPIC_ARN', res.alertTopic.topicArn);
    acknowledge(
      fn.function.role ?? fn,
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'Publishing to the KMS-encrypted admin topic needs kms:GenerateDataKey* on that one key (the resource is not a wildcard).',
    );
  }
  if (spec.notifies === true) {
    grantee.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [Stack.of(scope).formatArn({ service: 'ses', resource: 'identity', resourceName: '*' })],
      }),
    );
    acknowledge(
      fn.function.role ?? fn,
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
      'The verified sender identity (domain or address) is set up by the operator in SES; the grant stays within this account and region.',
    );
    // SMS goes to phone numbers, which have no ARN; excluding every topic ARN leaves only those.
    grantee.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['sns:Publish'],
        notResources: [`arn:${Aws.PARTITION}:sns:*:*:*`],
      }),
    );
  }
  return fn;
}

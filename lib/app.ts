/**
 * Builds the whole deployment into a CDK app: bin/app.ts for `cdk synth`/`deploy`, and the infra
 * tests, so both see exactly the same stacks.
 */
import type { App } from 'aws-cdk-lib';
import { configVariables } from '../layers/shared/src/config.ts';
import type { FunctionSpec } from './functions.ts';
import { acknowledgeFindings } from './nag.ts';
import { ApiStack } from './stacks/api-stack.ts';
import { DataStack } from './stacks/data-stack.ts';
import { MonitoringStack } from './stacks/monitoring-stack.ts';
import { PipelineStack } from './stacks/pipeline-stack.ts';
import { WorkerStack } from './stacks/worker-stack.ts';
import { type StageConfig, stageConfig } from './stage.ts';

export interface Deployment {
  readonly stage: StageConfig;
  readonly monitoring: MonitoringStack;
  readonly data: DataStack;
  readonly pipeline: PipelineStack;
  readonly api: ApiStack;
  readonly worker: WorkerStack;
}

function contextString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Non-secret function configuration: `-c functionEnvironment='{"EVM_RPC_URL":"..."}'` or cdk.json. */
function functionEnvironment(app: App): Record<string, string> {
  let value: unknown = app.node.tryGetContext('functionEnvironment');
  if (value === undefined) return {};
  if (typeof value === 'string') value = JSON.parse(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('context "functionEnvironment" must be an object of strings');
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

export function buildDeployment(app: App, options: { functions?: readonly FunctionSpec[] } = {}): Deployment {
  const stage = stageConfig(app.node.tryGetContext('stage'));
  const prefix = `EngagementOracle-${stage.name}`;
  const extraEnvironment = functionEnvironment(app);
  const alarmEmail = contextString(app, 'alarmEmail');
  const alarmSms = contextString(app, 'alarmSms');
  const alarmHttpsUrl = contextString(app, 'alarmHttpsUrl');
  const alertCutoff = configVariables.ORACLE_ALERT_CUTOFF.safeParse(extraEnvironment['ORACLE_ALERT_CUTOFF']);
  if (!alertCutoff.success) {
    throw new Error(`functionEnvironment.ORACLE_ALERT_CUTOFF: ${alertCutoff.error.issues[0]?.message}`);
  }

  const monitoring = new MonitoringStack(app, `${prefix}-Monitoring`, {
    stage,
    description: 'Engagement Oracle: admin alarm topic, business alarms, dashboard',
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    ...(alarmSms === undefined ? {} : { alarmSms }),
    ...(alarmHttpsUrl === undefined ? {} : { alarmHttpsUrl }),
    oracleAlertCutoff: alertCutoff.data,
  });
  const data = new DataStack(app, `${prefix}-Data`, {
    stage,
    description: 'Engagement Oracle: VPC, Aurora, RDS Proxy, migrations, DynamoDB, secrets, event bus',
  });
  const functions = options.functions === undefined ? {} : { functions: options.functions };
  const pipeline = new PipelineStack(app, `${prefix}-Pipeline`, {
    stage,
    data,
    alarmTopic: monitoring.topic,
    extraEnvironment,
    description: 'Engagement Oracle: schedules, work queues and their consumers',
    ...functions,
  });
  const api = new ApiStack(app, `${prefix}-Api`, {
    stage,
    data,
    pipeline,
    alarmTopic: monitoring.topic,
    extraEnvironment,
    description: 'Engagement Oracle: HTTP API and WebSocket price stream',
    ...functions,
  });
  const worker = new WorkerStack(app, `${prefix}-Worker`, {
    stage,
    data,
    ingestQueue: pipeline.queues.ingest,
    alarmTopic: monitoring.topic,
    extraEnvironment,
    description: 'Engagement Oracle: the IRC worker on Fargate',
  });
  const deployment = { stage, monitoring, data, pipeline, api, worker };
  acknowledgeFindings(deployment);
  return deployment;
}

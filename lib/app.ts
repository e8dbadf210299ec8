/**
 * Builds the whole deployment into a CDK app: bin/app.ts for `cdk synth`/`deploy`, and the infra
 * tests, so both see exactly the same stacks. The stage (`-c stage=dev|prod`) gives the sizes
 * (lib/stage.ts) and the configuration file (lib/stages/<stage>.json: the systems deployed and
 * their settings); `-c config=<file>` reads another file, e.g. lib/stages/example.json.
 */

import { type App, CfnParameter, CfnRule, Fn, type Stack } from 'aws-cdk-lib';
import { claimsPageExtraOrigins, claimsPageSolana } from './claims-page-config.ts';
import type { FunctionSpec } from './functions.ts';
import { acknowledgeFindings } from './nag.ts';
import { ApiStack } from './stacks/api-stack.ts';
import { ClaimsPageContentStack } from './stacks/claims-page-content-stack.ts';
import { ClaimsPageStack } from './stacks/claims-page-stack.ts';
import { DataStack } from './stacks/data-stack.ts';
import { MonitoringStack } from './stacks/monitoring-stack.ts';
import { PipelineStack } from './stacks/pipeline-stack.ts';
import { WorkerStack } from './stacks/worker-stack.ts';
import { type StageConfig, stageConfig } from './stage.ts';
import { loadStageSettings, type StageSettings, stageFile } from './stage-config.ts';

export interface Deployment {
  readonly stage: StageConfig;
  readonly settings: StageSettings;
  readonly monitoring: MonitoringStack;
  readonly data: DataStack;
  readonly pipeline: PipelineStack;
  readonly api: ApiStack;
  /** The IRC worker: only where the attention oracle is enabled. */
  readonly worker: WorkerStack | undefined;
  /** The viewers' claims page (bucket and distribution; its content): only with the attention oracle. */
  readonly claimsPage: ClaimsPageStack | undefined;
  readonly claimsPageContent: ClaimsPageContentStack | undefined;
  readonly stacks: readonly Stack[];
}

/** Names a template synthesized from example values carries (the deployment check reads them). */
export const EXAMPLE_MARK = {
  parameter: 'ConfigurationSource',
  rule: 'ExampleConfigurationIsNotDeployable',
  metadata: 'EngagementOracle::Configuration',
} as const;

function contextString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function buildDeployment(app: App, options: { functions?: readonly FunctionSpec[] } = {}): Deployment {
  const stage = stageConfig(app.node.tryGetContext('stage'));
  const settings = loadStageSettings(contextString(app, 'config') ?? stageFile(stage.name));
  const prefix = `EngagementOracle-${stage.name}`;
  const alarmEmail = contextString(app, 'alarmEmail');
  const alarmSms = contextString(app, 'alarmSms');
  const alarmHttpsUrl = contextString(app, 'alarmHttpsUrl');

  // The delivery engine's ORACLE_ALERT_CUTOFF (lib/systems.ts checked it): the alarm pages at the same count.
  const alertCutoff = settings.values['ORACLE_ALERT_CUTOFF'];
  const monitoring = new MonitoringStack(app, `${prefix}-Monitoring`, {
    stage,
    systems: settings.enabled,
    ...(alertCutoff === undefined ? {} : { oracleAlertCutoff: Number(alertCutoff) }),
    description: 'Engagement Oracle: admin alarm topic, business alarms, dashboard',
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    ...(alarmSms === undefined ? {} : { alarmSms }),
    ...(alarmHttpsUrl === undefined ? {} : { alarmHttpsUrl }),
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
    settings,
    description: 'Engagement Oracle: schedules, work queues and their consumers',
    ...functions,
  });
  // The page's hosting comes before the API (which allows its origin for CORS), the page's
  // content after it (config.json names the API).
  const attention = settings.enabled.has('attention');
  const solana = attention ? claimsPageSolana(settings) : undefined;
  const claimsPage =
    solana === undefined
      ? undefined
      : new ClaimsPageStack(app, `${prefix}-ClaimsPage`, {
          stage,
          solanaRpcUrl: solana.rpcUrl,
          description: "Engagement Oracle: the viewers' claims page (S3 behind CloudFront)",
        });
  const api = new ApiStack(app, `${prefix}-Api`, {
    stage,
    data,
    pipeline,
    alarmTopic: monitoring.topic,
    settings,
    description: 'Engagement Oracle: HTTP API and WebSocket price stream',
    ...(claimsPage === undefined
      ? {}
      : {
          browserOrigins: [claimsPage.pageOrigin, ...claimsPageExtraOrigins(settings)],
          pageUrl: `${claimsPage.pageOrigin}/`,
        }),
    ...functions,
  });
  const claimsPageContent =
    claimsPage === undefined || solana === undefined
      ? undefined
      : new ClaimsPageContentStack(app, `${prefix}-ClaimsPageContent`, {
          stage,
          site: claimsPage,
          apiUrl: api.httpApi.apiEndpoint,
          solana,
          description: "Engagement Oracle: the claims page's files and config.json",
        });
  const ingestQueue = pipeline.queues.ingest;
  const worker =
    settings.enabled.has('attention') && ingestQueue !== undefined
      ? new WorkerStack(app, `${prefix}-Worker`, {
          stage,
          data,
          ingestQueue,
          alarmTopic: monitoring.topic,
          settings,
          description: 'Engagement Oracle: the IRC worker on Fargate',
        })
      : undefined;
  const stacks = [
    monitoring,
    data,
    pipeline,
    ...(claimsPage === undefined ? [] : [claimsPage]),
    api,
    ...(worker === undefined ? [] : [worker]),
    ...(claimsPageContent === undefined ? [] : [claimsPageContent]),
  ];
  for (const stack of stacks) markConfiguration(stack, settings);
  const deployment = {
    stage,
    settings,
    monitoring,
    data,
    pipeline,
    api,
    worker,
    claimsPage,
    claimsPageContent,
    stacks,
  };
  acknowledgeFindings(deployment);
  return deployment;
}

/**
 * Every template names the file it was synthesized from. Example values must never reach AWS:
 * CloudFormation evaluates a template's rules before it creates or changes anything, and the rule
 * of an example synth can never hold (its parameter allows only `example`), so a changeset of it
 * is refused with the reason below.
 */
function markConfiguration(stack: Stack, settings: StageSettings): void {
  const file = settings.file;
  stack.templateOptions.metadata = {
    ...stack.templateOptions.metadata,
    [EXAMPLE_MARK.metadata]: { file, example: settings.example },
  };
  if (!settings.example) return;
  const source = new CfnParameter(stack, EXAMPLE_MARK.parameter, {
    type: 'String',
    default: 'example',
    allowedValues: ['example'],
    description: `Synthesized from ${file}: example values for an offline synth, not a deployment`,
  });
  new CfnRule(stack, EXAMPLE_MARK.rule, {
    assertions: [
      {
        assert: Fn.conditionNot(Fn.conditionEquals(source.valueAsString, 'example')),
        assertDescription: `This template was synthesized from ${file}, which holds example values for an offline synth only. Synthesize for a stage instead: cdk deploy -c stage=dev|prod reads lib/stages/<stage>.json.`,
      },
    ],
  });
}

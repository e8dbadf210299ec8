import { Duration, IgnoreMode, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '../../layers/shared/src/metric-names.ts';
import { AlarmSet, RUNBOOK } from '../constructs/alarm-set.ts';
import type { WorkQueue } from '../constructs/work-queue.ts';
import { QUEUE_ENV, SECRET_ENV, settingsEnvironment } from '../function-wiring.ts';
import { type DatabaseRole, REPO_ROOT } from '../functions.ts';
import { acknowledge, NAG } from '../nag.ts';
import type { StageConfig } from '../stage.ts';
import type { StageSettings } from '../stage-config.ts';
import type { DataStack } from './data-stack.ts';

/** The IRC worker reads the tracked channels, nothing else. */
export const WORKER_DATABASE_ROLE: DatabaseRole = 'oracle_attention_reader';

export const WORKER_DOCKERFILE = 'functions/worker/irc/Dockerfile';
/** What the image's CMD runs. */
export const WORKER_ENTRY = 'functions/worker/irc/index.ts';

/**
 * Kept out of the image build context: only package files, the shared layer, the worker and the
 * platform it runs on (functions/platform.ts, the configuration check it re-exports and its lazy
 * ports) go in.
 */
export const WORKER_IMAGE_EXCLUDE = [
  '*',
  '!package.json',
  '!package-lock.json',
  '!tsconfig.json',
  '!layers/**',
  '!functions/worker/**',
  '!functions/platform.ts',
  '!functions/required-config.ts',
  '!functions/lazy-ports.ts',
  '!drizzle/schema/**',
  '**/node_modules',
  '**/*.test.ts',
];

export interface WorkerStackProps extends StackProps {
  readonly stage: StageConfig;
  readonly data: DataStack;
  readonly ingestQueue: WorkQueue;
  readonly alarmTopic: sns.ITopic;
  readonly settings: StageSettings;
}

/** The worker's settings (lib/systems.ts): where Twitch IRC is. */
export const WORKER_SETTINGS = ['TWITCH_IRC_HOST', 'TWITCH_IRC_PORT', 'TWITCH_IRC_TLS'] as const;

/** The IRC worker: one long-lived Fargate task holding the Twitch IRC connection. */
export class WorkerStack extends Stack {
  readonly cluster: ecs.Cluster;
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;

  constructor(scope: Construct, id: string, props: WorkerStackProps) {
    super(scope, id, props);
    const { stage, data } = props;
    const alarms = new AlarmSet(this, 'Alarms', { topic: props.alarmTopic });

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: data.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'IrcWorkerTask', {
      cpu: stage.workerCpu,
      memoryLimitMiB: stage.workerMemoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    const logGroup = new logs.LogGroup(this, 'IrcWorkerLogs', {
      retention: stage.logRetention,
      removalPolicy: stage.removalPolicy,
    });
    this.taskDefinition.addContainer('IrcWorker', {
      image: ecs.ContainerImage.fromAsset(REPO_ROOT, {
        file: WORKER_DOCKERFILE,
        platform: Platform.LINUX_ARM64,
        ignoreMode: IgnoreMode.DOCKER,
        exclude: WORKER_IMAGE_EXCLUDE,
      }),
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'irc-worker' }),
      // SIGTERM flushes the 30 s buffer before exit; give it time.
      stopTimeout: Duration.seconds(60),
      environment: {
        STAGE: stage.name,
        ORACLE_MODE: 'production',
        LOG_LEVEL: stage.logLevel,
        POWERTOOLS_SERVICE_NAME: METRICS_SERVICE,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        NODE_ENV: 'production',
        [QUEUE_ENV.ingest]: props.ingestQueue.queue.queueUrl,
        DB_HOST: data.database.proxyEndpoint,
        DB_PORT: data.database.port,
        DB_NAME: data.database.name,
        // Its only query reads the tracked channels of the attention schema.
        DB_USER: WORKER_DATABASE_ROLE,
        // The worker's only query (the tracked channels) is a short read.
        DATABASE_STATEMENT_TIMEOUT_MS: '30000',
        [SECRET_ENV.twitch]: data.secrets.twitch.secretArn,
        ...settingsEnvironment('IrcWorker', 'attention', WORKER_SETTINGS, props.settings),
      },
    });
    acknowledge(
      this.taskDefinition,
      'AwsSolutions-ECS2',
      'The environment holds only non-secret configuration (queue URL, proxy host, secret ARNs); secret values are read from Secrets Manager at start.',
    );
    props.ingestQueue.grantSend(this.taskDefinition.taskRole);
    data.database.grantConnect(this.taskDefinition.taskRole, WORKER_DATABASE_ROLE);
    data.secrets.twitch.grantRead(this.taskDefinition.taskRole);

    this.service = new ecs.FargateService(this, 'IrcWorkerService', {
      cluster: this.cluster as ecs.ICluster,
      taskDefinition: this.taskDefinition,
      desiredCount: 1,
      // Overlap over a gap: during a deployment two tasks may both read chat for a moment; event ids
      // make the duplicates no-ops, while a gap would lose events for good.
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [data.database.clientSecurityGroup],
      assignPublicIp: false,
    });

    const executionRole = this.taskDefinition.executionRole;
    if (executionRole !== undefined) {
      acknowledge(
        executionRole,
        NAG.wildcardResource,
        'ecr:GetAuthorizationToken, needed to pull the worker image, supports no resource scoping.',
      );
    }

    new cloudwatch.Alarm(alarms, 'IrcWorkerNotRunning', {
      metric: new cloudwatch.Metric({
        namespace: 'ECS/ContainerInsights',
        metricName: 'RunningTaskCount',
        dimensionsMap: { ClusterName: this.cluster.clusterName, ServiceName: this.service.serviceName },
        statistic: cloudwatch.Stats.MINIMUM,
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      alarmDescription: `The IRC worker has had no running task for 10 min. Runbook: ${RUNBOOK}#irc-worker-down`,
    });
  }
}

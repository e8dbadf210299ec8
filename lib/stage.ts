import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

export type StageName = 'dev' | 'prod';

/** Everything that differs between a development and a production deployment. */
export interface StageConfig {
  readonly name: StageName;
  /** Retention of every Lambda, container, flow and access log group. */
  readonly logRetention: RetentionDays;
  /** What happens to stateful resources (tables, secrets, log groups) when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /** Aurora's removal policy: a final snapshot in production. */
  readonly databaseRemovalPolicy: RemovalPolicy;
  readonly deletionProtection: boolean;
  /** Aurora Serverless v2 capacity, in ACUs (0 lets a dev cluster pause when idle). */
  readonly auroraMinCapacity: number;
  readonly auroraMaxCapacity: number;
  /** Serverless v2 readers beside the writer. */
  readonly auroraReaders: number;
  readonly backupRetention: Duration;
  readonly natGateways: number;
  /** Reserved concurrency is applied only where the account has headroom for it. */
  readonly applyReservedConcurrency: boolean;
  /** Stage-wide HTTP API throttle (requests per second, burst). */
  readonly apiRateLimit: number;
  readonly apiBurstLimit: number;
  /** The IRC worker task size. */
  readonly workerCpu: number;
  readonly workerMemoryMiB: number;
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

const STAGES: Record<StageName, StageConfig> = {
  dev: {
    name: 'dev',
    logRetention: RetentionDays.ONE_WEEK,
    removalPolicy: RemovalPolicy.DESTROY,
    databaseRemovalPolicy: RemovalPolicy.DESTROY,
    deletionProtection: false,
    auroraMinCapacity: 0,
    auroraMaxCapacity: 2,
    auroraReaders: 0,
    backupRetention: Duration.days(1),
    natGateways: 1,
    applyReservedConcurrency: false,
    apiRateLimit: 50,
    apiBurstLimit: 100,
    workerCpu: 256,
    workerMemoryMiB: 512,
    logLevel: 'DEBUG',
  },
  prod: {
    name: 'prod',
    logRetention: RetentionDays.THREE_MONTHS,
    removalPolicy: RemovalPolicy.RETAIN,
    databaseRemovalPolicy: RemovalPolicy.SNAPSHOT,
    deletionProtection: true,
    auroraMinCapacity: 0.5,
    auroraMaxCapacity: 16,
    auroraReaders: 1,
    backupRetention: Duration.days(14),
    natGateways: 2,
    applyReservedConcurrency: true,
    apiRateLimit: 500,
    apiBurstLimit: 1000,
    workerCpu: 512,
    workerMemoryMiB: 1024,
    logLevel: 'INFO',
  },
};

/** Reads the `stage` context (`-c stage=dev|prod`); anything else fails synthesis with the allowed names. */
export function stageConfig(stage: unknown): StageConfig {
  const name = stage === undefined ? 'dev' : stage;
  if (name !== 'dev' && name !== 'prod') {
    throw new Error(`context "stage" must be one of dev, prod; got ${JSON.stringify(stage)}`);
  }
  return STAGES[name];
}

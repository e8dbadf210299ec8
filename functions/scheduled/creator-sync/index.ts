/**
 * The hourly creator metrics sync, invoked by EventBridge Scheduler. Calls go through the
 * oracle call delivery engine (the `oracle-calls` queue); reads of the creator contracts go
 * straight to EVM_RPC_URL. A run that could not finish everything is recorded as `partial` in
 * oracle_sync_logs and then thrown, so the schedule's retry policy and DLQ see it.
 */
import { creatorThresholds } from '../../../layers/shared/src/config.ts';
import { ConfigError, DependencyError } from '../../../layers/shared/src/errors.ts';
import { powertoolsTelemetry } from '../../../layers/shared/src/observability.ts';
import { deliveryEngineGateway } from '../../../layers/shared/src/services/creator/creator-oracle-calls.ts';
import {
  type CreatorSyncDeps,
  type CreatorSyncReport,
  runCreatorSync,
} from '../../../layers/shared/src/services/creator/creator-sync.ts';
import { coinPriceSource, creatorContracts } from '../../creator-dependencies.ts';
import { enqueueDependencies } from '../../delivery.ts';
import { type PlatformOf, scheduled } from '../../handlers.ts';

const REQUIRED = [
  'DATABASE_URL',
  'EVM_RPC_URL',
  'EVM_CHAIN_ID',
  'EVM_SIGNER_ADDRESS',
  'ORACLE_CALLS_QUEUE_URL',
  'CREATOR_METRICS_MANAGER_ADDRESS',
  'CREATOR_TOKEN_FACTORY_ADDRESS',
] as const;

export async function creatorSyncDependencies(
  platform: PlatformOf<(typeof REQUIRED)[number]>,
): Promise<CreatorSyncDeps> {
  const settings = platform.config;
  const contracts = creatorContracts(settings);
  const enqueue = await enqueueDependencies(platform);
  return {
    sql: enqueue.sql,
    calls: deliveryEngineGateway(enqueue),
    contracts,
    config: {
      chainId: contracts.chainId,
      metricsManagerAddress: contracts.metricsManagerAddress,
      tokenFactoryAddress: contracts.tokenFactoryAddress,
      ...creatorThresholds(settings),
      revenueSharingMinAttoFilPerMonth: settings.REVENUE_SHARING_MIN_FIL,
    },
    prices: coinPriceSource(enqueue.sql, platform.market),
    metrics: { record: (name, value, unit) => powertoolsTelemetry.metric(name, unit, value) },
    telemetry: powertoolsTelemetry,
    events: platform.eventBus(),
  };
}

export async function handle(
  _event: unknown,
  deps: CreatorSyncDeps,
): Promise<Omit<CreatorSyncReport, 'health'> & { level: string }> {
  const { health, ...report } = await runCreatorSync(deps);
  if (report.status !== 'success') {
    throw new DependencyError(`creator sync run ${report.runId} was partial: ${report.errors.join('; ')}`);
  }
  return { ...report, level: health.level };
}

export const handler = scheduled(creatorSyncDependencies, handle, {
  require: [...REQUIRED],
  // The contracts are this function's reason to exist: without them it fails its cold start in
  // every mode (deployed contracts in production, the reference contracts locally).
  check: (settings) => {
    for (const name of ['CREATOR_METRICS_MANAGER_ADDRESS', 'CREATOR_TOKEN_FACTORY_ADDRESS'] as const) {
      if (settings[name] === undefined) throw new ConfigError(`${name}: required, but not set`);
    }
  },
});

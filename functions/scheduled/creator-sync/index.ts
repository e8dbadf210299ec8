/**
 * The hourly creator metrics sync, invoked by EventBridge Scheduler. Calls go through the
 * oracle call delivery engine (the `oracle-calls` queue); reads of the creator contracts go
 * straight to EVM_RPC_URL. A run that could not finish everything is recorded as `partial` in
 * oracle_sync_logs and then thrown, so the schedule's retry policy and DLQ see it.
 */
import { EthersCreatorContracts } from '../../../layers/shared/src/adapters/evm/creator-contracts.ts';
import { evmProvider } from '../../../layers/shared/src/adapters/evm/ethers-evm-chain.ts';
import { loadConfig } from '../../../layers/shared/src/config.ts';
import { ConfigError, DependencyError } from '../../../layers/shared/src/errors.ts';
import { flushMetrics, logger, MetricUnit, metrics } from '../../../layers/shared/src/observability.ts';
import { deliveryEngineGateway } from '../../../layers/shared/src/services/creator-oracle-calls.ts';
import {
  type CreatorSyncDeps,
  type CreatorSyncReport,
  runCreatorSync,
} from '../../../layers/shared/src/services/creator-sync.ts';
import { enqueueDependencies } from '../../delivery.ts';
import { eventBus } from '../../dependencies.ts';

const settings = loadConfig(process.env, {
  require: [
    'DATABASE_URL',
    'EVM_RPC_URL',
    'EVM_CHAIN_ID',
    'EVM_SIGNER_ADDRESS',
    'ORACLE_CALLS_QUEUE_URL',
    'CREATOR_METRICS_MANAGER_ADDRESS',
    'CREATOR_TOKEN_FACTORY_ADDRESS',
  ],
});
// The contracts are this function's reason to exist: without them it fails its cold start in
// every mode (deployed contracts in production, the reference contracts locally).
for (const name of ['CREATOR_METRICS_MANAGER_ADDRESS', 'CREATOR_TOKEN_FACTORY_ADDRESS'] as const) {
  if (settings[name] === undefined) throw new ConfigError(`${name}: required, but not set`);
}

let deps: Promise<CreatorSyncDeps> | undefined;

function syncDeps(): Promise<CreatorSyncDeps> {
  deps ??= (async (): Promise<CreatorSyncDeps> => {
    const chainId = settings.EVM_CHAIN_ID;
    const rpcUrl = settings.EVM_RPC_URL;
    const metricsManagerAddress = settings.CREATOR_METRICS_MANAGER_ADDRESS;
    const tokenFactoryAddress = settings.CREATOR_TOKEN_FACTORY_ADDRESS;
    if (
      chainId === undefined ||
      rpcUrl === undefined ||
      metricsManagerAddress === undefined ||
      tokenFactoryAddress === undefined
    )
      throw new ConfigError(
        'EVM_CHAIN_ID, EVM_RPC_URL, CREATOR_METRICS_MANAGER_ADDRESS and CREATOR_TOKEN_FACTORY_ADDRESS are required',
      );
    const enqueue = await enqueueDependencies();
    return {
      sql: enqueue.sql,
      calls: deliveryEngineGateway(enqueue),
      contracts: new EthersCreatorContracts(
        evmProvider(rpcUrl, chainId, { local: settings.ORACLE_MODE === 'local' }),
        chainId,
        metricsManagerAddress,
        tokenFactoryAddress,
      ),
      config: { chainId, metricsManagerAddress, tokenFactoryAddress },
      metrics: {
        record: (name, value, unit) =>
          metrics.addMetric(
            name,
            unit === 'Percent'
              ? MetricUnit.Percent
              : unit === 'Seconds'
                ? MetricUnit.Seconds
                : MetricUnit.Count,
            value,
          ),
      },
      log: {
        info: (message, data) => logger.info(message, data ?? {}),
        warn: (message, data) => logger.warn(message, data ?? {}),
      },
      events: eventBus(),
    };
  })();
  deps.catch(() => {
    deps = undefined;
  });
  return deps;
}

export async function handler(): Promise<Omit<CreatorSyncReport, 'health'> & { level: string }> {
  try {
    const { health, ...report } = await runCreatorSync(await syncDeps());
    if (report.status !== 'success') {
      throw new DependencyError(`creator sync run ${report.runId} was partial: ${report.errors.join('; ')}`);
    }
    return { ...report, level: health.level };
  } finally {
    flushMetrics();
  }
}

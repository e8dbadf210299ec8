/**
 * The oracle call delivery engine as the entry points use it, built once per container from
 * the configuration: the database, the oracle-calls queue and its DLQ, the chain at
 * EVM_RPC_URL, the signer key from EVM_SIGNER_SECRET_ARN, the admin alert topic. The adapters
 * (ethers, the SNS client) load as the dependencies are built, not with the module.
 */
import { oracleCallMaxAttempts } from '../layers/shared/src/config.ts';
import { confirmationDepth } from '../layers/shared/src/core/delivery/confirmation-depth.ts';
import { ConfigError } from '../layers/shared/src/errors.ts';
import { METRIC } from '../layers/shared/src/metric-names.ts';
import { logger, MetricUnit, metrics, powertoolsTelemetry } from '../layers/shared/src/observability.ts';
import type { AlertSink } from '../layers/shared/src/ports/alert-sink.ts';
import type { WorkQueue } from '../layers/shared/src/ports/work-queue.ts';
import { AdminAlertService, LoggingAlertSink } from '../layers/shared/src/services/delivery/admin-alerts.ts';
import { CircuitBreakers } from '../layers/shared/src/services/delivery/circuit-breakers.ts';
import {
  DEFAULT_DELIVERY_OPTIONS,
  type DeliveryDeps,
  type DeliveryMetrics,
} from '../layers/shared/src/services/delivery/engine.ts';
import type { EnqueueDeps } from '../layers/shared/src/services/delivery/enqueue-oracle-call.ts';
import { jsonRpcPing } from '../layers/shared/src/services/platform/health.ts';
import type { PlatformOf } from './handler-entry.ts';
import type { Platform } from './platform.ts';

export const deliveryMetrics: DeliveryMetrics = {
  callSucceeded: (count) => metrics.addMetric('OracleCallsSucceeded', MetricUnit.Count, count),
  callFailed: (count) => metrics.addMetric(METRIC.oracleFailedTransactions, MetricUnit.Count, count),
  attemptFailed: () => metrics.addMetric('OracleAttemptsFailed', MetricUnit.Count, 1),
  transactionReplaced: () => metrics.addMetric('OracleTransactionsReplaced', MetricUnit.Count, 1),
};

export function oracleCallsQueue(platform: Platform): WorkQueue {
  const c = platform.config;
  return platform.queue(c.ORACLE_CALLS_QUEUE_URL, 'ORACLE_CALLS_QUEUE_URL', c.ORACLE_CALLS_DLQ_URL);
}

export async function alertSink(platform: Platform): Promise<AlertSink> {
  const c = platform.config;
  if (c.ALERT_TOPIC_ARN === undefined) return new LoggingAlertSink((line) => logger.warn(line));
  const [{ SNSClient }, { SnsAlertSink }] = await Promise.all([
    import('@aws-sdk/client-sns'),
    import('../layers/shared/src/adapters/aws/sns-alert-sink.ts'),
  ]);
  return new SnsAlertSink(
    c.ALERT_TOPIC_ARN,
    new SNSClient({
      region: c.AWS_REGION,
      ...(c.SNS_ENDPOINT === undefined
        ? {}
        : { endpoint: c.SNS_ENDPOINT, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    }),
  );
}

export async function adminAlerts(platform: Platform): Promise<AdminAlertService> {
  const { sql } = await platform.database();
  return new AdminAlertService(
    sql,
    await alertSink(platform),
    Date.now,
    { threshold: platform.config.ORACLE_ALERT_CUTOFF },
    (error) => logger.error('admin alert not published', { error: error as Error }),
  );
}

// Per platform (per container in Lambda): the breakers must remember failures across invocations.
const engines = new WeakMap<Platform, Promise<DeliveryDeps>>();

/** Without EVM_CHAIN_ID the node is asked once; a signer must know its chain before it signs. */
async function askChainId(url: string): Promise<number> {
  const result = await jsonRpcPing(url, 'eth_chainId');
  if (typeof result !== 'string') throw new ConfigError(`EVM_CHAIN_ID is not set and ${url} did not say`);
  return Number(BigInt(result));
}

export function deliveryEngine(
  platform: PlatformOf<'EVM_RPC_URL' | 'EVM_SIGNER_SECRET_ARN'>,
): Promise<DeliveryDeps> {
  let engine = engines.get(platform);
  if (engine !== undefined) return engine;
  engine = (async () => {
    const c = platform.config;
    const chainId = c.EVM_CHAIN_ID ?? (await askChainId(c.EVM_RPC_URL));
    const { sql } = await platform.database();
    const [{ privateKeyFromSecret }, { EthersEvmChain, PrivateKeySigner }] = await Promise.all([
      import('../layers/shared/src/adapters/aws/secrets-manager-store.ts'),
      import('../layers/shared/src/adapters/evm/ethers-evm-chain.ts'),
    ]);
    const key = privateKeyFromSecret(await platform.secrets.getSecret(c.EVM_SIGNER_SECRET_ARN));
    return {
      sql,
      chain: EthersEvmChain.connect(c.EVM_RPC_URL, chainId, { local: c.ORACLE_MODE === 'local' }),
      signer: new PrivateKeySigner(key),
      queue: oracleCallsQueue(platform),
      alerts: await adminAlerts(platform),
      breakers: new CircuitBreakers(Date.now, DEFAULT_DELIVERY_OPTIONS.breaker),
      now: Date.now,
      options: {
        ...DEFAULT_DELIVERY_OPTIONS,
        confirmationDepth: confirmationDepth(chainId, c.EVM_CONFIRMATION_DEPTHS),
      },
      metrics: deliveryMetrics,
      telemetry: powertoolsTelemetry,
    };
  })();
  engines.set(platform, engine);
  engine.catch(() => engines.delete(platform));
  return engine;
}

/**
 * What callers that only enqueue need: the database, the queue, the signer's address (the
 * FIFO message group) and the chain id; no chain connection and no signing key, so the
 * functions that enqueue are never granted the key (EVM_SIGNER_ADDRESS names the signer).
 * The chain id is EVM_CHAIN_ID, or asked of EVM_RPC_URL where a function has only that.
 */
export async function enqueueDependencies(platform: PlatformOf<'EVM_SIGNER_ADDRESS'>): Promise<EnqueueDeps> {
  const c = platform.config;
  let chainId = c.EVM_CHAIN_ID;
  if (chainId === undefined) {
    if (c.EVM_RPC_URL === undefined)
      throw new ConfigError('EVM_CHAIN_ID (or EVM_RPC_URL to ask) is required');
    chainId = await askChainId(c.EVM_RPC_URL);
  }
  const { sql } = await platform.database();
  const { EthersCallEncoder } = await import('../layers/shared/src/adapters/evm/ethers-evm-chain.ts');
  return {
    sql,
    queue: oracleCallsQueue(platform),
    encoder: new EthersCallEncoder(),
    chainId,
    signerAddress: c.EVM_SIGNER_ADDRESS,
    now: Date.now,
    maxAttempts: oracleCallMaxAttempts(c),
  };
}

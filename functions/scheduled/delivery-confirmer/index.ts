/**
 * The delivery confirmer, every minute: completes calls whose nonce was mined, replaces stuck
 * transactions, sends due retries; then reports success rate, failed transactions and the
 * highest consecutive failure count (the alarms' metrics).
 */
import { METRIC } from '../../../layers/shared/src/metric-names.ts';
import { logger, MetricUnit, metrics } from '../../../layers/shared/src/observability.ts';
import {
  type ConfirmReport,
  confirmDeliveries,
} from '../../../layers/shared/src/services/delivery/confirm-deliveries.ts';
import { deliveryHealth } from '../../../layers/shared/src/services/delivery/delivery-health.ts';
import type { DeliveryDeps } from '../../../layers/shared/src/services/delivery/engine.ts';
import { deliveryEngine } from '../../delivery.ts';
import { scheduled } from '../../handlers.ts';

export async function handle(
  _event: unknown,
  deps: DeliveryDeps,
): Promise<ConfirmReport & { successRate: number; level: string }> {
  const report = await confirmDeliveries(deps);
  const health = await deliveryHealth(deps.sql, new Date(Date.now() - 3_600_000));
  const worst = (await deps.alerts.getActiveFailures())[0]?.consecutiveFailures ?? 0;
  metrics.addMetric(METRIC.oracleCallSuccessRate, MetricUnit.Percent, health.successRate);
  metrics.addMetric(METRIC.oracleConsecutiveFailures, MetricUnit.Count, worst);
  if (health.level !== 'ok') logger.warn('oracle call success rate low', { ...health });
  logger.info('delivery confirmer ran', { ...report });
  return { ...report, successRate: health.successRate, level: health.level };
}

export const handler = scheduled(deliveryEngine, handle, {
  require: ['DATABASE_URL', 'EVM_RPC_URL', 'EVM_SIGNER_SECRET_ARN', 'ORACLE_CALLS_QUEUE_URL'],
});

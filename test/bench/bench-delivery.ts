/** The delivery engine as the benchmarks run it: real chain, queue and database; alerts, metrics and logs silent. */
import type { SqsWorkQueue } from '../../layers/shared/src/adapters/aws/sqs-work-queue.ts';
import type { Sql } from '../../layers/shared/src/adapters/db/client.ts';
import { PrivateKeySigner } from '../../layers/shared/src/adapters/evm/ethers-evm-chain.ts';
import type { EvmChain } from '../../layers/shared/src/ports/evm-chain.ts';
import { SILENT_TELEMETRY } from '../../layers/shared/src/ports/telemetry.ts';
import {
  AdminAlertService,
  LoggingAlertSink,
} from '../../layers/shared/src/services/delivery/admin-alerts.ts';
import { CircuitBreakers } from '../../layers/shared/src/services/delivery/circuit-breakers.ts';
import {
  DEFAULT_DELIVERY_OPTIONS,
  type DeliveryDeps,
  NO_METRICS,
} from '../../layers/shared/src/services/delivery/engine.ts';

export function benchDeliveryDeps(input: {
  sql: Sql;
  chain: EvmChain;
  signerKey: string;
  queue: SqsWorkQueue;
}): DeliveryDeps {
  return {
    sql: input.sql,
    chain: input.chain,
    signer: new PrivateKeySigner(input.signerKey),
    queue: input.queue,
    alerts: new AdminAlertService(input.sql, new LoggingAlertSink(() => {}), Date.now),
    breakers: new CircuitBreakers(Date.now),
    now: Date.now,
    options: DEFAULT_DELIVERY_OPTIONS,
    metrics: NO_METRICS,
    telemetry: SILENT_TELEMETRY,
  };
}

/**
 * What the delivery services share: their dependencies (ports, database, clock, options) and
 * the call and attempt rows as the services see them.
 */

import type { CallStatus, SentTransaction } from '../../../../../drizzle/schema/delivery.ts';
import type { OracleCall } from '../../adapters/db/delivery/oracle-call-store.ts';
import type { TxAttempt } from '../../adapters/db/delivery/tx-attempt-store.ts';
import type { BreakerOptions } from '../../core/delivery/circuit-breaker.ts';
import type { FeePolicyOptions } from '../../core/delivery/fee-policy.ts';
import type { EvmChain, EvmSigner } from '../../ports/evm-chain.ts';
import type { Sql } from '../../ports/sql.ts';
import type { WorkQueue } from '../../ports/work-queue.ts';
import type { AdminAlertService } from './admin-alerts.ts';
import type { CircuitBreakers } from './circuit-breakers.ts';

export { toCall } from '../../adapters/db/delivery/oracle-call-store.ts';
export { toAttempt } from '../../adapters/db/delivery/tx-attempt-store.ts';
export { fromJson, iso, toDate } from '../../adapters/db/raw-values.ts';
export type { CallStatus, OracleCall, SentTransaction, TxAttempt };

export interface DeliveryOptions {
  /** A transaction not mined this long after its last send is replaced. @default 60 s */
  readonly stuckAfterMs: number;
  /** A queued call whose message got lost is sent by the confirmer after this long. @default 5 min */
  readonly queuedGraceMs: number;
  readonly feeHistoryBlocks: number;
  readonly rewardPercentile: number;
  readonly fee: FeePolicyOptions;
  /** The node's minimum price bump for a replacement, in percent. @default 10 */
  readonly nodeMinBumpPercent: bigint;
  readonly breaker: BreakerOptions;
  /**
   * Confirmer passes in a row that must find a used nonce without any receipt of ours before it
   * counts as lost (core/delivery/nonce-outcome.ts). @default 3
   */
  readonly lostNoncePasses: number;
  /**
   * Blocks that absence must also hold. @default the chain's (core/delivery/confirmation-depth.ts)
   */
  readonly confirmationDepth?: number;
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
  stuckAfterMs: 60_000,
  queuedGraceMs: 5 * 60_000,
  feeHistoryBlocks: 10,
  rewardPercentile: 50,
  fee: {},
  nodeMinBumpPercent: 10n,
  breaker: { failureThreshold: 5, coolOffMs: 30_000 },
  lostNoncePasses: 3,
};

/** Emitted beside the business metrics in layers/shared/src/metric-names.ts. */
export interface DeliveryMetrics {
  callSucceeded(count: number): void;
  /** A call failed for good (reverted, out of retries). */
  callFailed(count: number): void;
  attemptFailed(kind: string): void;
  transactionReplaced(): void;
}

export const NO_METRICS: DeliveryMetrics = {
  callSucceeded: () => {},
  callFailed: () => {},
  attemptFailed: () => {},
  transactionReplaced: () => {},
};

export interface DeliveryLog {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
}

export const SILENT_LOG: DeliveryLog = { info: () => {}, warn: () => {} };

export interface DeliveryDeps {
  readonly sql: Sql;
  readonly chain: EvmChain;
  readonly signer: EvmSigner;
  readonly queue: WorkQueue;
  readonly alerts: AdminAlertService;
  readonly breakers: CircuitBreakers;
  /** Milliseconds since the epoch; tests pass a clock they move. */
  readonly now: () => number;
  readonly options: DeliveryOptions;
  readonly metrics: DeliveryMetrics;
  readonly log: DeliveryLog;
}

/** Addresses are stored lowercase, so filters and the alert key compare as text. */
export const normalizeAddress = (address: string): string => address.toLowerCase();

/**
 * What the delivery services share: their dependencies (ports, database, clock, options) and
 * the call and attempt rows as the services see them.
 */

import type { CallStatus, SentTransaction } from '../../../../../drizzle/schema/delivery.ts';
import type { BreakerOptions } from '../../core/delivery/circuit-breaker.ts';
import type { FeePolicyOptions } from '../../core/delivery/fee-policy.ts';
import type { EvmChain, EvmSigner } from '../../ports/evm-chain.ts';
import type { Sql } from '../../ports/sql.ts';
import type { Telemetry } from '../../ports/telemetry.ts';
import type { WorkQueue } from '../../ports/work-queue.ts';
import type { AdminAlertService } from './admin-alerts.ts';
import type { CircuitBreakers } from './circuit-breakers.ts';

export type { CallStatus, SentTransaction };

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
  readonly telemetry: Telemetry;
}

export interface OracleCall {
  readonly id: number;
  readonly requestId: string;
  readonly chainId: number;
  readonly signerAddress: string;
  readonly contractAddress: string;
  readonly targetAddress: string;
  readonly seasonId: number | null;
  readonly playerAddress: string | null;
  readonly functionName: string;
  readonly parameters: unknown;
  readonly callData: string;
  readonly status: CallStatus;
  readonly generation: number;
  readonly attemptCount: number;
  readonly maxAttempts: number;
  readonly supersedeKey: string | null;
  readonly nextAttemptAt: Date | null;
  readonly transactionHash: string | null;
  readonly blockNumber: number | null;
  readonly gasUsed: number | null;
  readonly errorMessage: string | null;
  readonly errorCode: string | null;
  readonly retryReason: string | null;
  readonly notes: string | null;
  readonly createdAt: Date;
  readonly firstAttemptAt: Date | null;
  readonly lastAttemptAt: Date | null;
  readonly completedAt: Date | null;
}

export interface TxAttempt {
  readonly id: number;
  readonly callId: number;
  readonly generation: number;
  readonly nonce: number;
  readonly gasLimit: bigint;
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
  readonly txHash: string;
  readonly txHashes: readonly SentTransaction[];
  readonly rawTransaction: string;
  readonly replacements: number;
  readonly sentAt: Date;
  readonly lastSentAt: Date;
  readonly outcome: string;
  readonly minedHash: string | null;
  readonly blockNumber: number | null;
  readonly receipt: unknown;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly missingSinceBlock: number | null;
  readonly missingPasses: number;
}

type Row = Record<string, unknown>;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
/**
 * drizzle's postgres-js driver turns off postgres.js's date (de)serialisation on the shared
 * client, so raw queries pass timestamps as ISO strings and read them back as strings.
 */
export const iso = (ms: number): string => new Date(ms).toISOString();
export function toDate(v: unknown): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  const text = String(v);
  // Postgres' text form ("2026-01-01 12:00:00+00") parses once the space is a T.
  const isoLike = text.replace(/^(\d{4}-\d\d-\d\d) /, '$1T').replace(/([+-]\d\d)$/, '$1:00');
  return new Date(isoLike);
}
const date = toDate;
/** jsonb columns come back as text on the shared client (see toDate). */
export function fromJson(v: unknown): unknown {
  return typeof v === 'string' ? JSON.parse(v) : v;
}
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function toCall(r: Row): OracleCall {
  return {
    id: Number(r['id']),
    requestId: String(r['request_id']),
    chainId: Number(r['chain_id']),
    signerAddress: String(r['signer_address']),
    contractAddress: String(r['contract_address']),
    targetAddress: String(r['target_address']),
    seasonId: num(r['season_id']),
    playerAddress: str(r['player_address']),
    functionName: String(r['function_name']),
    parameters: fromJson(r['parameters']),
    callData: String(r['call_data']),
    status: r['status'] as CallStatus,
    generation: Number(r['generation']),
    attemptCount: Number(r['attempt_count']),
    maxAttempts: Number(r['max_attempts']),
    supersedeKey: str(r['supersede_key']),
    nextAttemptAt: date(r['next_attempt_at']),
    transactionHash: str(r['transaction_hash']),
    blockNumber: num(r['block_number']),
    gasUsed: num(r['gas_used']),
    errorMessage: str(r['error_message']),
    errorCode: str(r['error_code']),
    retryReason: str(r['retry_reason']),
    notes: str(r['notes']),
    createdAt: toDate(r['created_at']) ?? new Date(0),
    firstAttemptAt: date(r['first_attempt_at']),
    lastAttemptAt: date(r['last_attempt_at']),
    completedAt: date(r['completed_at']),
  };
}

export function toAttempt(r: Row): TxAttempt {
  return {
    id: Number(r['id']),
    callId: Number(r['call_id']),
    generation: Number(r['generation']),
    nonce: Number(r['nonce']),
    gasLimit: BigInt(String(r['gas_limit'])),
    maxFeePerGas: BigInt(String(r['max_fee_per_gas'])),
    maxPriorityFeePerGas: BigInt(String(r['max_priority_fee_per_gas'])),
    txHash: String(r['tx_hash']),
    txHashes: fromJson(r['tx_hashes']) as SentTransaction[],
    rawTransaction: String(r['raw_transaction']),
    replacements: Number(r['replacements']),
    sentAt: toDate(r['sent_at']) ?? new Date(0),
    lastSentAt: toDate(r['last_sent_at']) ?? new Date(0),
    outcome: String(r['outcome']),
    minedHash: str(r['mined_hash']),
    blockNumber: num(r['block_number']),
    receipt: fromJson(r['receipt']),
    errorCode: str(r['error_code']),
    errorMessage: str(r['error_message']),
    missingSinceBlock: num(r['missing_since_block']),
    missingPasses: Number(r['missing_passes'] ?? 0),
  };
}

/** Addresses are stored lowercase, so filters and the alert key compare as text. */
export const normalizeAddress = (address: string): string => address.toLowerCase();

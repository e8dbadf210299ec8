/**
 * Oracle call delivery (Postgres schema `delivery`, DESIGN.md section 5). One row per call in
 * `oracle_call_history` (the source's table, generalised from FPMM calls to any contract), one
 * row per nonce a call took in `oracle_tx_attempts` (its replacements and a nonce fill are part
 * of the same row), the next nonce per signer, and the admin alert state per target address.
 * Row-level security is enabled in the custom migration `delivery_rls`.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  check,
  index,
  integer,
  jsonb,
  numeric,
  pgSchema,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { CallStatus } from '../../layers/shared/src/core/delivery/call-status.ts';
import { i64, tstz } from './columns.ts';

export const delivery = pgSchema('delivery');

const wei = (name: string) => numeric(name, { precision: 78, scale: 0 });

export { CALL_STATUSES, type CallStatus } from '../../layers/shared/src/core/delivery/call-status.ts';

export const oracleCallHistory = delivery.table(
  'oracle_call_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** The caller's id for the request: a second enqueue with it returns the first call. */
    requestId: text('request_id').notNull(),
    chainId: integer('chain_id').notNull(),
    signerAddress: text('signer_address').notNull(),
    contractAddress: text('contract_address').notNull(),
    /** The alert key: the FPMM address for FPMM calls, else the address the call is about. */
    targetAddress: text('target_address').notNull(),
    seasonId: i64('season_id'),
    playerAddress: text('player_address'),
    functionName: text('function_name').notNull(),
    parameters: jsonb('parameters').notNull(),
    callData: text('call_data').notNull(),
    status: text('status').$type<CallStatus>().notNull().default('queued'),
    /** Raised each time an operator reopens a failed call; attempts count per generation. */
    generation: integer('generation').notNull().default(1),
    attemptCount: integer('attempt_count').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(6),
    supersedeKey: text('supersede_key'),
    nextAttemptAt: tstz('next_attempt_at'),
    transactionHash: text('transaction_hash'),
    blockNumber: i64('block_number'),
    gasUsed: i64('gas_used'),
    errorMessage: text('error_message'),
    /** network | gas | nonce | execution | unknown */
    errorCode: text('error_code'),
    retryReason: text('retry_reason'),
    notes: text('notes'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    firstAttemptAt: tstz('first_attempt_at'),
    lastAttemptAt: tstz('last_attempt_at'),
    completedAt: tstz('completed_at'),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('oracle_call_history_request_id_key').on(t.requestId),
    index('idx_oracle_call_history_target_address').on(t.targetAddress),
    index('idx_oracle_call_history_status').on(t.status),
    index('idx_oracle_call_history_created_at').on(t.createdAt),
    index('idx_oracle_call_history_player').on(t.playerAddress).where(sql`${t.playerAddress} is not null`),
    index('idx_oracle_call_history_season').on(t.seasonId).where(sql`${t.seasonId} is not null`),
    index('idx_oracle_call_history_function').on(t.functionName),
    index('idx_oracle_call_history_failed')
      .on(t.status, t.createdAt)
      .where(sql`${t.status} in ('failed', 'retrying')`),
    index('idx_oracle_call_history_audit').on(t.targetAddress, t.functionName, t.createdAt),
    index('idx_oracle_call_history_due').on(t.nextAttemptAt).where(sql`${t.status} = 'retrying'`),
    index('idx_oracle_call_history_supersede')
      .on(t.supersedeKey, t.id)
      .where(sql`${t.supersedeKey} is not null`),
    index('idx_oracle_call_history_signer_status').on(t.chainId, t.signerAddress, t.status),
    check(
      'oracle_call_history_status_check',
      sql`${t.status} in ('queued', 'pending', 'retrying', 'success', 'failed', 'superseded', 'abandoned')`,
    ),
    check('oracle_call_history_attempts_check', sql`${t.attemptCount} >= 0 and ${t.maxAttempts} > 0`),
  ],
);

/**
 * pending: sent (or signed and about to be), waiting for the nonce to be mined; mined: one of its
 * call hashes was mined with status 1; reverted: mined with status 0; filled: the zero-value
 * self-transfer was mined; lost: another transaction took the nonce.
 */
export const ATTEMPT_OUTCOMES = ['pending', 'mined', 'reverted', 'filled', 'lost'] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** One signed transaction sent at an attempt's nonce: the first, a replacement, or the fill. */
export interface SentTransaction {
  readonly hash: string;
  readonly kind: 'call' | 'fill';
  readonly maxFeePerGas: string;
  readonly maxPriorityFeePerGas: string;
  readonly sentAt: string;
}

export const oracleTxAttempts = delivery.table(
  'oracle_tx_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    callId: i64('call_id')
      .notNull()
      .references(() => oracleCallHistory.id, { onDelete: 'cascade' }),
    generation: integer('generation').notNull(),
    chainId: integer('chain_id').notNull(),
    signerAddress: text('signer_address').notNull(),
    nonce: i64('nonce').notNull(),
    gasLimit: i64('gas_limit').notNull(),
    maxFeePerGas: wei('max_fee_per_gas').notNull(),
    maxPriorityFeePerGas: wei('max_priority_fee_per_gas').notNull(),
    /** The hash of the latest signed transaction at this nonce. */
    txHash: text('tx_hash').notNull(),
    /** Every transaction signed at this nonce, oldest first; any of them may be the one mined. */
    txHashes: jsonb('tx_hashes').$type<SentTransaction[]>().notNull(),
    /** The latest signed transaction, kept so it can be sent again after a lost send. */
    rawTransaction: text('raw_transaction').notNull(),
    replacements: integer('replacements').notNull().default(0),
    sentAt: tstz('sent_at').notNull().defaultNow(),
    lastSentAt: tstz('last_sent_at').notNull().defaultNow(),
    outcome: text('outcome').$type<AttemptOutcome>().notNull().default('pending'),
    minedHash: text('mined_hash'),
    blockNumber: i64('block_number'),
    receipt: jsonb('receipt'),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    /**
     * The chain's head block at the first confirmer pass that found this nonce used and none of
     * its transactions' receipts, and the passes in a row that found it so: the nonce counts as
     * lost only once both pass the chain's confirmation depth and the pass minimum.
     */
    missingSinceBlock: i64('missing_since_block'),
    missingPasses: integer('missing_passes').notNull().default(0),
    resolvedAt: tstz('resolved_at'),
  },
  (t) => [
    uniqueIndex('oracle_tx_attempts_signer_nonce_key').on(t.chainId, t.signerAddress, t.nonce),
    index('oracle_tx_attempts_call_idx').on(t.callId),
    index('oracle_tx_attempts_pending_idx')
      .on(t.chainId, t.signerAddress, t.nonce)
      .where(sql`${t.outcome} = 'pending'`),
    check(
      'oracle_tx_attempts_outcome_check',
      sql`${t.outcome} in ('pending', 'mined', 'reverted', 'filled', 'lost')`,
    ),
  ],
);

/** The next nonce each signer hands out; taken under a row lock together with the attempt. */
export const signerNonces = delivery.table(
  'signer_nonces',
  {
    chainId: integer('chain_id').notNull(),
    signerAddress: text('signer_address').notNull(),
    nextNonce: i64('next_nonce').notNull(),
    reconciledAt: tstz('reconciled_at'),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.chainId, t.signerAddress] })],
);

/** The source's adminAlertService state, persisted: consecutive failed attempts per address. */
export const adminAlertState = delivery.table('admin_alert_state', {
  targetAddress: text('target_address').primaryKey(),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  lastAlertAt: tstz('last_alert_at'),
  lastFailureAt: tstz('last_failure_at'),
  lastFunctionName: text('last_function_name'),
  lastError: text('last_error'),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});

/** Every alert raised, as sent to the admin topic (locally the only place it goes). */
export const adminAlerts = delivery.table(
  'admin_alerts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    targetAddress: text('target_address').notNull(),
    functionName: text('function_name'),
    consecutiveFailures: integer('consecutive_failures').notNull(),
    attemptCount: integer('attempt_count'),
    message: text('message').notNull(),
    error: text('error'),
    publishedTo: text('published_to'),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [index('admin_alerts_target_idx').on(t.targetAddress, t.createdAt)],
);

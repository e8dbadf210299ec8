/** An oracle call row (`delivery.oracle_call_history`) as the delivery services see it. */
import type { CallStatus, oracleCallHistory } from '../../../../../../drizzle/schema/delivery.ts';
import { fromJson, numOrNull, strOrNull, toDate } from '../raw-values.ts';

/**
 * A call as the delivery services see it (and the operator surface shows it): the row as drizzle
 * infers it, less the bookkeeping `updated_at`.
 */
export type OracleCall = Readonly<Omit<typeof oracleCallHistory.$inferSelect, 'updatedAt'>>;

type Row = Record<string, unknown>;

export function toCall(r: Row): OracleCall {
  return {
    id: Number(r['id']),
    requestId: String(r['request_id']),
    chainId: Number(r['chain_id']),
    signerAddress: String(r['signer_address']),
    contractAddress: String(r['contract_address']),
    targetAddress: String(r['target_address']),
    seasonId: numOrNull(r['season_id']),
    playerAddress: strOrNull(r['player_address']),
    functionName: String(r['function_name']),
    parameters: fromJson(r['parameters']),
    callData: String(r['call_data']),
    status: r['status'] as CallStatus,
    generation: Number(r['generation']),
    attemptCount: Number(r['attempt_count']),
    maxAttempts: Number(r['max_attempts']),
    supersedeKey: strOrNull(r['supersede_key']),
    nextAttemptAt: toDate(r['next_attempt_at']),
    transactionHash: strOrNull(r['transaction_hash']),
    blockNumber: numOrNull(r['block_number']),
    gasUsed: numOrNull(r['gas_used']),
    errorMessage: strOrNull(r['error_message']),
    errorCode: strOrNull(r['error_code']),
    retryReason: strOrNull(r['retry_reason']),
    notes: strOrNull(r['notes']),
    createdAt: toDate(r['created_at']) ?? new Date(0),
    firstAttemptAt: toDate(r['first_attempt_at']),
    lastAttemptAt: toDate(r['last_attempt_at']),
    completedAt: toDate(r['completed_at']),
  };
}

/**
 * The one way callers hand an on-chain write to the delivery engine: the call is recorded
 * (keyed by its request id) and a message goes to the signer's FIFO group. A request id that
 * is already known returns the existing call and sends nothing.
 */

import {
  insertCalls,
  type NewCall,
  readCallsByRequestId,
} from '../../adapters/db/delivery/oracle-call-store.ts';
import { MAX_ATTEMPTS } from '../../core/delivery/retry-schedule.ts';
import { ValidationError } from '../../errors.ts';
import type { EvmCallEncoder } from '../../ports/evm-chain.ts';
import type { Queryable, Sql } from '../../ports/sql.ts';
import type { WorkQueue } from '../../ports/work-queue.ts';
import { normalizeAddress, type OracleCall } from './engine.ts';

export interface EnqueueDeps {
  readonly sql: Sql;
  readonly queue: WorkQueue;
  readonly encoder: EvmCallEncoder;
  readonly chainId: number;
  readonly signerAddress: string;
  readonly now: () => number;
  /** Attempts each call gets unless it names its own: 1 + ORACLE_MAX_RETRIES. @default 6 */
  readonly maxAttempts?: number;
}

export interface OracleCallRequest {
  /** Idempotency key: the same request id never makes a second call. */
  readonly requestId: string;
  readonly contractAddress: string;
  /** The alert key; defaults to the contract address. */
  readonly targetAddress?: string;
  /** Human-readable, e.g. `updateRaffleProbability(uint256 seasonId, address player, uint256 probabilityBps)`. */
  readonly functionSignature: string;
  readonly args: readonly unknown[];
  /** Stored for the audit trail; defaults to the arguments. */
  readonly parameters?: Record<string, unknown>;
  readonly seasonId?: number;
  readonly playerAddress?: string;
  /** Calls with the same key replace each other: once a newer one succeeded, older ones are dropped. */
  readonly supersedeKey?: string;
  readonly maxAttempts?: number;
}

export interface OracleCallMessage {
  readonly callId: number;
  readonly requestId: string;
  readonly generation: number;
}

export interface EnqueueResult {
  readonly call: OracleCall;
  /** False when the request id was already known (nothing was sent). */
  readonly created: boolean;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  }
  return value;
}

export function oracleCallMessage(call: OracleCall): {
  body: OracleCallMessage;
  groupId: string;
  deduplicationId: string;
} {
  return {
    body: { callId: call.id, requestId: call.requestId, generation: call.generation },
    // FIFO per signer keeps each signer's calls in order (DESIGN.md section 2).
    groupId: call.signerAddress,
    deduplicationId: `${call.requestId}:g${call.generation}`.slice(0, 128),
  };
}

export async function enqueueOracleCalls(
  deps: EnqueueDeps,
  requests: readonly OracleCallRequest[],
): Promise<EnqueueResult[]> {
  const { results, fresh } = await recordOracleCalls(deps.sql, deps, requests);
  await sendOracleCallMessages(deps.queue, fresh);
  return results;
}

export interface RecordedCalls {
  readonly results: EnqueueResult[];
  /** The calls recorded now, in id order: their messages are still to be sent. */
  readonly fresh: OracleCall[];
}

/**
 * Records the calls through `sql`, which may be the caller's transaction so that its own writes
 * (an audit entry) commit with them; send `fresh` with `sendOracleCallMessages` once it has.
 */
export async function recordOracleCalls(
  sql: Queryable,
  deps: Omit<EnqueueDeps, 'sql' | 'queue'>,
  requests: readonly OracleCallRequest[],
): Promise<RecordedCalls> {
  const rows = requests.map((request) => newCall(deps, request));
  if (rows.length === 0) return { results: [], fresh: [] };
  const created = await insertCalls(sql, rows, deps.now());
  const existing = await readCallsByRequestId(
    sql,
    rows.map((r) => r.requestId).filter((id) => !created.has(id)),
  );
  const fresh = [...created.values()].sort((a, b) => a.id - b.id);
  const seen = new Set<string>();
  const results = rows.map((r) => {
    const call = created.get(r.requestId);
    // A request id twice in one batch: the second is the duplicate.
    if (call !== undefined && !seen.has(r.requestId)) {
      seen.add(r.requestId);
      return { call, created: true };
    }
    const known = call ?? existing.get(r.requestId);
    if (known === undefined) throw new Error(`call ${r.requestId} vanished while being enqueued`);
    return { call: known, created: false };
  });
  return { results, fresh };
}

/** Checks and encodes one request into the call to record; a bad request is a ValidationError. */
function newCall(deps: Omit<EnqueueDeps, 'sql' | 'queue'>, request: OracleCallRequest): NewCall {
  if (request.requestId.length === 0 || request.requestId.length > 200) {
    throw new ValidationError('requestId must be 1–200 characters');
  }
  for (const [field, value] of [
    ['contractAddress', request.contractAddress],
    ['targetAddress', request.targetAddress],
    ['playerAddress', request.playerAddress],
  ] as const) {
    if (value !== undefined && !ADDRESS.test(value))
      throw new ValidationError(`${field} is not an address: ${value}`);
  }
  let encoded: { functionName: string; data: string };
  try {
    encoded = deps.encoder.encode(request.functionSignature, request.args);
  } catch (error) {
    throw new ValidationError(`cannot encode ${request.functionSignature}: ${(error as Error).message}`);
  }
  return {
    requestId: request.requestId,
    chainId: deps.chainId,
    signerAddress: normalizeAddress(deps.signerAddress),
    contractAddress: normalizeAddress(request.contractAddress),
    targetAddress: normalizeAddress(request.targetAddress ?? request.contractAddress),
    seasonId: request.seasonId ?? null,
    playerAddress: request.playerAddress === undefined ? null : normalizeAddress(request.playerAddress),
    functionName: encoded.functionName,
    parameters: JSON.stringify(jsonSafe(request.parameters ?? { args: request.args })),
    callData: encoded.data,
    supersedeKey: request.supersedeKey ?? null,
    maxAttempts: request.maxAttempts ?? deps.maxAttempts ?? MAX_ATTEMPTS,
  };
}

/** Sends the messages of calls just recorded, to their signer's FIFO group. */
export async function sendOracleCallMessages(queue: WorkQueue, fresh: readonly OracleCall[]): Promise<void> {
  if (fresh.length === 0) return;
  const { failed } = await queue.sendBatch(fresh.map(oracleCallMessage));
  // The calls are recorded as queued; the confirmer sends ones whose message never arrived.
  if (failed > 0)
    throw new Error(`${failed} of ${fresh.length} oracle call messages were refused by the queue`);
}

export async function enqueueOracleCall(
  deps: EnqueueDeps,
  request: OracleCallRequest,
): Promise<EnqueueResult> {
  const [result] = await enqueueOracleCalls(deps, [request]);
  if (result === undefined) throw new Error('enqueue returned nothing');
  return result;
}

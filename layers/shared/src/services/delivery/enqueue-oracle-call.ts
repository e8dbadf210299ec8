/**
 * The one way callers hand an on-chain write to the delivery engine: the call is recorded
 * (keyed by its request id) and a message goes to the signer's FIFO group. A request id that
 * is already known returns the existing call and sends nothing.
 */

import { MAX_ATTEMPTS } from '../../core/delivery/retry-schedule.ts';
import { ValidationError } from '../../errors.ts';
import type { EvmCallEncoder } from '../../ports/evm-chain.ts';
import type { Queryable, Sql } from '../../ports/sql.ts';
import type { WorkQueue } from '../../ports/work-queue.ts';
import { iso, normalizeAddress, type OracleCall, toCall } from './engine.ts';

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
  const rows = requests.map((request) => {
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
      request_id: request.requestId,
      chain_id: deps.chainId,
      signer_address: normalizeAddress(deps.signerAddress),
      contract_address: normalizeAddress(request.contractAddress),
      target_address: normalizeAddress(request.targetAddress ?? request.contractAddress),
      season_id: request.seasonId ?? null,
      player_address: request.playerAddress === undefined ? null : normalizeAddress(request.playerAddress),
      function_name: encoded.functionName,
      parameters: JSON.stringify(jsonSafe(request.parameters ?? { args: request.args })),
      call_data: encoded.data,
      supersede_key: request.supersedeKey ?? null,
      max_attempts: request.maxAttempts ?? deps.maxAttempts ?? MAX_ATTEMPTS,
    };
  });
  if (rows.length === 0) return { results: [], fresh: [] };
  const now = iso(deps.now());
  const col = <K extends keyof (typeof rows)[number]>(key: K) => rows.map((r) => r[key]);
  const inserted = await sql`
    insert into delivery.oracle_call_history
      (request_id, chain_id, signer_address, contract_address, target_address, season_id, player_address,
       function_name, parameters, call_data, supersede_key, max_attempts, created_at, updated_at)
    select u.request_id, u.chain_id, u.signer_address, u.contract_address, u.target_address, u.season_id,
           u.player_address, u.function_name, u.parameters, u.call_data, u.supersede_key, u.max_attempts, ${now}::timestamptz, ${now}::timestamptz
    from unnest(
      ${col('request_id')}::text[], ${col('chain_id')}::int[], ${col('signer_address')}::text[],
      ${col('contract_address')}::text[], ${col('target_address')}::text[], ${col('season_id') as (number | null)[]}::bigint[],
      ${col('player_address')}::text[], ${col('function_name')}::text[], ${col('parameters')}::jsonb[],
      ${col('call_data')}::text[], ${col('supersede_key')}::text[], ${col('max_attempts')}::int[]
    ) with ordinality as u(request_id, chain_id, signer_address, contract_address, target_address, season_id,
      player_address, function_name, parameters, call_data, supersede_key, max_attempts, ord)
    order by u.ord
    on conflict (request_id) do nothing
    returning *`;
  const created = new Map(inserted.map((row) => [String(row['request_id']), toCall(row)]));
  const missing = rows.map((r) => r.request_id).filter((id) => !created.has(id));
  const existing = new Map<string, OracleCall>();
  if (missing.length > 0) {
    for (const row of await sql`
      select * from delivery.oracle_call_history where request_id = any(${missing}::text[])`) {
      existing.set(String(row['request_id']), toCall(row));
    }
  }
  const fresh = [...created.values()].sort((a, b) => a.id - b.id);
  const seen = new Set<string>();
  const results = rows.map((r) => {
    const call = created.get(r.request_id);
    // A request id twice in one batch: the second is the duplicate.
    if (call !== undefined && !seen.has(r.request_id)) {
      seen.add(r.request_id);
      return { call, created: true };
    }
    const known = call ?? existing.get(r.request_id);
    if (known === undefined) throw new Error(`call ${r.request_id} vanished while being enqueued`);
    return { call: known, created: false };
  });
  return { results, fresh };
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

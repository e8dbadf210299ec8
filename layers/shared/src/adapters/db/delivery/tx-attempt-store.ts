/**
 * The named queries of a transaction attempt (`delivery.oracle_tx_attempts`): the nonce a call
 * took, every transaction signed at it, and what the chain mined there.
 */
import type {
  AttemptOutcome,
  oracleTxAttempts,
  SentTransaction,
} from '../../../../../../drizzle/schema/delivery.ts';
import type { Queryable } from '../../../ports/sql.ts';
import { bounded, fromJson, iso, numOrNull, strOrNull, toDate } from '../raw-values.ts';

type AttemptRow = typeof oracleTxAttempts.$inferSelect;

/**
 * An attempt as the delivery services see it: the row as drizzle infers it, less the signer it
 * belongs to, with gas and fees as bigint (they are signed into transactions, not shown).
 */
export type TxAttempt = Readonly<
  Omit<
    AttemptRow,
    | 'chainId'
    | 'signerAddress'
    | 'resolvedAt'
    | 'gasLimit'
    | 'maxFeePerGas'
    | 'maxPriorityFeePerGas'
    | 'txHashes'
  > & {
    gasLimit: bigint;
    maxFeePerGas: bigint;
    maxPriorityFeePerGas: bigint;
    txHashes: readonly SentTransaction[];
  }
>;

type Row = Record<string, unknown>;

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
    outcome: String(r['outcome']) as AttemptOutcome,
    minedHash: strOrNull(r['mined_hash']),
    blockNumber: numOrNull(r['block_number']),
    receipt: fromJson(r['receipt']),
    errorCode: strOrNull(r['error_code']),
    errorMessage: strOrNull(r['error_message']),
    missingSinceBlock: numOrNull(r['missing_since_block']),
    missingPasses: Number(r['missing_passes'] ?? 0),
  };
}

export interface SignerKey {
  readonly chainId: number;
  readonly address: string;
}

/** The pending attempts of these calls, by call id. */
export async function pendingAttemptsOfCalls(
  q: Queryable,
  callIds: readonly number[],
): Promise<Map<number, TxAttempt>> {
  const held = new Map<number, TxAttempt>();
  if (callIds.length === 0) return held;
  for (const row of await q`
    select * from delivery.oracle_tx_attempts where call_id = any(${callIds as number[]}::bigint[]) and outcome = 'pending'`) {
    const attempt = toAttempt(row);
    held.set(attempt.callId, attempt);
  }
  return held;
}

/** A signer's pending attempts, in nonce order. */
export async function pendingAttemptsOfSigner(q: Queryable, signer: SignerKey): Promise<TxAttempt[]> {
  const rows = await q`
    select * from delivery.oracle_tx_attempts
    where chain_id = ${signer.chainId} and signer_address = ${signer.address} and outcome = 'pending'
    order by nonce`;
  return rows.map(toAttempt);
}

export async function countPendingAttempts(q: Queryable, signer: SignerKey): Promise<number> {
  const [left] = await q<{ n: number }[]>`
    select count(*)::int as n from delivery.oracle_tx_attempts
    where chain_id = ${signer.chainId} and signer_address = ${signer.address} and outcome = 'pending'`;
  return left?.n ?? 0;
}

/** One call signed at its nonce, about to be recorded. */
export interface NewAttempt {
  readonly callId: number;
  readonly generation: number;
  readonly nonce: number;
  readonly gasLimit: bigint;
  readonly hash: string;
  readonly raw: string;
  readonly sent: SentTransaction;
}

/**
 * The attempts insert, the calls update and the nonce claim as one statement. With `expected`,
 * nothing is written unless the signer's next nonce is still `expected` and every call is still
 * sendable: the optimistic path, one round trip, no transaction. Returns the attempts written.
 */
export async function recordAttempts(
  q: Queryable,
  signer: SignerKey,
  items: readonly NewAttempt[],
  fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint },
  now: number,
  expected: number | null,
): Promise<Map<number, TxAttempt>> {
  const at = iso(now);
  const callIds = items.map((i) => i.callId);
  const next = (items[items.length - 1]?.nonce ?? 0) + 1;
  const rows = await q`
    with eligible as (
      select id from delivery.oracle_call_history
      where id = any(${callIds}::bigint[]) and status in ('queued', 'retrying')
      order by id for update
    ), claimed as (
      update delivery.signer_nonces set next_nonce = ${next}, updated_at = ${at}::timestamptz
      where chain_id = ${signer.chainId} and signer_address = ${signer.address}
        and (${expected}::bigint is null or next_nonce = ${expected}::bigint)
        and (select count(*) from eligible) = ${items.length}
      returning next_nonce
    ), calls as (
      update delivery.oracle_call_history set status = 'pending', attempt_count = attempt_count + 1,
        first_attempt_at = coalesce(first_attempt_at, ${at}::timestamptz), last_attempt_at = ${at}::timestamptz,
        next_attempt_at = null, updated_at = ${at}::timestamptz
      where id = any(${callIds}::bigint[]) and exists (select 1 from claimed)
    )
    insert into delivery.oracle_tx_attempts
      (call_id, generation, chain_id, signer_address, nonce, gas_limit, max_fee_per_gas, max_priority_fee_per_gas,
       tx_hash, tx_hashes, raw_transaction, sent_at, last_sent_at)
    select u.call_id, u.generation, ${signer.chainId}, ${signer.address}, u.nonce, u.gas_limit,
           ${fees.maxFeePerGas.toString()}::numeric, ${fees.maxPriorityFeePerGas.toString()}::numeric,
           u.tx_hash, u.tx_hashes, u.raw, ${at}::timestamptz, ${at}::timestamptz
    from unnest(
      ${callIds}::bigint[], ${items.map((i) => i.generation)}::int[],
      ${items.map((i) => i.nonce)}::bigint[], ${items.map((i) => i.gasLimit.toString())}::bigint[],
      ${items.map((i) => i.hash)}::text[],
      ${items.map((i) => JSON.stringify([i.sent]))}::jsonb[],
      ${items.map((i) => i.raw)}::text[]
    ) as u(call_id, generation, nonce, gas_limit, tx_hash, tx_hashes, raw)
    where exists (select 1 from claimed)
    returning *`;
  return new Map(rows.map((row) => [Number(row['call_id']), toAttempt(row)]));
}

/** Why sending the attempt's latest transaction failed. */
export async function recordSendError(
  q: Queryable,
  id: number,
  error: { kind: string; reason: string },
): Promise<void> {
  await q`
    update delivery.oracle_tx_attempts set error_code = ${error.kind}, error_message = ${bounded(error.reason)}
    where id = ${id}`;
}

/** Another transaction took the attempt's nonce. */
export async function markAttemptLost(q: Queryable, id: number, now: number): Promise<void> {
  await q`
    update delivery.oracle_tx_attempts set outcome = 'lost', resolved_at = ${iso(now)}
    where id = ${id} and outcome = 'pending'`;
}

/** A new transaction signed at the attempt's nonce (a replacement or the fill), before it is sent. */
export async function recordResign(
  q: Queryable,
  id: number,
  signed: { hash: string; raw: string; sent: SentTransaction; gasLimit: bigint },
  fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint },
  now: number,
): Promise<void> {
  await q`
    update delivery.oracle_tx_attempts set tx_hash = ${signed.hash}, raw_transaction = ${signed.raw},
      tx_hashes = tx_hashes || ${JSON.stringify([signed.sent])}::jsonb,
      max_fee_per_gas = ${fees.maxFeePerGas.toString()}::numeric,
      max_priority_fee_per_gas = ${fees.maxPriorityFeePerGas.toString()}::numeric,
      gas_limit = ${signed.gasLimit.toString()}::bigint,
      replacements = replacements + 1, last_sent_at = ${iso(now)}
    where id = ${id}`;
}

/** The node already has the attempt's transaction: counted as sent now. */
export async function touchLastSent(q: Queryable, id: number, now: number): Promise<void> {
  await q`update delivery.oracle_tx_attempts set last_sent_at = ${iso(now)} where id = ${id}`;
}

/** Passes that found a used nonce without any receipt of ours, stored so the next pass goes on. */
export async function recordAbsences(
  q: Queryable,
  seen: readonly { id: number; sinceBlock: number; passes: number }[],
): Promise<void> {
  if (seen.length === 0) return;
  await q`
    update delivery.oracle_tx_attempts a set missing_since_block = u.since, missing_passes = u.passes
    from unnest(${seen.map((s) => s.id)}::bigint[], ${seen.map((s) => s.sinceBlock)}::bigint[],
      ${seen.map((s) => s.passes)}::int[]) as u(id, since, passes)
    where a.id = u.id`;
}

/** An absence that did not hold (the nonce is unused again): counting starts over. */
export async function clearAbsences(q: Queryable, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await q`
    update delivery.oracle_tx_attempts set missing_since_block = null, missing_passes = 0
    where id = any(${ids as number[]}::bigint[])`;
}

/** What was mined at an attempt's nonce, with the receipt as stored. */
export interface MinedAttempt {
  readonly id: number;
  readonly hash: string;
  readonly blockNumber: number | null;
  readonly receipt: Record<string, unknown> | null;
}

export async function markAttemptsMined(
  q: Queryable,
  mined: readonly MinedAttempt[],
  now: number,
): Promise<void> {
  await q`
    update delivery.oracle_tx_attempts a set outcome = 'mined', mined_hash = u.hash, block_number = u.block,
      receipt = u.receipt, resolved_at = ${iso(now)}::timestamptz
    from unnest(${mined.map((m) => m.id)}::bigint[], ${mined.map((m) => m.hash)}::text[],
      ${mined.map((m) => m.blockNumber)}::bigint[],
      ${mined.map((m) => JSON.stringify(m.receipt))}::jsonb[]) as u(id, hash, block, receipt)
    where a.id = u.id`;
}

export async function markAttemptReverted(
  q: Queryable,
  mined: MinedAttempt,
  reason: string,
  now: number,
): Promise<void> {
  await q`
    update delivery.oracle_tx_attempts set outcome = 'reverted', mined_hash = ${mined.hash},
      block_number = ${mined.blockNumber}, receipt = ${JSON.stringify(mined.receipt)}::jsonb, resolved_at = ${iso(now)},
      error_code = 'execution', error_message = ${reason}
    where id = ${mined.id}`;
}

export async function markAttemptFilled(q: Queryable, mined: MinedAttempt, now: number): Promise<void> {
  await q`
    update delivery.oracle_tx_attempts set outcome = 'filled', mined_hash = ${mined.hash},
      block_number = ${mined.blockNumber}, receipt = ${JSON.stringify(mined.receipt)}::jsonb, resolved_at = ${iso(now)}
    where id = ${mined.id}`;
}

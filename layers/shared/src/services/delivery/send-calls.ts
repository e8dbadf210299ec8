/**
 * Sending oracle calls (DESIGN.md section 5): sign, record, send, never wait for mining. A
 * nonce is taken and its attempt recorded in one database transaction, under the signer's row
 * lock, so every nonce between the chain's count and ours belongs to a recorded attempt. A call
 * keeps its nonce through retries until something is mined there; a call that fails for good
 * while holding one has it filled by a zero-value self-transfer.
 */

import type postgres from 'postgres';
import { type ClassifiedChainError, classifyChainError } from '../../core/delivery/chain-error-class.ts';
import {
  bumpFees,
  type Eip1559Fees,
  feesFromHistory,
  gasLimitFromEstimate,
} from '../../core/delivery/fee-policy.ts';
import { decideRetry } from '../../core/delivery/retry-schedule.ts';
import { CircuitOpenError } from '../../errors.ts';
import type { SignedEvmTransaction } from '../../ports/evm-chain.ts';
import type { Sql } from '../../ports/sql.ts';
import {
  type DeliveryDeps,
  iso,
  normalizeAddress,
  type OracleCall,
  type SentTransaction,
  type TxAttempt,
  toAttempt,
} from './engine.ts';

export type SendOutcome = 'sent' | 'retrying' | 'failed' | 'filling' | 'superseded' | 'circuit-open';

const FILL_GAS_LIMIT = 21_000n;

export function signerKey(deps: DeliveryDeps): string {
  return normalizeAddress(deps.signer.address);
}

function viaBreaker<T>(deps: DeliveryDeps, fn: () => Promise<T>): Promise<T> {
  return deps.breakers.run(deps.chain.endpoint, fn);
}

export async function currentFees(deps: DeliveryDeps): Promise<Eip1559Fees> {
  const history = await viaBreaker(deps, () =>
    deps.chain.feeHistory(deps.options.feeHistoryBlocks, deps.options.rewardPercentile),
  );
  return feesFromHistory(history, deps.options.fee);
}

/**
 * Brings the signer's next nonce up to the chain's pending count. Never lowers it: the nonces
 * above the chain's count belong to recorded attempts that will be sent again or filled.
 */
export async function reconcileSignerNonce(deps: DeliveryDeps): Promise<number> {
  const pending = await viaBreaker(deps, () =>
    deps.chain.getTransactionCount(deps.signer.address, 'pending'),
  );
  const now = iso(deps.now());
  const [row] = await deps.sql<{ next_nonce: bigint }[]>`
    insert into delivery.signer_nonces (chain_id, signer_address, next_nonce, reconciled_at, updated_at)
    values (${deps.chain.chainId}, ${signerKey(deps)}, ${pending}, ${now}, ${now})
    on conflict (chain_id, signer_address) do update set
      next_nonce = greatest(delivery.signer_nonces.next_nonce, excluded.next_nonce),
      reconciled_at = excluded.reconciled_at,
      updated_at = excluded.updated_at
    returning next_nonce`;
  return Number(row?.next_nonce ?? pending);
}

const reconciled = new WeakMap<DeliveryDeps, Promise<number>>();

/** Reconciles once per process (per engine), on the first send. */
export function ensureReconciled(deps: DeliveryDeps): Promise<number> {
  let done = reconciled.get(deps);
  if (done === undefined) {
    done = reconcileSignerNonce(deps);
    done.catch(() => reconciled.delete(deps));
    reconciled.set(deps, done);
  }
  return done;
}

function sent(
  signed: SignedEvmTransaction,
  kind: 'call' | 'fill',
  fees: Eip1559Fees,
  at: string,
): SentTransaction {
  return {
    hash: signed.hash,
    kind,
    maxFeePerGas: fees.maxFeePerGas.toString(),
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString(),
    sentAt: at,
  };
}

/** Sends calls that are due: new ones take a nonce, ones holding a nonce are sent again at it. */
export async function sendCalls(
  deps: DeliveryDeps,
  calls: readonly OracleCall[],
): Promise<Map<number, SendOutcome>> {
  const out = new Map<number, SendOutcome>();
  if (calls.length === 0) return out;
  try {
    await ensureReconciled(deps);
  } catch (error) {
    // No nonce can be handed out before the signer is reconciled with the chain.
    for (const call of calls) await failBeforeNonce(deps, call, error, out);
    return out;
  }
  const supersededBy = new Map<number, number>();
  const keyed = calls.filter((c) => c.supersedeKey !== null).map((c) => c.id);
  if (keyed.length > 0) {
    for (const row of await deps.sql<{ id: bigint; by: bigint }[]>`
    select c.id, n.id as by from delivery.oracle_call_history c
    join lateral (
      select id from delivery.oracle_call_history n
      where n.supersede_key = c.supersede_key and n.id > c.id and n.status = 'success'
      order by n.id desc limit 1
    ) n on true
    where c.id = any(${keyed}::bigint[])`) {
      supersededBy.set(Number(row.id), Number(row.by));
    }
  }
  const held = new Map<number, TxAttempt>();
  // A queued call is new or reopened after failing, so it holds no nonce; only retries may.
  const retrying = calls.filter((c) => c.status !== 'queued').map((c) => c.id);
  if (retrying.length > 0) {
    for (const row of await deps.sql`
      select * from delivery.oracle_tx_attempts where call_id = any(${retrying}::bigint[]) and outcome = 'pending'`) {
      const attempt = toAttempt(row);
      held.set(attempt.callId, attempt);
    }
  }
  const fresh: OracleCall[] = [];
  const work: Promise<void>[] = [];
  for (const call of calls) {
    const attempt = held.get(call.id);
    const newer = supersededBy.get(call.id);
    if (newer !== undefined) {
      const reason = `superseded by call ${newer}, which succeeded`;
      if (attempt === undefined) {
        await markSuperseded(deps, call, reason);
        out.set(call.id, 'superseded');
      } else {
        work.push(
          finalFailure(
            deps,
            call,
            { kind: 'unknown', reason, code: 'superseded' },
            call.attemptCount,
            attempt,
          ).then((o) => {
            out.set(call.id, o);
          }),
        );
      }
    } else if (attempt !== undefined) work.push(resendHeld(deps, call, attempt, out));
    else fresh.push(call);
  }
  work.push(sendFresh(deps, fresh, out));
  await Promise.all(work);
  return out;
}

async function markSuperseded(deps: DeliveryDeps, call: OracleCall, reason: string): Promise<void> {
  const now = iso(deps.now());
  await deps.sql`
    update delivery.oracle_call_history set status = 'superseded', completed_at = ${now}, next_attempt_at = null,
      notes = ${reason}, updated_at = ${now}
    where id = ${call.id} and status in ('queued', 'retrying')`;
}

interface Ready {
  readonly call: OracleCall;
  readonly gasLimit: bigint;
}

async function sendFresh(
  deps: DeliveryDeps,
  calls: readonly OracleCall[],
  out: Map<number, SendOutcome>,
): Promise<void> {
  if (calls.length === 0) return;
  const from = deps.signer.address;
  // Fees are asked for beside the estimates: one round trip to the node for the whole batch.
  const feesAsked = currentFees(deps).then(
    (fees) => ({ ok: true as const, fees }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const estimates = await deps.breakers.runAll(
    deps.chain.endpoint,
    calls.map(
      (call) => () => deps.chain.estimateGas({ from, to: call.contractAddress, data: call.callData }),
    ),
  );
  const ready: Ready[] = [];
  const failures: Promise<void>[] = [];
  estimates.forEach((estimate, i) => {
    const call = calls[i];
    if (call === undefined) return;
    if (estimate.status === 'fulfilled') ready.push({ call, gasLimit: gasLimitFromEstimate(estimate.value) });
    else failures.push(failBeforeNonce(deps, call, estimate.reason, out));
  });
  await Promise.all(failures);
  const asked = await feesAsked;
  if (ready.length === 0) return;
  if (!asked.ok) {
    await Promise.all(ready.map((r) => failBeforeNonce(deps, r.call, asked.error, out)));
    return;
  }
  const fees: Eip1559Fees = asked.fees;
  const now = iso(deps.now());
  const recorded =
    (await recordOptimistically(deps, ready, fees, now)) ?? (await recordUnderLock(deps, ready, fees, now));
  for (const r of ready) if (!recorded.some((i) => i.call.id === r.call.id)) out.set(r.call.id, 'sent');
  const sends = await deps.breakers.runAll(
    deps.chain.endpoint,
    recorded.map((item) => () => deps.chain.sendRawTransaction(item.signed.raw)),
  );
  await Promise.all(
    recorded.map(async (item, i) => {
      const call = { ...item.call, attemptCount: item.call.attemptCount + 1 };
      const result = sends[i];
      if (result === undefined || result.status === 'fulfilled') {
        out.set(call.id, 'sent');
        return;
      }
      if (item.attempt === undefined) throw result.reason;
      out.set(call.id, await failAfterSend(deps, call, item.attempt, result.reason));
    }),
  );
}

type Signed = Ready & { readonly nonce: number; readonly signed: SignedEvmTransaction };
type Recorded = Signed & { readonly attempt: TxAttempt | undefined };

/** The nonce this engine handed out last, so the usual batch needs no read before it writes. */
const nextNonceHint = new WeakMap<DeliveryDeps, number>();

function signBatch(deps: DeliveryDeps, ready: readonly Ready[], start: number, fees: Eip1559Fees): Signed[] {
  return ready.map((r, i) => ({
    ...r,
    nonce: start + i,
    signed: deps.signer.sign({
      chainId: deps.chain.chainId,
      nonce: start + i,
      to: r.call.contractAddress,
      data: r.call.callData,
      value: 0n,
      gasLimit: r.gasLimit,
      fees,
    }),
  }));
}

/**
 * The attempts insert, the calls update and (given `expected`) the nonce claim as one statement.
 * With `expected`, nothing is written unless the signer's next nonce is still `expected` and
 * every call is still sendable: the optimistic path, one round trip, no transaction.
 */
function writeAttempts(
  tx: Sql | postgres.TransactionSql,
  deps: DeliveryDeps,
  items: readonly Signed[],
  fees: Eip1559Fees,
  now: string,
  expected: number | null,
) {
  const signer = signerKey(deps);
  const chainId = deps.chain.chainId;
  const callIds = items.map((i) => i.call.id);
  const next = (items[items.length - 1]?.nonce ?? 0) + 1;
  return tx`
    with eligible as (
      select id from delivery.oracle_call_history
      where id = any(${callIds}::bigint[]) and status in ('queued', 'retrying')
      order by id for update
    ), claimed as (
      update delivery.signer_nonces set next_nonce = ${next}, updated_at = ${now}::timestamptz
      where chain_id = ${chainId} and signer_address = ${signer}
        and (${expected}::bigint is null or next_nonce = ${expected}::bigint)
        and (select count(*) from eligible) = ${items.length}
      returning next_nonce
    ), calls as (
      update delivery.oracle_call_history set status = 'pending', attempt_count = attempt_count + 1,
        first_attempt_at = coalesce(first_attempt_at, ${now}::timestamptz), last_attempt_at = ${now}::timestamptz,
        next_attempt_at = null, updated_at = ${now}::timestamptz
      where id = any(${callIds}::bigint[]) and exists (select 1 from claimed)
    )
    insert into delivery.oracle_tx_attempts
      (call_id, generation, chain_id, signer_address, nonce, gas_limit, max_fee_per_gas, max_priority_fee_per_gas,
       tx_hash, tx_hashes, raw_transaction, sent_at, last_sent_at)
    select u.call_id, u.generation, ${chainId}, ${signer}, u.nonce, u.gas_limit, ${fees.maxFeePerGas.toString()}::numeric,
           ${fees.maxPriorityFeePerGas.toString()}::numeric, u.tx_hash, u.tx_hashes, u.raw, ${now}::timestamptz,
           ${now}::timestamptz
    from unnest(
      ${callIds}::bigint[], ${items.map((i) => i.call.generation)}::int[],
      ${items.map((i) => i.nonce)}::bigint[], ${items.map((i) => i.gasLimit.toString())}::bigint[],
      ${items.map((i) => i.signed.hash)}::text[],
      ${items.map((i) => JSON.stringify([sent(i.signed, 'call', fees, now)]))}::jsonb[],
      ${items.map((i) => i.signed.raw)}::text[]
    ) as u(call_id, generation, nonce, gas_limit, tx_hash, tx_hashes, raw)
    where exists (select 1 from claimed)
    returning *`;
}

function withAttempts(items: readonly Signed[], rows: readonly Record<string, unknown>[]): Recorded[] {
  const attempts = new Map(rows.map((row) => [Number(row['call_id']), toAttempt(row)]));
  return items.map((i) => ({ ...i, attempt: attempts.get(i.call.id) }));
}

/** Signs at the nonce this engine expects and claims it in one statement; undefined if it moved. */
async function recordOptimistically(
  deps: DeliveryDeps,
  ready: readonly Ready[],
  fees: Eip1559Fees,
  now: string,
): Promise<Recorded[] | undefined> {
  const expected = nextNonceHint.get(deps);
  if (expected === undefined) return undefined;
  const items = signBatch(deps, ready, expected, fees);
  const rows = await writeAttempts(deps.sql, deps, items, fees, now, expected);
  if (rows.length !== items.length) return undefined;
  nextNonceHint.set(deps, expected + items.length);
  return withAttempts(items, rows);
}

/** The general path: lock the signer's nonce, then the calls still sendable, sign, record. */
async function recordUnderLock(
  deps: DeliveryDeps,
  ready: readonly Ready[],
  fees: Eip1559Fees,
  now: string,
): Promise<Recorded[]> {
  const signer = signerKey(deps);
  return deps.sql.begin(async (tx) => {
    // The signer row first, then the calls: the same lock order wherever both are taken.
    const [nonceRow] = await tx<{ next_nonce: bigint }[]>`
      select next_nonce from delivery.signer_nonces
      where chain_id = ${deps.chain.chainId} and signer_address = ${signer} for update`;
    if (nonceRow === undefined) throw new Error(`signer ${signer} has no nonce state; reconcile first`);
    const locked = new Set(
      (
        await tx<{ id: bigint }[]>`
        select id from delivery.oracle_call_history
        where id = any(${ready.map((r) => r.call.id)}::bigint[]) and status in ('queued', 'retrying')
        order by id for update`
      ).map((r) => Number(r.id)),
    );
    const start = Number(nonceRow.next_nonce);
    const sendable = ready.filter((r) => locked.has(r.call.id));
    nextNonceHint.set(deps, start + sendable.length);
    if (sendable.length === 0) return [];
    const items = signBatch(deps, sendable, start, fees);
    return withAttempts(items, await writeAttempts(tx, deps, items, fees, now, null));
  });
}

/** A failure before the call took a nonce (estimate, fee history): counts as an attempt. */
async function failBeforeNonce(
  deps: DeliveryDeps,
  call: OracleCall,
  error: unknown,
  out: Map<number, SendOutcome>,
): Promise<void> {
  if (error instanceof CircuitOpenError) {
    out.set(call.id, 'circuit-open');
    return;
  }
  out.set(
    call.id,
    await registerFailedAttempt(deps, call, classifyChainError(error), call.attemptCount + 1, null),
  );
}

/**
 * A send that failed after the nonce was taken (and counted). A nonce error means another
 * transaction holds the nonce: the attempt is lost and the signer reconciled. Anything else may
 * or may not have reached the node, so the call keeps its nonce.
 */
async function failAfterSend(
  deps: DeliveryDeps,
  call: OracleCall,
  attempt: TxAttempt,
  error: unknown,
): Promise<SendOutcome> {
  const now = iso(deps.now());
  if (error instanceof CircuitOpenError) {
    // Never reached the node and does not count; the confirmer sends it again once the breaker lets it.
    await deps.sql`
      update delivery.oracle_call_history set status = 'retrying', attempt_count = greatest(attempt_count - 1, 0),
        next_attempt_at = ${now}, retry_reason = 'circuit open', updated_at = ${now}
      where id = ${call.id} and status = 'pending'`;
    return 'circuit-open';
  }
  const classified = classifyChainError(error);
  await deps.sql`
    update delivery.oracle_tx_attempts set error_code = ${classified.kind}, error_message = ${classified.reason.slice(0, 2000)}
    where id = ${attempt.id}`;
  if (classified.kind === 'nonce') {
    // Something holds the nonce, which may be this call's own earlier transaction: the
    // confirmer decides from what is mined there (own hash: success; another: lost, retried).
    await reconcileSignerNonce(deps).catch(() => undefined);
    await deps.sql`
      update delivery.oracle_call_history set status = 'pending', next_attempt_at = null,
        updated_at = ${iso(deps.now())}
      where id = ${call.id} and status in ('pending', 'retrying')`;
    return 'sent';
  }
  return registerFailedAttempt(deps, call, classified, call.attemptCount, attempt);
}

export async function markAttemptLost(deps: DeliveryDeps, attempt: TxAttempt): Promise<void> {
  await deps.sql`
    update delivery.oracle_tx_attempts set outcome = 'lost', resolved_at = ${iso(deps.now())}
    where id = ${attempt.id} and outcome = 'pending'`;
}

/**
 * One failed attempt: counted against the target address for admin alerts, then retried after
 * the backoff or, out of retries or reverted, failed for good. `attemptsMade` includes this one.
 */
export async function registerFailedAttempt(
  deps: DeliveryDeps,
  call: OracleCall,
  error: ClassifiedChainError,
  attemptsMade: number,
  held: TxAttempt | null,
): Promise<SendOutcome> {
  deps.metrics.attemptFailed(error.kind);
  deps.telemetry.warn('oracle call attempt failed', {
    callId: call.id,
    requestId: call.requestId,
    kind: error.kind,
    reason: error.reason,
    attempt: attemptsMade,
  });
  await deps.alerts.recordFailure(
    call.targetAddress,
    call.functionName,
    `${error.kind}: ${error.reason}`,
    attemptsMade,
  );
  const decision = decideRetry(attemptsMade, error.kind, call.maxAttempts);
  if (decision.action === 'fail') return finalFailure(deps, call, error, attemptsMade, held);
  const now = deps.now();
  await deps.sql`
    update delivery.oracle_call_history set status = 'retrying', attempt_count = ${attemptsMade},
      next_attempt_at = ${iso(now + decision.delayMs)}, error_message = ${error.reason.slice(0, 2000)},
      error_code = ${error.kind}, retry_reason = ${`${error.kind} error; retry ${attemptsMade} of ${call.maxAttempts - 1}`},
      first_attempt_at = coalesce(first_attempt_at, ${iso(now)}), last_attempt_at = ${iso(now)},
      updated_at = ${iso(now)}
    where id = ${call.id} and status in ('queued', 'pending', 'retrying')`;
  return 'retrying';
}

/**
 * The call will not be tried again. Holding no nonce it is failed now and its message goes to
 * the DLQ; holding one, the nonce is filled first and the call stays pending until the chain
 * says what was mined there (its own transaction still may be).
 */
export async function finalFailure(
  deps: DeliveryDeps,
  call: OracleCall,
  error: ClassifiedChainError,
  attemptsMade: number,
  held: TxAttempt | null,
): Promise<SendOutcome> {
  const now = iso(deps.now());
  const code = error.code === 'superseded' ? 'superseded' : error.kind;
  if (held === null) {
    const status = code === 'superseded' ? 'superseded' : 'failed';
    const [row] = await deps.sql`
      update delivery.oracle_call_history set status = ${status}, attempt_count = ${attemptsMade},
        error_message = ${error.reason.slice(0, 2000)}, error_code = ${code}, next_attempt_at = null,
        completed_at = ${now}, first_attempt_at = coalesce(first_attempt_at, ${now}), last_attempt_at = ${now},
        updated_at = ${now}
      where id = ${call.id} and status in ('queued', 'pending', 'retrying')
      returning id`;
    if (row !== undefined && status === 'failed') await deadLetter(deps, call, error.reason);
    return status === 'failed' ? 'failed' : 'superseded';
  }
  await deps.sql`
    update delivery.oracle_call_history set status = 'pending', attempt_count = ${attemptsMade},
      error_message = ${error.reason.slice(0, 2000)}, error_code = ${code}, next_attempt_at = null,
      notes = ${`failed for good; filling nonce ${held.nonce}`}, last_attempt_at = ${now}, updated_at = ${now}
    where id = ${call.id}`;
  await sendFill(deps, held);
  return 'filling';
}

export async function deadLetter(deps: DeliveryDeps, call: OracleCall, reason: string): Promise<void> {
  deps.metrics.callFailed(1);
  try {
    await deps.queue.sendToDeadLetter({
      body: { callId: call.id, requestId: call.requestId, generation: call.generation, reason },
      groupId: signerKey(deps),
      deduplicationId: `${call.requestId}:g${call.generation}:dlq`.slice(0, 128),
    });
  } catch (error) {
    // The call is failed in the database, which the operator surface lists; the DLQ is a copy.
    deps.telemetry.warn('could not put failed call on the DLQ', { callId: call.id, error: String(error) });
  }
}

function feesOf(attempt: TxAttempt): Eip1559Fees {
  return { maxFeePerGas: attempt.maxFeePerGas, maxPriorityFeePerGas: attempt.maxPriorityFeePerGas };
}

async function bumpedFees(deps: DeliveryDeps, attempt: TxAttempt): Promise<Eip1559Fees> {
  const current = await currentFees(deps).catch(() => undefined);
  return bumpFees(feesOf(attempt), deps.options.nodeMinBumpPercent, current);
}

/** Records a new signed transaction at the attempt's nonce (before sending it). */
async function recordResign(
  deps: DeliveryDeps,
  attempt: TxAttempt,
  signed: SignedEvmTransaction,
  kind: 'call' | 'fill',
  fees: Eip1559Fees,
  gasLimit: bigint,
): Promise<void> {
  const now = iso(deps.now());
  await deps.sql`
    update delivery.oracle_tx_attempts set tx_hash = ${signed.hash}, raw_transaction = ${signed.raw},
      tx_hashes = tx_hashes || ${JSON.stringify([sent(signed, kind, fees, now)])}::jsonb,
      max_fee_per_gas = ${fees.maxFeePerGas.toString()}::numeric,
      max_priority_fee_per_gas = ${fees.maxPriorityFeePerGas.toString()}::numeric,
      gas_limit = ${gasLimit.toString()}::bigint,
      replacements = replacements + 1, last_sent_at = ${now}
    where id = ${attempt.id}`;
}

/** The zero-value self-transfer that frees a failed call's nonce, priced to replace what is pending there. */
export async function sendFill(deps: DeliveryDeps, attempt: TxAttempt): Promise<void> {
  const fees = await bumpedFees(deps, attempt);
  const signed = deps.signer.sign({
    chainId: deps.chain.chainId,
    nonce: attempt.nonce,
    to: deps.signer.address,
    data: '0x',
    value: 0n,
    gasLimit: FILL_GAS_LIMIT,
    fees,
  });
  await recordResign(deps, attempt, signed, 'fill', fees, FILL_GAS_LIMIT);
  try {
    await viaBreaker(deps, () => deps.chain.sendRawTransaction(signed.raw));
  } catch (error) {
    // Recorded: the confirmer sends the fill again when it finds the nonce still open.
    deps.telemetry.warn('nonce fill not sent', {
      nonce: attempt.nonce,
      error: classifyChainError(error).reason,
    });
  }
}

/** The call's own transaction at its nonce again, with fees raised. */
export async function resignCall(
  deps: DeliveryDeps,
  call: OracleCall,
  attempt: TxAttempt,
): Promise<SignedEvmTransaction> {
  const fees = await bumpedFees(deps, attempt);
  const signed = deps.signer.sign({
    chainId: deps.chain.chainId,
    nonce: attempt.nonce,
    to: call.contractAddress,
    data: call.callData,
    value: 0n,
    gasLimit: attempt.gasLimit,
    fees,
  });
  await recordResign(deps, attempt, signed, 'call', fees, attempt.gasLimit);
  return signed;
}

/** A retry of a call that holds a nonce: sent again at that nonce, unless the node has it already. */
async function resendHeld(
  deps: DeliveryDeps,
  call: OracleCall,
  attempt: TxAttempt,
  out: Map<number, SendOutcome>,
): Promise<void> {
  if (call.status !== 'queued' && call.status !== 'retrying') return;
  const attemptsMade = call.attemptCount + 1;
  const counted = { ...call, attemptCount: attemptsMade };
  const now = iso(deps.now());
  const lastKind = attempt.txHashes[attempt.txHashes.length - 1]?.kind ?? 'call';
  try {
    const known = await viaBreaker(deps, () => deps.chain.hasTransaction(attempt.txHash));
    await deps.sql`
      update delivery.oracle_call_history set status = 'pending', attempt_count = ${attemptsMade},
        last_attempt_at = ${now}, next_attempt_at = null, updated_at = ${now}
      where id = ${call.id}`;
    if (known) {
      await deps.sql`update delivery.oracle_tx_attempts set last_sent_at = ${now} where id = ${attempt.id}`;
      out.set(call.id, 'sent');
      return;
    }
    if (lastKind === 'fill') {
      await sendFill(deps, attempt);
      out.set(call.id, 'filling');
      return;
    }
    const signed = await resignCall(deps, call, attempt);
    const refreshed = { ...attempt, txHash: signed.hash };
    try {
      await viaBreaker(deps, () => deps.chain.sendRawTransaction(signed.raw));
      out.set(call.id, 'sent');
    } catch (error) {
      out.set(call.id, await failAfterSend(deps, counted, refreshed, error));
    }
  } catch (error) {
    if (error instanceof CircuitOpenError) {
      await deps.sql`
        update delivery.oracle_call_history set status = 'retrying', attempt_count = ${call.attemptCount},
          next_attempt_at = ${now}, updated_at = ${now}
        where id = ${call.id}`;
      out.set(call.id, 'circuit-open');
      return;
    }
    out.set(
      call.id,
      await registerFailedAttempt(deps, counted, classifyChainError(error), attemptsMade, attempt),
    );
  }
}

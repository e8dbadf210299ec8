/**
 * Sending oracle calls (DESIGN.md section 5): sign, record, send, never wait for mining. A
 * nonce is taken and its attempt recorded in one database transaction, under the signer's row
 * lock, so every nonce between the chain's count and ours belongs to a recorded attempt. A call
 * keeps its nonce through retries until something is mined there; a call that fails for good
 * while holding one has it filled by a zero-value self-transfer.
 */

import {
  lockSendableCalls,
  markResent,
  markSuperseded,
  retryNow,
  supersedingSuccesses,
} from '../../adapters/db/delivery/oracle-call-store.ts';
import { lockNextNonce } from '../../adapters/db/delivery/signer-nonce-store.ts';
import {
  pendingAttemptsOfCalls,
  recordAttempts,
  type TxAttempt,
  touchLastSent,
} from '../../adapters/db/delivery/tx-attempt-store.ts';
import { classifyChainError } from '../../core/delivery/chain-error-class.ts';
import { type Eip1559Fees, gasLimitFromEstimate } from '../../core/delivery/fee-policy.ts';
import { CircuitOpenError } from '../../errors.ts';
import type { SignedEvmTransaction } from '../../ports/evm-chain.ts';
import type { Queryable } from '../../ports/sql.ts';
import {
  failAfterSend,
  failBeforeNonce,
  finalFailure,
  registerFailedAttempt,
  type SendOutcome,
} from './attempt-failures.ts';
import type { DeliveryDeps, OracleCall } from './engine.ts';
import { resignCall, sendFill, sentTransaction } from './nonce-resends.ts';
import { currentFees, ensureReconciled, signerOf, viaBreaker } from './signer-state.ts';

export type { SendOutcome };

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
  const supersededBy = await supersedingSuccesses(
    deps.sql,
    calls.filter((c) => c.supersedeKey !== null).map((c) => c.id),
  );
  // A queued call is new or reopened after failing, so it holds no nonce; only retries may.
  const held = await pendingAttemptsOfCalls(
    deps.sql,
    calls.filter((c) => c.status !== 'queued').map((c) => c.id),
  );
  const fresh: OracleCall[] = [];
  const work: Promise<void>[] = [];
  for (const call of calls) {
    const attempt = held.get(call.id);
    const newer = supersededBy.get(call.id);
    if (newer !== undefined) {
      // Without a nonce it is only marked, before anything is sent; with one its fill goes out with the batch.
      if (attempt === undefined) await supersede(deps, call, newer, attempt, out);
      else work.push(supersede(deps, call, newer, attempt, out));
    } else if (attempt !== undefined) work.push(resendHeld(deps, call, attempt, out));
    else fresh.push(call);
  }
  work.push(sendFresh(deps, fresh, out));
  await Promise.all(work);
  return out;
}

/** A newer call with the same key succeeded: this one is never sent, and a nonce it holds is filled. */
async function supersede(
  deps: DeliveryDeps,
  call: OracleCall,
  newer: number,
  attempt: TxAttempt | undefined,
  out: Map<number, SendOutcome>,
): Promise<void> {
  const reason = `superseded by call ${newer}, which succeeded`;
  if (attempt === undefined) {
    await markSuperseded(deps.sql, call.id, reason, deps.now());
    out.set(call.id, 'superseded');
    return;
  }
  const error = { kind: 'unknown' as const, reason, code: 'superseded' };
  out.set(call.id, await finalFailure(deps, call, error, call.attemptCount, attempt));
}

interface Ready {
  readonly call: OracleCall;
  readonly gasLimit: bigint;
}

/** Estimates gas for each call beside the fee history; a call whose estimate fails counts an attempt. */
async function estimateReady(
  deps: DeliveryDeps,
  calls: readonly OracleCall[],
  out: Map<number, SendOutcome>,
): Promise<{ ready: Ready[]; fees: Eip1559Fees } | undefined> {
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
  if (ready.length === 0) return undefined;
  if (!asked.ok) {
    await Promise.all(ready.map((r) => failBeforeNonce(deps, r.call, asked.error, out)));
    return undefined;
  }
  return { ready, fees: asked.fees };
}

async function sendFresh(
  deps: DeliveryDeps,
  calls: readonly OracleCall[],
  out: Map<number, SendOutcome>,
): Promise<void> {
  if (calls.length === 0) return;
  const estimated = await estimateReady(deps, calls, out);
  if (estimated === undefined) return;
  const { ready, fees } = estimated;
  const now = deps.now();
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

/** Records the signed batch (see recordAttempts: with `expected`, only if the nonce is still there). */
async function writeAttempts(
  q: Queryable,
  deps: DeliveryDeps,
  items: readonly Signed[],
  fees: Eip1559Fees,
  now: number,
  expected: number | null,
): Promise<Recorded[] | undefined> {
  const newAttempts = items.map((i) => ({
    callId: i.call.id,
    generation: i.call.generation,
    nonce: i.nonce,
    gasLimit: i.gasLimit,
    hash: i.signed.hash,
    raw: i.signed.raw,
    sent: sentTransaction(i.signed, 'call', fees, now),
  }));
  const attempts = await recordAttempts(q, signerOf(deps), newAttempts, fees, now, expected);
  if (expected !== null && attempts.size !== items.length) return undefined;
  return items.map((i) => ({ ...i, attempt: attempts.get(i.call.id) }));
}

/** Signs at the nonce this engine expects and claims it in one statement; undefined if it moved. */
async function recordOptimistically(
  deps: DeliveryDeps,
  ready: readonly Ready[],
  fees: Eip1559Fees,
  now: number,
): Promise<Recorded[] | undefined> {
  const expected = nextNonceHint.get(deps);
  if (expected === undefined) return undefined;
  const recorded = await writeAttempts(
    deps.sql,
    deps,
    signBatch(deps, ready, expected, fees),
    fees,
    now,
    expected,
  );
  if (recorded !== undefined) nextNonceHint.set(deps, expected + recorded.length);
  return recorded;
}

/** The general path: lock the signer's nonce, then the calls still sendable, sign, record. */
async function recordUnderLock(
  deps: DeliveryDeps,
  ready: readonly Ready[],
  fees: Eip1559Fees,
  now: number,
): Promise<Recorded[]> {
  const signer = signerOf(deps);
  return deps.sql.begin(async (tx) => {
    // The signer row first, then the calls: the same lock order wherever both are taken.
    const start = await lockNextNonce(tx, signer);
    if (start === undefined) throw new Error(`signer ${signer.address} has no nonce state; reconcile first`);
    const locked = await lockSendableCalls(
      tx,
      ready.map((r) => r.call.id),
    );
    const sendable = ready.filter((r) => locked.has(r.call.id));
    nextNonceHint.set(deps, start + sendable.length);
    if (sendable.length === 0) return [];
    const items = signBatch(deps, sendable, start, fees);
    return (await writeAttempts(tx, deps, items, fees, now, null)) ?? [];
  });
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
  const now = deps.now();
  try {
    out.set(call.id, await sendAgainAt(deps, counted, attempt, now));
  } catch (error) {
    if (error instanceof CircuitOpenError) {
      await retryNow(deps.sql, call.id, call.attemptCount, now);
      out.set(call.id, 'circuit-open');
      return;
    }
    out.set(
      call.id,
      await registerFailedAttempt(deps, counted, classifyChainError(error), attemptsMade, attempt),
    );
  }
}

/** The held nonce's latest transaction again: as it was if the node knows it, else re-signed. */
async function sendAgainAt(
  deps: DeliveryDeps,
  counted: OracleCall,
  attempt: TxAttempt,
  now: number,
): Promise<SendOutcome> {
  const lastKind = attempt.txHashes[attempt.txHashes.length - 1]?.kind ?? 'call';
  const known = await viaBreaker(deps, () => deps.chain.hasTransaction(attempt.txHash));
  await markResent(deps.sql, counted.id, counted.attemptCount, now);
  if (known) {
    await touchLastSent(deps.sql, attempt.id, now);
    return 'sent';
  }
  if (lastKind === 'fill') {
    await sendFill(deps, attempt);
    return 'filling';
  }
  const signed = await resignCall(deps, counted, attempt);
  try {
    await viaBreaker(deps, () => deps.chain.sendRawTransaction(signed.raw));
    return 'sent';
  } catch (error) {
    return failAfterSend(deps, counted, { ...attempt, txHash: signed.hash }, error);
  }
}

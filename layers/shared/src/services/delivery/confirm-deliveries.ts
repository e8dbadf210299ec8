/**
 * The confirmer (scheduled every minute, and after sends): asks the chain what was mined at
 * each nonce our pending attempts hold, completes those calls, replaces transactions not mined
 * in time at the same nonce with higher fees, and sends calls whose retry time has come.
 * Whatever is mined at a nonce decides, never one hash: a replacement or the original may land.
 * A used nonce where no receipt of ours is found is missing, and lost (the call sent again under
 * a new nonce) only once that held over several passes and the chain's confirmation depth.
 */

import { dueCalls, readCalls } from '../../adapters/db/delivery/oracle-call-store.ts';
import { tryLockConfirmer, unlockConfirmer } from '../../adapters/db/delivery/signer-nonce-store.ts';
import {
  clearAbsences,
  countPendingAttempts,
  pendingAttemptsOfSigner,
  recordAbsences,
  type TxAttempt,
} from '../../adapters/db/delivery/tx-attempt-store.ts';
import { classifyChainError } from '../../core/delivery/chain-error-class.ts';
import { confirmationDepth } from '../../core/delivery/confirmation-depth.ts';
import type { LostNoncePolicy } from '../../core/delivery/nonce-outcome.ts';
import {
  absenceAt,
  type Receipt,
  type ResolvedNonce,
  receiptsPerAttempt,
  resolveUsedNonce,
  stuckAttempts,
  withoutReceipt,
} from '../../core/delivery/nonce-receipts.ts';
import { CircuitOpenError } from '../../errors.ts';
import { registerFailedAttempt } from './attempt-failures.ts';
import type { DeliveryDeps, OracleCall } from './engine.ts';
import { resignCall, sendFill } from './nonce-resends.ts';
import { markSucceeded, resolveAttempt } from './resolve-attempts.ts';
import { sendCalls } from './send-calls.ts';
import { reconcileSignerNonce, signerOf } from './signer-state.ts';

/** Attempts whose receipts are asked for at once. */
const RECEIPT_SLICE = 200;
/** Calls due for a retry that one pass sends. */
const DUE_LIMIT = 500;

export interface ConfirmReport {
  /** The RPC endpoint's breaker was open: nothing was asked, nothing counted. */
  readonly skipped: boolean;
  readonly succeeded: number;
  readonly failed: number;
  /** Used nonces where no receipt of ours was found, not (yet) counted as lost. */
  readonly missing: number;
  readonly lost: number;
  readonly replaced: number;
  readonly retried: number;
  /** Attempts still waiting for their nonce to be mined. */
  readonly pending: number;
}

const SKIPPED: ConfirmReport = {
  skipped: true,
  succeeded: 0,
  failed: 0,
  missing: 0,
  lost: 0,
  replaced: 0,
  retried: 0,
  pending: 0,
};

export async function confirmDeliveries(deps: DeliveryDeps): Promise<ConfirmReport> {
  if (!deps.breakers.allows(deps.chain.endpoint)) return SKIPPED;
  // One confirmer per signer at a time (the schedule and the consumer both start it): two would
  // replace the same stuck transaction twice and count the node's refusal as a failed attempt.
  const connection = await deps.sql.reserve();
  try {
    if (!(await tryLockConfirmer(connection, signerOf(deps)))) return SKIPPED;
    try {
      return await confirmAsOnlyConfirmer(deps);
    } finally {
      await unlockConfirmer(connection, signerOf(deps));
    }
  } finally {
    connection.release();
  }
}

interface Answered {
  readonly attempt: TxAttempt;
  readonly call: OracleCall | undefined;
  readonly found: (Receipt | null)[];
}

async function confirmAsOnlyConfirmer(deps: DeliveryDeps): Promise<ConfirmReport> {
  const mined = await minedNonceCount(deps);
  if (mined === undefined) return SKIPPED;
  const attempts = await pendingAttemptsOfSigner(deps.sql, signerOf(deps));
  const calls = await readCalls(
    deps.sql,
    attempts.map((a) => a.callId),
  );
  const consumed = attempts.filter((a) => a.nonce < mined);
  const unresolved = attempts.filter((a) => a.nonce >= mined);
  const answered = await askReceipts(deps, consumed, calls);
  if (consumed.length > 0 && answered.length === 0) return { ...SKIPPED, pending: attempts.length };
  const counts = await resolveConsumed(deps, await weighAbsences(deps, answered, unresolved));

  const now = deps.now();
  const withStatus = unresolved.map((a) => ({ ...a, callStatus: calls.get(a.callId)?.status }));
  let replaced = 0;
  for (const attempt of stuckAttempts(withStatus, now, deps.options.stuckAfterMs)) {
    const call = calls.get(attempt.callId);
    if (call !== undefined && (await replaceStuck(deps, attempt, call))) replaced++;
  }
  const due = await dueCalls(deps.sql, signerOf(deps), now, deps.options.queuedGraceMs, DUE_LIMIT);
  const outcomes = due.length > 0 ? await sendCalls(deps, due) : new Map();
  const retried = [...outcomes.values()].filter((o) => o === 'sent').length;
  const pending = await countPendingAttempts(deps.sql, signerOf(deps));
  return { skipped: false, ...counts, replaced, retried, pending };
}

/** The signer's mined nonce count; undefined when the node cannot be asked (breaker, network). */
async function minedNonceCount(deps: DeliveryDeps): Promise<number | undefined> {
  try {
    return await deps.breakers.run(deps.chain.endpoint, () =>
      deps.chain.getTransactionCount(deps.signer.address, 'latest'),
    );
  } catch (error) {
    if (error instanceof CircuitOpenError || classifyChainError(error).kind === 'network') return undefined;
    throw error;
  }
}

/**
 * Receipts are asked for in slices of attempts, in nonce order: thousands of requests at once
 * overwhelm a node, and one failed request must not throw away every answer of the pass.
 */
async function askReceipts(
  deps: DeliveryDeps,
  consumed: readonly TxAttempt[],
  calls: ReadonlyMap<number, OracleCall>,
): Promise<Answered[]> {
  const answered: Answered[] = [];
  for (let start = 0; start < consumed.length; start += RECEIPT_SLICE) {
    const slice = consumed.slice(start, start + RECEIPT_SLICE);
    const receipts = await deps.breakers.runAll(
      deps.chain.endpoint,
      slice.flatMap((attempt) => attempt.txHashes.map((sent) => () => deps.chain.getReceipt(sent.hash))),
    );
    // Without every receipt a consumed nonce could be taken for lost: this slice and the ones
    // after it wait for the next pass; what was resolved so far is kept.
    if (receipts.some((r) => r.status === 'rejected')) break;
    for (const { attempt, found } of receiptsPerAttempt(slice, receipts)) {
      answered.push({ attempt, call: calls.get(attempt.callId), found });
    }
  }
  return answered;
}

interface Weighed {
  readonly attempt: TxAttempt;
  readonly call: OracleCall | undefined;
  readonly mined: ResolvedNonce;
}

/**
 * Decides every used nonce whose receipts were asked for. Where none of ours has one, the pass is
 * counted against the head block (asked once, only then) and stored, so the next pass goes on
 * from it; an unused nonce that had such passes starts over, since the absence was not steady.
 */
async function weighAbsences(
  deps: DeliveryDeps,
  answered: readonly Answered[],
  unconsumed: readonly TxAttempt[],
): Promise<Weighed[]> {
  const policy: LostNoncePolicy = {
    passes: deps.options.lostNoncePasses,
    blocks: deps.options.confirmationDepth ?? confirmationDepth(deps.chain.chainId),
  };
  const head = answered.some((a) => withoutReceipt(a.found))
    ? await deps.breakers.run(deps.chain.endpoint, () => deps.chain.blockNumber()).catch(() => undefined)
    : undefined;
  const seen: { id: number; sinceBlock: number; passes: number }[] = [];
  const weighed = answered.map(({ attempt, call, found }) => {
    const absence = head !== undefined && withoutReceipt(found) ? absenceAt(attempt, head) : undefined;
    if (absence !== undefined) seen.push({ id: attempt.id, ...absence.seen });
    return { attempt, call, mined: resolveUsedNonce(attempt.txHashes, found, absence, policy) };
  });
  await recordAbsences(deps.sql, seen);
  await clearAbsences(
    deps.sql,
    unconsumed.filter((a) => a.missingPasses > 0).map((a) => a.id),
  );
  return weighed;
}

/** Completes the calls whose own transaction was mined (as one lot) and resolves the rest one by one. */
async function resolveConsumed(
  deps: DeliveryDeps,
  weighed: readonly Weighed[],
): Promise<{ succeeded: number; failed: number; missing: number; lost: number }> {
  const counts = { succeeded: 0, failed: 0, missing: 0, lost: 0 };
  const succeeded: (Weighed & { call: OracleCall })[] = [];
  for (const item of weighed) {
    const call = item.call;
    if (call === undefined) continue;
    if (item.mined.outcome.kind === 'own' && !item.mined.outcome.reverted) {
      succeeded.push({ ...item, call });
      continue;
    }
    const result = await resolveAttempt(deps, item.attempt, call, item.mined);
    if (result !== 'none') counts[result]++;
  }
  if (succeeded.length > 0) {
    await markSucceeded(deps, succeeded);
    counts.succeeded = succeeded.length;
    deps.metrics.callSucceeded(succeeded.length);
    await deps.alerts.recordSuccess(succeeded.map((s) => s.call.targetAddress));
  }
  if (counts.lost > 0) await reconcileSignerNonce(deps).catch(() => undefined);
  return counts;
}

/** Sends the transaction at a stuck nonce again with fees raised: the call's own, or the fill. */
async function replaceStuck(deps: DeliveryDeps, attempt: TxAttempt, call: OracleCall): Promise<boolean> {
  const lastKind = attempt.txHashes[attempt.txHashes.length - 1]?.kind ?? 'call';
  if (lastKind === 'fill') {
    await sendFill(deps, attempt);
    deps.metrics.transactionReplaced();
    return true;
  }
  const signed = await resignCall(deps, call, attempt);
  try {
    await deps.breakers.run(deps.chain.endpoint, () => deps.chain.sendRawTransaction(signed.raw));
    deps.metrics.transactionReplaced();
    deps.log.info('replaced stuck oracle transaction', {
      callId: call.id,
      nonce: attempt.nonce,
      hash: signed.hash,
    });
    return true;
  } catch (error) {
    if (error instanceof CircuitOpenError) return false;
    const classified = classifyChainError(error);
    // Mined meanwhile: the next pass finds what landed at the nonce.
    if (classified.kind === 'nonce' && /too low|already been used/i.test(classified.reason)) return false;
    const attemptsMade = call.attemptCount + 1;
    await registerFailedAttempt(deps, { ...call, attemptCount: attemptsMade }, classified, attemptsMade, {
      ...attempt,
      txHash: signed.hash,
    });
    return false;
  }
}

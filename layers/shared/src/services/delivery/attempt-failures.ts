/**
 * What a failed attempt does to its call: counted against the target address for admin alerts,
 * then retried after the backoff or failed for good. A call failed for good while holding a nonce
 * has the nonce filled first and stays pending until the chain says what was mined there.
 */

import {
  awaitNonce,
  endWithoutNonce,
  markFilling,
  scheduleRetry,
  uncountSend,
} from '../../adapters/db/delivery/oracle-call-store.ts';
import { recordSendError, type TxAttempt } from '../../adapters/db/delivery/tx-attempt-store.ts';
import { type ClassifiedChainError, classifyChainError } from '../../core/delivery/chain-error-class.ts';
import { decideRetry } from '../../core/delivery/retry-schedule.ts';
import { CircuitOpenError } from '../../errors.ts';
import type { DeliveryDeps, OracleCall } from './engine.ts';
import { sendFill } from './nonce-resends.ts';
import { reconcileSignerNonce, signerKey } from './signer-state.ts';

export type SendOutcome = 'sent' | 'retrying' | 'failed' | 'filling' | 'superseded' | 'circuit-open';

/** A failure before the call took a nonce (estimate, fee history): counts as an attempt. */
export async function failBeforeNonce(
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
export async function failAfterSend(
  deps: DeliveryDeps,
  call: OracleCall,
  attempt: TxAttempt,
  error: unknown,
): Promise<SendOutcome> {
  if (error instanceof CircuitOpenError) {
    // Never reached the node and does not count; the confirmer sends it again once the breaker lets it.
    await uncountSend(deps.sql, call.id, deps.now());
    return 'circuit-open';
  }
  const classified = classifyChainError(error);
  await recordSendError(deps.sql, attempt.id, classified);
  if (classified.kind === 'nonce') {
    // Something holds the nonce, which may be this call's own earlier transaction: the
    // confirmer decides from what is mined there (own hash: success; another: lost, retried).
    await reconcileSignerNonce(deps).catch(() => undefined);
    await awaitNonce(deps.sql, call.id, deps.now());
    return 'sent';
  }
  return registerFailedAttempt(deps, call, classified, call.attemptCount, attempt);
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
  deps.log.warn('oracle call attempt failed', {
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
  const failed = {
    attemptsMade,
    errorKind: error.kind,
    reason: error.reason,
    retryReason: `${error.kind} error; retry ${attemptsMade} of ${call.maxAttempts - 1}`,
  };
  await scheduleRetry(deps.sql, call.id, failed, now, now + decision.delayMs);
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
  const now = deps.now();
  const errorCode = error.code === 'superseded' ? 'superseded' : error.kind;
  const end = { attemptsMade, errorCode, reason: error.reason };
  if (held === null) {
    const status = errorCode === 'superseded' ? 'superseded' : 'failed';
    const ended = await endWithoutNonce(deps.sql, call.id, { ...end, status }, now);
    if (ended && status === 'failed') await deadLetter(deps, call, error.reason);
    return status;
  }
  await markFilling(deps.sql, call.id, { ...end, nonce: held.nonce }, now);
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
    deps.log.warn('could not put failed call on the DLQ', { callId: call.id, error: String(error) });
  }
}

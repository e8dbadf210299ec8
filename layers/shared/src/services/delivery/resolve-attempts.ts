/**
 * What the confirmer does with a nonce the chain has used: the calls whose own transaction was
 * mined complete as one lot; a revert, a mined fill or a lost nonce each end or retry their call.
 */

import {
  completeFailed,
  completeSuperseded,
  type MinedCall,
  markCallsSucceeded,
  recordRevert,
  supersedeOlder,
} from '../../adapters/db/delivery/oracle-call-store.ts';
import {
  type MinedAttempt,
  markAttemptFilled,
  markAttemptLost,
  markAttemptReverted,
  markAttemptsMined,
  type TxAttempt,
} from '../../adapters/db/delivery/tx-attempt-store.ts';
import type { ResolvedNonce } from '../../core/delivery/nonce-receipts.ts';
import { deadLetter, registerFailedAttempt } from './attempt-failures.ts';
import type { DeliveryDeps, OracleCall } from './engine.ts';

export type Resolution = 'failed' | 'missing' | 'lost' | 'none';

interface Mined {
  readonly attempt: TxAttempt;
  readonly call: OracleCall;
  readonly mined: ResolvedNonce;
}

const minedHash = (mined: ResolvedNonce): string =>
  mined.outcome.kind === 'own' || mined.outcome.kind === 'filled' ? mined.outcome.hash : '';

const minedAttempt = (attempt: TxAttempt, mined: ResolvedNonce): MinedAttempt => ({
  id: attempt.id,
  hash: minedHash(mined),
  blockNumber: mined.receipt?.blockNumber ?? null,
  receipt: mined.receiptJson,
});

const minedCall = (call: OracleCall, mined: ResolvedNonce): MinedCall => ({
  id: call.id,
  hash: minedHash(mined),
  blockNumber: mined.receipt?.blockNumber ?? null,
  gasUsed: mined.receipt?.gasUsed ?? null,
});

/** Completes every call whose own transaction was mined, in one transaction for the lot. */
export async function markSucceeded(deps: DeliveryDeps, items: readonly Mined[]): Promise<void> {
  const now = deps.now();
  await deps.sql.begin(async (tx) => {
    await markAttemptsMined(
      tx,
      items.map((m) => minedAttempt(m.attempt, m.mined)),
      now,
    );
    await markCallsSucceeded(
      tx,
      items.map((m) => minedCall(m.call, m.mined)),
      now,
    );
    for (const { call } of items) {
      if (call.supersedeKey !== null)
        await supersedeOlder(tx, { id: call.id, supersedeKey: call.supersedeKey }, now);
    }
  });
}

export async function resolveAttempt(
  deps: DeliveryDeps,
  attempt: TxAttempt,
  call: OracleCall,
  mined: ResolvedNonce,
): Promise<Resolution> {
  switch (mined.outcome.kind) {
    case 'unmined':
      return 'none';
    case 'missing':
      deps.log.info('no receipt at a used nonce; not taken for lost yet', {
        callId: call.id,
        nonce: attempt.nonce,
      });
      return 'missing';
    case 'lost':
      return resolveLost(deps, attempt, call);
    case 'own':
      return resolveReverted(deps, attempt, call, mined);
    case 'filled': {
      await markAttemptFilled(deps.sql, minedAttempt(attempt, mined), deps.now());
      if (call.errorCode === 'superseded') {
        await completeSuperseded(deps.sql, call.id, deps.now());
        return 'none';
      }
      await failForGood(deps, call, call.errorMessage ?? 'failed; nonce filled');
      return 'failed';
    }
  }
}

/** Another transaction took the nonce: a call failed for good ends; any other is retried under a new nonce. */
async function resolveLost(deps: DeliveryDeps, attempt: TxAttempt, call: OracleCall): Promise<Resolution> {
  await markAttemptLost(deps.sql, attempt.id, deps.now());
  if (call.notes?.startsWith('failed for good') === true) {
    await failForGood(deps, call, call.errorMessage ?? 'failed; its nonce was taken by another transaction');
    return 'failed';
  }
  await registerFailedAttempt(
    deps,
    call,
    {
      kind: 'nonce',
      reason: `nonce ${attempt.nonce} was used by another transaction`,
      code: 'NONCE_EXPIRED',
    },
    call.attemptCount,
    null,
  );
  return 'lost';
}

/** The call's own transaction was mined and reverted: recorded with the node's reason, and failed. */
async function resolveReverted(
  deps: DeliveryDeps,
  attempt: TxAttempt,
  call: OracleCall,
  mined: ResolvedNonce,
): Promise<Resolution> {
  const reason =
    (await deps.chain
      .revertReason(
        { from: deps.signer.address, to: call.contractAddress, data: call.callData },
        mined.receipt?.blockNumber ?? 0,
      )
      .catch(() => undefined)) ?? 'reverted without a reason';
  await markAttemptReverted(deps.sql, minedAttempt(attempt, mined), reason, deps.now());
  await recordRevert(deps.sql, minedCall(call, mined), reason);
  await deps.alerts.recordFailure(
    call.targetAddress,
    call.functionName,
    `execution: ${reason}`,
    call.attemptCount,
  );
  await failForGood(deps, call, reason);
  return 'failed';
}

async function failForGood(deps: DeliveryDeps, call: OracleCall, reason: string): Promise<void> {
  if (await completeFailed(deps.sql, call.id, reason, deps.now())) await deadLetter(deps, call, reason);
}

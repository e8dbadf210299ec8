/**
 * The confirmer (scheduled every minute, and after sends): asks the chain what was mined at
 * each nonce our pending attempts hold, completes those calls, replaces transactions not mined
 * in time at the same nonce with higher fees, and sends calls whose retry time has come.
 * Whatever is mined at a nonce decides, never one hash: a replacement or the original may land.
 * A used nonce where no receipt of ours is found is missing, and lost (the call sent again under
 * a new nonce) only once that held over several passes and the chain's confirmation depth.
 */
import { classifyChainError } from '../../core/delivery/chain-error-class.ts';
import { confirmationDepth } from '../../core/delivery/confirmation-depth.ts';
import {
  type Absence,
  absenceSeen,
  type LostNoncePolicy,
  type NonceOutcome,
  nonceOutcome,
} from '../../core/delivery/nonce-outcome.ts';
import { CircuitOpenError } from '../../errors.ts';
import type { EvmReceipt } from '../../ports/evm-chain.ts';
import { type DeliveryDeps, iso, type OracleCall, type TxAttempt, toAttempt, toCall } from './engine.ts';
import {
  deadLetter,
  markAttemptLost,
  reconcileSignerNonce,
  registerFailedAttempt,
  resignCall,
  sendCalls,
  sendFill,
  signerKey,
} from './send-calls.ts';

/** Attempts whose receipts are asked for at once. */
const RECEIPT_SLICE = 200;

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
    const [lock] = await connection<{ taken: boolean }[]>`
      select pg_try_advisory_lock(hashtext('delivery-confirmer'), hashtext(${`${deps.chain.chainId}:${signerKey(deps)}`})) as taken`;
    if (lock?.taken !== true) return SKIPPED;
    try {
      return await confirmAsOnlyConfirmer(deps);
    } finally {
      await connection`
        select pg_advisory_unlock(hashtext('delivery-confirmer'), hashtext(${`${deps.chain.chainId}:${signerKey(deps)}`}))`;
    }
  } finally {
    connection.release();
  }
}

async function confirmAsOnlyConfirmer(deps: DeliveryDeps): Promise<ConfirmReport> {
  const endpoint = deps.chain.endpoint;
  const signer = signerKey(deps);
  let mined: number;
  try {
    mined = await deps.breakers.run(endpoint, () =>
      deps.chain.getTransactionCount(deps.signer.address, 'latest'),
    );
  } catch (error) {
    if (error instanceof CircuitOpenError || classifyChainError(error).kind === 'network') return SKIPPED;
    throw error;
  }
  const attempts = (
    await deps.sql`
      select * from delivery.oracle_tx_attempts
      where chain_id = ${deps.chain.chainId} and signer_address = ${signer} and outcome = 'pending'
      order by nonce`
  ).map(toAttempt);
  const calls = await loadCalls(
    deps,
    attempts.map((a) => a.callId),
  );

  const counts = { succeeded: 0, failed: 0, missing: 0, lost: 0, replaced: 0, retried: 0 };
  const consumed = attempts.filter((a) => a.nonce < mined);
  // Receipts are asked for in slices of attempts, in nonce order: thousands of requests at once
  // overwhelm a node, and one failed request must not throw away every answer of the pass.
  const answered: { attempt: TxAttempt; call: OracleCall | undefined; found: (EvmReceipt | null)[] }[] = [];
  for (let start = 0; start < consumed.length; start += RECEIPT_SLICE) {
    const slice = consumed.slice(start, start + RECEIPT_SLICE);
    const receipts = await deps.breakers.runAll(
      deps.chain.endpoint,
      slice.flatMap((attempt) => attempt.txHashes.map((sent) => () => deps.chain.getReceipt(sent.hash))),
    );
    // Without every receipt a consumed nonce could be taken for lost: this slice and the ones
    // after it wait for the next pass; what was resolved so far is kept.
    if (receipts.some((r) => r.status === 'rejected')) break;
    let offset = 0;
    for (const attempt of slice) {
      const own = receipts.slice(offset, offset + attempt.txHashes.length);
      offset += attempt.txHashes.length;
      const found = own.map((r) => (r.status === 'fulfilled' ? r.value : null));
      answered.push({ attempt, call: calls.get(attempt.callId), found });
    }
  }
  if (consumed.length > 0 && answered.length === 0) return { ...SKIPPED, pending: attempts.length };
  const resolved = await weighAbsences(
    deps,
    answered,
    attempts.filter((a) => a.nonce >= mined),
  );
  const succeeded: Mined[] = [];
  for (const item of resolved) {
    if (item.call === undefined) continue;
    if (item.mined.outcome.kind === 'own' && !item.mined.outcome.reverted) {
      succeeded.push({ ...item, call: item.call });
      continue;
    }
    const result = await resolveAttempt(deps, item.attempt, item.call, item.mined);
    if (result === 'failed') counts.failed++;
    else if (result === 'missing') counts.missing++;
    else if (result === 'lost') counts.lost++;
  }
  if (succeeded.length > 0) {
    await markSucceeded(deps, succeeded);
    counts.succeeded = succeeded.length;
    deps.metrics.callSucceeded(succeeded.length);
    await deps.alerts.recordSuccess(succeeded.map((s) => s.call.targetAddress));
  }
  if (counts.lost > 0) await reconcileSignerNonce(deps).catch(() => undefined);

  // A call waiting to resend at a lower nonce blocks every nonce above it; those are not stuck.
  const unresolved = attempts.filter((a) => a.nonce >= mined);
  const firstWaiting =
    unresolved.find((a) => calls.get(a.callId)?.status !== 'pending')?.nonce ?? Number.POSITIVE_INFINITY;
  const now = deps.now();
  for (const attempt of unresolved) {
    const call = calls.get(attempt.callId);
    if (call === undefined || call.status !== 'pending' || attempt.nonce > firstWaiting) continue;
    if (now - attempt.lastSentAt.getTime() < deps.options.stuckAfterMs) continue;
    if (await replaceStuck(deps, attempt, call)) counts.replaced++;
  }

  const due = (
    await deps.sql`
      select * from delivery.oracle_call_history
      where chain_id = ${deps.chain.chainId} and signer_address = ${signer}
        and ((status = 'retrying' and next_attempt_at <= ${iso(now)})
          or (status = 'queued' and updated_at <= ${iso(now - deps.options.queuedGraceMs)}))
      order by id limit 500`
  ).map(toCall);
  if (due.length > 0) {
    const outcomes = await sendCalls(deps, due);
    counts.retried = [...outcomes.values()].filter((o) => o === 'sent').length;
  }
  const [left] = await deps.sql<{ n: number }[]>`
    select count(*)::int as n from delivery.oracle_tx_attempts
    where chain_id = ${deps.chain.chainId} and signer_address = ${signer} and outcome = 'pending'`;
  return { skipped: false, ...counts, pending: left?.n ?? 0 };
}

async function loadCalls(deps: DeliveryDeps, ids: readonly number[]): Promise<Map<number, OracleCall>> {
  if (ids.length === 0) return new Map();
  const rows =
    await deps.sql`select * from delivery.oracle_call_history where id = any(${[...new Set(ids)]}::bigint[])`;
  return new Map(rows.map((row) => [Number(row['id']), toCall(row)]));
}

type Resolution = 'failed' | 'missing' | 'lost' | 'none';

interface MinedAtNonce {
  readonly outcome: NonceOutcome;
  readonly receipt: EvmReceipt | undefined;
  readonly receiptJson: Record<string, unknown> | null;
}

interface Mined {
  readonly attempt: TxAttempt;
  readonly call: OracleCall;
  readonly mined: MinedAtNonce;
}

/**
 * Decides every used nonce whose receipts were asked for. Where none of ours has one, the pass is
 * counted against the head block (asked once, only then) and stored, so the next pass goes on
 * from it; an unused nonce that had such passes starts over, since the absence was not steady.
 */
async function weighAbsences(
  deps: DeliveryDeps,
  answered: readonly { attempt: TxAttempt; call: OracleCall | undefined; found: (EvmReceipt | null)[] }[],
  unconsumed: readonly TxAttempt[],
): Promise<{ attempt: TxAttempt; call: OracleCall | undefined; mined: MinedAtNonce }[]> {
  const policy: LostNoncePolicy = {
    passes: deps.options.lostNoncePasses,
    blocks: deps.options.confirmationDepth ?? confirmationDepth(deps.chain.chainId),
  };
  const withoutReceipt = (found: readonly (EvmReceipt | null)[]) => found.every((r) => r === null);
  const head = answered.some((a) => withoutReceipt(a.found))
    ? await deps.breakers.run(deps.chain.endpoint, () => deps.chain.blockNumber()).catch(() => undefined)
    : undefined;
  const seen: { id: number; absence: Absence }[] = [];
  const resolved = answered.map(({ attempt, call, found }) => {
    let absence: { seen: Absence; headBlock: number } | undefined;
    if (head !== undefined && withoutReceipt(found)) {
      const previous =
        attempt.missingSinceBlock === null
          ? null
          : { sinceBlock: attempt.missingSinceBlock, passes: attempt.missingPasses };
      absence = { seen: absenceSeen(previous, head), headBlock: head };
      seen.push({ id: attempt.id, absence: absence.seen });
    }
    return { attempt, call, mined: minedAt(attempt, found, absence, policy) };
  });
  if (seen.length > 0) {
    await deps.sql`
      update delivery.oracle_tx_attempts a set missing_since_block = u.since, missing_passes = u.passes
      from unnest(${seen.map((s) => s.id)}::bigint[], ${seen.map((s) => s.absence.sinceBlock)}::bigint[],
        ${seen.map((s) => s.absence.passes)}::int[]) as u(id, since, passes)
      where a.id = u.id`;
  }
  const restart = unconsumed.filter((a) => a.missingPasses > 0).map((a) => a.id);
  if (restart.length > 0) {
    await deps.sql`
      update delivery.oracle_tx_attempts set missing_since_block = null, missing_passes = 0
      where id = any(${restart}::bigint[])`;
  }
  return resolved;
}

/** Which of the attempt's transactions (call, replacements, fill) has a receipt: the nonce is consumed. */
function minedAt(
  attempt: TxAttempt,
  receiptsByHash: readonly (EvmReceipt | null)[],
  absence: { seen: Absence; headBlock: number } | undefined,
  policy: LostNoncePolicy,
): MinedAtNonce {
  const receipts = attempt.txHashes.map((sent, i) => {
    const receipt = receiptsByHash[i] ?? null;
    return receipt === null ? undefined : { receipt, kind: sent.kind };
  });
  const found = receipts.filter((r): r is { receipt: EvmReceipt; kind: 'call' | 'fill' } => r !== undefined);
  const outcome = nonceOutcome(
    {
      consumed: true,
      receipts: found.map((f) => ({ hash: f.receipt.hash, status: f.receipt.status, kind: f.kind })),
      ...(absence === undefined ? {} : { absence }),
    },
    policy,
  );
  const receipt = found[0]?.receipt;
  const receiptJson =
    receipt === undefined
      ? null
      : {
          hash: receipt.hash,
          status: receipt.status,
          blockNumber: receipt.blockNumber,
          gasUsed: receipt.gasUsed.toString(),
          effectiveGasPrice: receipt.effectiveGasPrice.toString(),
        };
  return { outcome, receipt, receiptJson };
}

/** Completes every call whose own transaction was mined, in one transaction for the lot. */
async function markSucceeded(deps: DeliveryDeps, items: readonly Mined[]): Promise<void> {
  const now = iso(deps.now());
  const hash = (m: Mined) => (m.mined.outcome.kind === 'own' ? m.mined.outcome.hash : '');
  await deps.sql.begin(async (tx) => {
    await tx`
      update delivery.oracle_tx_attempts a set outcome = 'mined', mined_hash = u.hash, block_number = u.block,
        receipt = u.receipt, resolved_at = ${now}::timestamptz
      from unnest(${items.map((m) => m.attempt.id)}::bigint[], ${items.map(hash)}::text[],
        ${items.map((m) => m.mined.receipt?.blockNumber ?? null)}::bigint[],
        ${items.map((m) => JSON.stringify(m.mined.receiptJson))}::jsonb[]) as u(id, hash, block, receipt)
      where a.id = u.id`;
    await tx`
      update delivery.oracle_call_history c set status = 'success', transaction_hash = u.hash, block_number = u.block,
        gas_used = u.gas, completed_at = ${now}::timestamptz, next_attempt_at = null, updated_at = ${now}::timestamptz,
        notes = case when c.notes like 'failed for good%' then 'own transaction mined before the fill' else c.notes end
      from unnest(${items.map((m) => m.call.id)}::bigint[], ${items.map(hash)}::text[],
        ${items.map((m) => m.mined.receipt?.blockNumber ?? null)}::bigint[],
        ${items.map((m) => m.mined.receipt?.gasUsed.toString() ?? null)}::bigint[]) as u(id, hash, block, gas)
      where c.id = u.id`;
    for (const { call } of items) {
      if (call.supersedeKey === null) continue;
      // Older calls with the same key that hold no nonce are never sent over this one.
      await tx`
        update delivery.oracle_call_history o set status = 'superseded', completed_at = ${now},
          next_attempt_at = null, notes = ${`superseded by call ${call.id}, which succeeded`}, updated_at = ${now}
        where o.supersede_key = ${call.supersedeKey} and o.id < ${call.id} and o.status in ('queued', 'retrying')
          and not exists (select 1 from delivery.oracle_tx_attempts a where a.call_id = o.id and a.outcome = 'pending')`;
    }
  });
}

async function resolveAttempt(
  deps: DeliveryDeps,
  attempt: TxAttempt,
  call: OracleCall,
  mined: MinedAtNonce,
): Promise<Resolution> {
  const { outcome, receipt, receiptJson } = mined;
  const now = iso(deps.now());
  switch (outcome.kind) {
    case 'unmined':
      return 'none';
    case 'missing':
      deps.telemetry.info('no receipt at a used nonce; not taken for lost yet', {
        callId: call.id,
        nonce: attempt.nonce,
      });
      return 'missing';
    case 'lost': {
      await markAttemptLost(deps, attempt);
      if (call.notes?.startsWith('failed for good') === true) {
        await completeFailed(
          deps,
          call,
          call.errorMessage ?? 'failed; its nonce was taken by another transaction',
        );
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
    case 'own': {
      const reason =
        (await deps.chain
          .revertReason(
            { from: deps.signer.address, to: call.contractAddress, data: call.callData },
            receipt?.blockNumber ?? 0,
          )
          .catch(() => undefined)) ?? 'reverted without a reason';
      await deps.sql`
        update delivery.oracle_tx_attempts set outcome = 'reverted', mined_hash = ${outcome.hash},
          block_number = ${receipt?.blockNumber ?? null}, receipt = ${JSON.stringify(receiptJson)}::jsonb, resolved_at = ${now},
          error_code = 'execution', error_message = ${reason}
        where id = ${attempt.id}`;
      await deps.sql`
        update delivery.oracle_call_history set transaction_hash = ${outcome.hash},
          block_number = ${receipt?.blockNumber ?? null}, gas_used = ${receipt?.gasUsed.toString() ?? null}::bigint,
          error_code = 'execution', error_message = ${reason}
        where id = ${call.id}`;
      await deps.alerts.recordFailure(
        call.targetAddress,
        call.functionName,
        `execution: ${reason}`,
        call.attemptCount,
      );
      await completeFailed(deps, call, reason);
      return 'failed';
    }
    case 'filled': {
      await deps.sql`
        update delivery.oracle_tx_attempts set outcome = 'filled', mined_hash = ${outcome.hash},
          block_number = ${receipt?.blockNumber ?? null}, receipt = ${JSON.stringify(receiptJson)}::jsonb, resolved_at = ${now}
        where id = ${attempt.id}`;
      if (call.errorCode === 'superseded') {
        await deps.sql`
          update delivery.oracle_call_history set status = 'superseded', completed_at = ${now}, updated_at = ${now}
          where id = ${call.id}`;
        return 'none';
      }
      await completeFailed(deps, call, call.errorMessage ?? 'failed; nonce filled');
      return 'failed';
    }
  }
}

async function completeFailed(deps: DeliveryDeps, call: OracleCall, reason: string): Promise<void> {
  const now = iso(deps.now());
  const [row] = await deps.sql`
    update delivery.oracle_call_history set status = 'failed', completed_at = ${now}, next_attempt_at = null,
      error_message = ${reason.slice(0, 2000)}, updated_at = ${now}
    where id = ${call.id} and status <> 'failed' returning id`;
  if (row !== undefined) await deadLetter(deps, call, reason);
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
    deps.telemetry.info('replaced stuck oracle transaction', {
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

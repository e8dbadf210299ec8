/**
 * What one confirmer pass makes of the receipts it asked for (DESIGN.md section 5): which of an
 * attempt's transactions (call, replacements, fill) was mined at its nonce, how long a used nonce
 * has been without any receipt of ours, and which pending nonces count as stuck.
 */
import {
  type Absence,
  absenceSeen,
  type LostNoncePolicy,
  type NonceOutcome,
  nonceOutcome,
} from './nonce-outcome.ts';

/** A receipt as the chain reports it. */
export interface Receipt {
  readonly hash: string;
  /** 1 success, 0 reverted. */
  readonly status: number;
  readonly blockNumber: number;
  readonly gasUsed: bigint;
  readonly effectiveGasPrice: bigint;
}

/** One transaction signed at an attempt's nonce. */
export interface SentAtNonce {
  readonly hash: string;
  readonly kind: 'call' | 'fill';
}

export interface ResolvedNonce {
  readonly outcome: NonceOutcome;
  /** The first receipt found among the attempt's transactions. */
  readonly receipt: Receipt | undefined;
  /** That receipt as stored on the attempt (amounts as decimal strings, since JSON has no bigint). */
  readonly receiptJson: Record<string, unknown> | null;
}

/**
 * Decides a used nonce from the receipts of every transaction signed at it (`receiptsByHash`
 * in the order of `sent`, null where the chain has none) and the absence this pass saw.
 */
export function resolveUsedNonce(
  sent: readonly SentAtNonce[],
  receiptsByHash: readonly (Receipt | null)[],
  absence: { seen: Absence; headBlock: number } | undefined,
  policy: LostNoncePolicy,
): ResolvedNonce {
  const found = sent.flatMap((tx, i) => {
    const receipt = receiptsByHash[i] ?? null;
    return receipt === null ? [] : [{ receipt, kind: tx.kind }];
  });
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

/** Whether every receipt asked for at a nonce came back empty. */
export const withoutReceipt = (found: readonly (Receipt | null)[]): boolean => found.every((r) => r === null);

/** The absence this pass adds at a nonce without any receipt of ours, seen at head block `head`. */
export function absenceAt(
  previous: { missingSinceBlock: number | null; missingPasses: number },
  head: number,
): { seen: Absence; headBlock: number } {
  const before =
    previous.missingSinceBlock === null
      ? null
      : { sinceBlock: previous.missingSinceBlock, passes: previous.missingPasses };
  return { seen: absenceSeen(before, head), headBlock: head };
}

/**
 * Splits receipts asked for as one flat list (every transaction of every attempt, in order) back
 * into each attempt's own; a rejected request counts as no receipt.
 */
export function receiptsPerAttempt<A extends { readonly txHashes: readonly unknown[] }>(
  attempts: readonly A[],
  settled: readonly PromiseSettledResult<Receipt | null>[],
): { attempt: A; found: (Receipt | null)[] }[] {
  let offset = 0;
  return attempts.map((attempt) => {
    const own = settled.slice(offset, offset + attempt.txHashes.length);
    offset += attempt.txHashes.length;
    return { attempt, found: own.map((r) => (r.status === 'fulfilled' ? r.value : null)) };
  });
}

/** A pending nonce the chain has not reached, with the state of the call holding it. */
export interface UnminedAttempt {
  readonly nonce: number;
  readonly lastSentAt: Date;
  /** The call's status; undefined when the call is unknown. */
  readonly callStatus: string | undefined;
}

/**
 * The unmined attempts to replace with higher fees: pending calls whose last send is older than
 * `stuckAfterMs`. A call waiting to resend at a lower nonce blocks every nonce above it, so those
 * are not stuck. `unresolved` is in nonce order.
 */
export function stuckAttempts<A extends UnminedAttempt>(
  unresolved: readonly A[],
  now: number,
  stuckAfterMs: number,
): A[] {
  const firstWaiting = unresolved.find((a) => a.callStatus !== 'pending')?.nonce ?? Number.POSITIVE_INFINITY;
  return unresolved.filter(
    (a) =>
      a.callStatus === 'pending' && a.nonce <= firstWaiting && now - a.lastSentAt.getTime() >= stuckAfterMs,
  );
}

/**
 * What decides a call that holds a nonce (DESIGN.md section 5): whatever is mined at that nonce.
 * The call's own transaction (first send or a replacement) means success or a revert; the
 * zero-value fill means the call failed; nothing mined yet means the call stays pending.
 *
 * "Someone else's transaction took the nonce" (lost: the call needs a new nonce) is only ever an
 * inference from absence: the nonce is used and none of our transactions has a receipt. A
 * load-balanced RPC whose backends disagree, or a receipt index that lags (Lotus), answers null
 * for a mined transaction, and resending under a new nonce then repeats the call's effect. So a
 * nonce is lost only once the absence has held over several confirmer passes in a row and over
 * the chain's confirmation depth in blocks (./confirmation-depth.ts); until then it is missing.
 */

export type NonceOutcome =
  | { readonly kind: 'unmined' }
  | { readonly kind: 'own'; readonly hash: string; readonly reverted: boolean }
  | { readonly kind: 'filled'; readonly hash: string }
  /** Used, none of ours has a receipt yet, and that has not held long enough to call it lost. */
  | { readonly kind: 'missing' }
  | { readonly kind: 'lost' };

/** How long the absence of every receipt of ours must hold before a used nonce counts as lost. */
export interface LostNoncePolicy {
  /** Confirmer passes in a row that found the nonce used and no receipt of ours. */
  readonly passes: number;
  /** Blocks the chain's head must have advanced since the first of those passes. */
  readonly blocks: number;
}

/** The absence seen so far at one nonce: the head block at its first pass and the passes in a row. */
export interface Absence {
  readonly sinceBlock: number;
  readonly passes: number;
}

export interface MinedAtNonce {
  /** Whether the signer's mined nonce count has passed this nonce. */
  readonly consumed: boolean;
  /** Our hashes at this nonce that have a receipt, with their status. */
  readonly receipts: readonly {
    readonly hash: string;
    readonly status: number;
    readonly kind: 'call' | 'fill';
  }[];
  /** The absence including this pass, and the head block now; missing when the head is unknown. */
  readonly absence?: { readonly seen: Absence; readonly headBlock: number };
}

/** One more pass that found the nonce used and no receipt of ours, at head block `headBlock`. */
export function absenceSeen(previous: Absence | null, headBlock: number): Absence {
  return previous === null
    ? { sinceBlock: headBlock, passes: 1 }
    : { sinceBlock: previous.sinceBlock, passes: previous.passes + 1 };
}

export function nonceOutcome(mined: MinedAtNonce, policy: LostNoncePolicy): NonceOutcome {
  const receipt = mined.receipts[0];
  if (receipt !== undefined) {
    if (receipt.kind === 'fill') return { kind: 'filled', hash: receipt.hash };
    return { kind: 'own', hash: receipt.hash, reverted: receipt.status !== 1 };
  }
  if (!mined.consumed) return { kind: 'unmined' };
  const absence = mined.absence;
  if (absence === undefined) return { kind: 'missing' };
  const blocks = absence.headBlock - absence.seen.sinceBlock;
  return absence.seen.passes >= policy.passes && blocks >= policy.blocks
    ? { kind: 'lost' }
    : { kind: 'missing' };
}

/**
 * What decides a call that holds a nonce (DESIGN.md section 5): whatever is mined at that nonce.
 * The call's own transaction (first send or a replacement) means success or a revert; the
 * zero-value fill means the call failed; someone else's transaction means the nonce was lost
 * and the call needs a new one; nothing mined yet means the call stays pending.
 */

export type NonceOutcome =
  | { readonly kind: 'unmined' }
  | { readonly kind: 'own'; readonly hash: string; readonly reverted: boolean }
  | { readonly kind: 'filled'; readonly hash: string }
  | { readonly kind: 'lost' };

export interface MinedAtNonce {
  /** Whether the signer's mined nonce count has passed this nonce. */
  readonly consumed: boolean;
  /** Our hashes at this nonce that have a receipt, with their status. */
  readonly receipts: readonly {
    readonly hash: string;
    readonly status: number;
    readonly kind: 'call' | 'fill';
  }[];
}

export function nonceOutcome(mined: MinedAtNonce): NonceOutcome {
  const receipt = mined.receipts[0];
  if (receipt !== undefined) {
    if (receipt.kind === 'fill') return { kind: 'filled', hash: receipt.hash };
    return { kind: 'own', hash: receipt.hash, reverted: receipt.status !== 1 };
  }
  return mined.consumed ? { kind: 'lost' } : { kind: 'unmined' };
}

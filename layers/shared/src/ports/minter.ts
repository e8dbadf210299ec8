/**
 * Mints credential reward tokens. Production goes through the oracle call delivery engine; the
 * claim id makes a resend mint once (the token contract records it too).
 */
export interface MintRequest {
  readonly claimId: string;
  readonly to: string;
  readonly amount: bigint;
}

export interface MintResult {
  readonly txHash: string | undefined;
  /** 'minted' when confirmed; 'queued' when handed to the delivery engine. */
  readonly status: 'minted' | 'queued';
}

export interface Minter {
  mint(request: MintRequest): Promise<MintResult>;
}

/** How a queued mint ended: `minted` (with its transaction), `failed` for good, or still `pending`. */
export interface MintOutcome {
  readonly status: 'minted' | 'failed' | 'pending';
  readonly txHash: string | undefined;
}

/**
 * A minter that queues (the delivery engine) also reports how its mints ended, and ends a failed
 * one for good when its amount is given back. `Transaction` is the caller's open database
 * transaction, in the adapter's own type.
 */
export interface QueuedMinter<Transaction = unknown> extends Minter {
  outcomes(claimIds: readonly string[]): Promise<Map<string, MintOutcome>>;
  /**
   * Makes a mint that failed for good terminal, never to be retried or redriven, because its
   * amount is being refunded; inside `within`, so the end and the refund commit together. False
   * when the mint is no longer failed (an operator reopened it, or it landed): then nothing may
   * be refunded.
   */
  abandonFailed(claimId: string, reason: string, within: Transaction): Promise<boolean>;
}

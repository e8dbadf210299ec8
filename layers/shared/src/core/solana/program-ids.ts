/**
 * Well-known Solana program addresses (base58). Kept as plain strings so that core code can
 * name them without a chain SDK.
 */

/** attention-oracle-program, layout v1 (DESIGN.md section 5); configurable per deployment. */
export const DEFAULT_ATTENTION_PROGRAM_ID = 'GnGzNdsQMxMpJfMeqnkGPsvHm8kwaDidiKjNU2dCVZop';

/** SPL Memo v3: the program memo-mode publication writes to. */
export const MEMO_PROGRAM_ID = 'MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr';

export const SYSTEM_PROGRAM_ID = '11111111111111111111111111111111';
export const COMPUTE_BUDGET_PROGRAM_ID = 'ComputeBudget111111111111111111111111111111';
/** The attention program's mints are Token-2022 mints. */
export const TOKEN_2022_PROGRAM_ID = 'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb';
export const ASSOCIATED_TOKEN_PROGRAM_ID = 'ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL';

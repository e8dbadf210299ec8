/**
 * When a failed oracle call is tried again. The source retries with exponential backoff up to
 * ORACLE_MAX_RETRIES = 5 (a setting, this its default); DESIGN.md fixes the delays at 2, 4, 8,
 * 16, 30 s, so a call gets its first attempt plus at most that many retries, every retry past
 * the fifth 30 s after the one before. Reverts are never retried.
 */
import type { ChainErrorKind } from '../../errors.ts';

export const RETRY_DELAYS_MS = [2_000, 4_000, 8_000, 16_000, 30_000] as const;
export const MAX_RETRIES = RETRY_DELAYS_MS.length;
export const MAX_ATTEMPTS = 1 + MAX_RETRIES;

/** Attempts a call gets with `maxRetries` retries: the first one plus the retries. */
export function maxAttemptsFor(maxRetries: number): number {
  if (!Number.isSafeInteger(maxRetries) || maxRetries < 0) {
    throw new RangeError(`max retries must be a non-negative integer, got ${maxRetries}`);
  }
  return 1 + maxRetries;
}

export type RetryDecision =
  | { readonly action: 'retry'; readonly delayMs: number }
  | { readonly action: 'fail' };

/** `failedAttempts` counts the attempt that just failed; `maxAttempts` is the call's own. */
export function decideRetry(
  failedAttempts: number,
  kind: ChainErrorKind,
  maxAttempts: number = MAX_ATTEMPTS,
): RetryDecision {
  if (kind === 'execution') return { action: 'fail' };
  if (failedAttempts >= maxAttempts) return { action: 'fail' };
  const delayMs =
    RETRY_DELAYS_MS[Math.max(0, failedAttempts - 1)] ?? RETRY_DELAYS_MS[RETRY_DELAYS_MS.length - 1];
  return { action: 'retry', delayMs: delayMs ?? 30_000 };
}

/**
 * Retrying transactions that PostgreSQL aborted to break a deadlock (40P01) or a serialization
 * conflict (40001), and a small bounded-concurrency loop for per-(epoch, channel) work.
 */
import type { Telemetry } from '../../ports/telemetry.ts';

const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 5;

/** Deadlocks and serialization failures are retried with exponential backoff and jitter. */
export async function withSerializationRetry<T>(
  telemetry: Telemetry,
  what: string,
  fn: () => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code !== 'string' || !RETRYABLE.has(code) || attempt >= MAX_ATTEMPTS) throw error;
      const delay = 25 * 2 ** (attempt - 1) * (0.5 + Math.random());
      telemetry.warn('transaction retried', { what, code, attempt, delayMs: Math.round(delay) });
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; the first failure is rethrown after all settle. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < items.length && failure === undefined) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== undefined) throw failure;
}

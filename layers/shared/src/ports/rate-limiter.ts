export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly count: number;
  /** Seconds until the current window ends (what `Retry-After` says). */
  readonly retryAfterSeconds: number;
}

/** Fixed-window counters shared by every instance of a function (DynamoDB on AWS and locally). */
export interface RateLimiter {
  /** Counts `cost` (default 1: one request) against `key`'s current window; allowed while the window's count is within `limit`. */
  hit(
    key: string,
    limit: number,
    windowSeconds: number,
    nowMs: number,
    cost?: number,
  ): Promise<RateLimitDecision>;
  /**
   * Counts `cost` against `key` in several windows at once (a minute and an hour, say), with one
   * write: each window's length must divide the longest's. One decision per window, in order.
   */
  hitEach(
    key: string,
    windows: readonly { readonly limit: number; readonly windowSeconds: number }[],
    nowMs: number,
    cost?: number,
  ): Promise<RateLimitDecision[]>;
}

/** Time as the limiter and clients see it; injectable so tests run without waiting. */
export interface Timer {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemTimer: Timer = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

export interface TokenBucketOptions {
  /**
   * Requests the bucket hands out in any 60-second window of its own clock.
   * @default 760: Twitch allows 800 a minute per app token, counted on its clock at arrival;
   * the 5% headroom absorbs requests taken together but arriving spread by network latency.
   */
  readonly perMinute?: number;
  /** Tokens available at once. @default 5% of perMinute */
  readonly burst?: number;
  readonly timer?: Timer;
}

/**
 * A token bucket shared by every call of one Helix client. It refills at
 * (perMinute − burst) per minute so that a full burst plus a minute of refill never exceeds
 * perMinute in any 60-second window — Twitch counts a rolling minute, and a bucket refilling
 * at the full rate would allow up to twice the limit in the minute after a burst.
 */
export class TokenBucket {
  private readonly capacity: number;
  private readonly refillPerMs: number;
  private readonly timer: Timer;
  private tokens: number;
  private updatedAt: number;
  private pausedUntil = 0;
  /** Callers waiting, in order; each waits for the one before it so nobody starves. */
  private queue: Promise<void> = Promise.resolve();

  constructor(options: TokenBucketOptions = {}) {
    const perMinute = options.perMinute ?? 760;
    this.capacity = Math.max(1, Math.min(options.burst ?? Math.floor(perMinute * 0.05), perMinute - 1));
    this.refillPerMs = (perMinute - this.capacity) / 60_000;
    this.timer = options.timer ?? systemTimer;
    this.tokens = this.capacity;
    this.updatedAt = this.timer.now();
  }

  /** Waits for one token. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.takeNow());
    this.queue = turn.catch(() => {});
    return turn;
  }

  /** Nobody gets a token before `untilMs` (a 429's Ratelimit-Reset), and the bucket restarts empty. */
  pauseUntil(untilMs: number): void {
    if (untilMs > this.pausedUntil) this.pausedUntil = untilMs;
    this.tokens = 0;
    this.updatedAt = Math.max(this.updatedAt, untilMs);
  }

  private refill(now: number): void {
    if (now > this.updatedAt) {
      this.tokens = Math.min(this.capacity, this.tokens + (now - this.updatedAt) * this.refillPerMs);
      this.updatedAt = now;
    }
  }

  private async takeNow(): Promise<void> {
    for (;;) {
      const now = this.timer.now();
      if (now < this.pausedUntil) {
        await this.timer.sleep(this.pausedUntil - now);
        continue;
      }
      this.refill(now);
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.timer.sleep(Math.ceil((1 - this.tokens) / this.refillPerMs));
    }
  }
}

/**
 * The circuit breakers of this process, one per RPC endpoint (core/delivery/circuit-breaker.ts
 * decides). Only network failures count: a revert or a nonce error proves the endpoint answers.
 */
import { classifyChainError } from '../../core/delivery/chain-error-class.ts';
import {
  type BreakerOptions,
  type BreakerState,
  breakerAllows,
  breakerAt,
  breakerFailed,
  breakerSucceeded,
  CLOSED_BREAKER,
} from '../../core/delivery/circuit-breaker.ts';
import { CircuitOpenError } from '../../errors.ts';

export class CircuitBreakers {
  readonly #states = new Map<string, BreakerState>();

  constructor(
    private readonly now: () => number,
    private readonly options: BreakerOptions = {},
  ) {}

  state(endpoint: string): BreakerState {
    return breakerAt(this.#states.get(endpoint) ?? CLOSED_BREAKER, this.now(), this.options);
  }

  allows(endpoint: string): boolean {
    return breakerAllows(this.#states.get(endpoint) ?? CLOSED_BREAKER, this.now(), this.options);
  }

  /**
   * Runs a batch of calls to the endpoint (they often share one HTTP request, and fail together)
   * and counts the batch once: a failure only if nothing answered and the errors were network errors.
   */
  async runAll<T>(endpoint: string, fns: readonly (() => Promise<T>)[]): Promise<PromiseSettledResult<T>[]> {
    if (!this.allows(endpoint)) {
      const open = new CircuitOpenError(`circuit open for ${endpoint}: calls paused until it answers again`, {
        details: { endpoint },
      });
      return fns.map(() => ({ status: 'rejected', reason: open }));
    }
    const results = await Promise.allSettled(fns.map((fn) => fn()));
    if (results.length === 0) return results;
    const answered = results.some(
      (r) => r.status === 'fulfilled' || classifyChainError(r.reason).kind !== 'network',
    );
    this.#states.set(
      endpoint,
      answered
        ? breakerSucceeded()
        : breakerFailed(this.#states.get(endpoint) ?? CLOSED_BREAKER, this.now(), this.options),
    );
    return results;
  }

  /** Runs `fn` unless the endpoint's breaker is open; records whether the endpoint answered. */
  async run<T>(endpoint: string, fn: () => Promise<T>): Promise<T> {
    if (!this.allows(endpoint)) {
      throw new CircuitOpenError(`circuit open for ${endpoint}: calls paused until it answers again`, {
        details: { endpoint },
      });
    }
    try {
      const result = await fn();
      this.#states.set(endpoint, breakerSucceeded());
      return result;
    } catch (error) {
      if (classifyChainError(error).kind === 'network') {
        this.#states.set(
          endpoint,
          breakerFailed(this.#states.get(endpoint) ?? CLOSED_BREAKER, this.now(), this.options),
        );
      } else {
        this.#states.set(endpoint, breakerSucceeded());
      }
      throw error;
    }
  }
}

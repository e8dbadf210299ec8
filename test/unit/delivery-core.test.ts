import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ALERT_POLICY,
  NO_FAILURES,
  registerFailure,
  registerSuccess,
} from '../../layers/shared/src/core/delivery/alert-policy.ts';
import { classifyChainError } from '../../layers/shared/src/core/delivery/chain-error-class.ts';
import {
  breakerAllows,
  breakerAt,
  breakerFailed,
  breakerSucceeded,
  CLOSED_BREAKER,
} from '../../layers/shared/src/core/delivery/circuit-breaker.ts';
import { confirmationDepth } from '../../layers/shared/src/core/delivery/confirmation-depth.ts';
import {
  bumpFees,
  feesFromHistory,
  gasLimitFromEstimate,
} from '../../layers/shared/src/core/delivery/fee-policy.ts';
import {
  absenceSeen,
  type LostNoncePolicy,
  nonceOutcome,
} from '../../layers/shared/src/core/delivery/nonce-outcome.ts';
import {
  decideRetry,
  MAX_ATTEMPTS,
  maxAttemptsFor,
  RETRY_DELAYS_MS,
} from '../../layers/shared/src/core/delivery/retry-schedule.ts';
import { healthLevel } from '../../layers/shared/src/services/delivery/delivery-health.ts';

const ethersError = (code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(String(extra['shortMessage'] ?? code)), { code, ...extra });

describe('chain error classification', () => {
  it('classifies a CALL_EXCEPTION as execution with the decoded revert reason', () => {
    const error = ethersError('CALL_EXCEPTION', {
      reason: 'FPMM: season closed',
      revert: { args: ['FPMM: season closed'] },
      shortMessage: 'execution reverted: "FPMM: season closed"',
    });
    expect(classifyChainError(error)).toEqual({
      kind: 'execution',
      reason: 'FPMM: season closed',
      code: 'CALL_EXCEPTION',
    });
  });

  it('falls back to the revert arguments when ethers gives no reason', () => {
    const error = ethersError('CALL_EXCEPTION', {
      reason: null,
      revert: { args: ['FPMM: caller is not the oracle'] },
    });
    expect(classifyChainError(error).reason).toBe('FPMM: caller is not the oracle');
  });

  it.each([
    ['NONCE_EXPIRED', 'nonce'],
    ['REPLACEMENT_UNDERPRICED', 'nonce'],
    ['INSUFFICIENT_FUNDS', 'gas'],
    ['NETWORK_ERROR', 'network'],
    ['TIMEOUT', 'network'],
    ['SERVER_ERROR', 'network'],
    ['ECONNREFUSED', 'network'],
  ])('classifies ethers code %s as %s', (code, kind) => {
    expect(classifyChainError(ethersError(code)).kind).toBe(kind);
  });

  it.each([
    ['nonce too low: next nonce 5, tx nonce 3', 'nonce'],
    ['replacement transaction underpriced', 'nonce'],
    ['max fee per gas less than block base fee', 'gas'],
    ['intrinsic gas too low', 'gas'],
    ['fetch failed', 'network'],
  ])('classifies a node message "%s" wrapped by ethers as %s', (message, kind) => {
    const error = ethersError('UNKNOWN_ERROR', {
      shortMessage: 'could not coalesce error',
      error: { message },
    });
    expect(classifyChainError(error).kind).toBe(kind);
  });

  it('classifies a refused socket found in the cause chain as network', () => {
    const error = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    expect(classifyChainError(error)).toMatchObject({ kind: 'network', code: 'ECONNREFUSED' });
  });

  it('calls an error it cannot place unknown, keeping its message', () => {
    expect(classifyChainError(new Error('something odd'))).toEqual({
      kind: 'unknown',
      reason: 'something odd',
      code: undefined,
    });
  });
});

describe('retry schedule', () => {
  it('retries after 2, 4, 8, 16 and 30 seconds, then fails: the first attempt plus five retries', () => {
    const decisions = Array.from({ length: MAX_ATTEMPTS }, (_, i) => decideRetry(i + 1, 'network'));
    expect(decisions.slice(0, 5)).toEqual(RETRY_DELAYS_MS.map((delayMs) => ({ action: 'retry', delayMs })));
    expect(decisions[5]).toEqual({ action: 'fail' });
    expect(MAX_ATTEMPTS).toBe(6);
  });

  it('fails sooner with fewer retries configured, and keeps retrying every 30 s past five', () => {
    expect(decideRetry(1, 'network', maxAttemptsFor(1))).toEqual({ action: 'retry', delayMs: 2_000 });
    expect(decideRetry(2, 'network', maxAttemptsFor(1))).toEqual({ action: 'fail' });
    expect(decideRetry(1, 'gas', maxAttemptsFor(0))).toEqual({ action: 'fail' });
    expect(decideRetry(7, 'nonce', maxAttemptsFor(8))).toEqual({ action: 'retry', delayMs: 30_000 });
    expect(decideRetry(9, 'nonce', maxAttemptsFor(8))).toEqual({ action: 'fail' });
    expect(() => maxAttemptsFor(-1)).toThrow(RangeError);
  });

  it('never retries a revert', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        (attempts) => decideRetry(attempts, 'execution').action === 'fail',
      ),
    );
  });
});

describe('fee policy', () => {
  it('takes the median reward as priority fee and leaves room for the base fee to double', () => {
    const fees = feesFromHistory(
      { baseFeePerGas: [10n, 12n, 20n], reward: [[3_000_000_000n], [1_000_000_000n], [2_000_000_000n]] },
      { minPriorityFeePerGas: 1n },
    );
    expect(fees).toEqual({ maxPriorityFeePerGas: 2_000_000_000n, maxFeePerGas: 40n + 2_000_000_000n });
  });

  it('never bids a priority fee under the floor', () => {
    expect(feesFromHistory({ baseFeePerGas: [1n], reward: [[0n]] }).maxPriorityFeePerGas).toBe(
      1_000_000_000n,
    );
  });

  it('adds 20 % to the gas estimate, rounding up', () => {
    expect(gasLimitFromEstimate(21_000n)).toBe(25_200n);
    expect(gasLimitFromEstimate(1n)).toBe(2n);
  });

  it('raises both caps by at least 20 % and at least the node minimum bump, never below current fees', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        fc.bigInt({ min: 0n, max: 50n }),
        fc.bigInt({ min: 0n, max: 10n ** 16n }),
        (priority, extra, nodeMin, current) => {
          const previous = { maxPriorityFeePerGas: priority, maxFeePerGas: priority + extra };
          const bumped = bumpFees(previous, nodeMin, { maxFeePerGas: current, maxPriorityFeePerGas: 0n });
          const percent = nodeMin > 20n ? nodeMin : 20n;
          return (
            bumped.maxFeePerGas * 100n >= previous.maxFeePerGas * (100n + percent) &&
            bumped.maxPriorityFeePerGas * 100n >= previous.maxPriorityFeePerGas * (100n + percent) &&
            bumped.maxFeePerGas > previous.maxFeePerGas &&
            bumped.maxPriorityFeePerGas > previous.maxPriorityFeePerGas &&
            bumped.maxFeePerGas >= current &&
            bumped.maxFeePerGas >= bumped.maxPriorityFeePerGas
          );
        },
      ),
    );
  });
});

describe('circuit breaker', () => {
  const options = { failureThreshold: 3, coolOffMs: 1_000 };

  it('opens after the threshold of consecutive failures and refuses calls', () => {
    let state = CLOSED_BREAKER;
    for (let i = 0; i < 2; i++) state = breakerFailed(state, 0, options);
    expect(breakerAllows(state, 0, options)).toBe(true);
    state = breakerFailed(state, 0, options);
    expect(state.phase).toBe('open');
    expect(breakerAllows(state, 999, options)).toBe(false);
  });

  it('half-opens after the cool-off, reopens on a failed probe and closes on a successful one', () => {
    let state = CLOSED_BREAKER;
    for (let i = 0; i < 3; i++) state = breakerFailed(state, 0, options);
    expect(breakerAt(state, 1_000, options).phase).toBe('half-open');
    const reopened = breakerFailed(state, 1_000, options);
    expect(reopened).toMatchObject({ phase: 'open', openedAt: 1_000 });
    expect(breakerAllows(reopened, 1_500, options)).toBe(false);
    expect(breakerSucceeded()).toEqual(CLOSED_BREAKER);
  });

  it('a success between failures starts the count over', () => {
    let state = breakerFailed(breakerFailed(CLOSED_BREAKER, 0, options), 0, options);
    state = breakerSucceeded();
    state = breakerFailed(breakerFailed(state, 0, options), 0, options);
    expect(state.phase).toBe('closed');
  });
});

describe('alert policy', () => {
  it('alerts at the third consecutive failure, then at most once per cooldown', () => {
    let state = NO_FAILURES;
    const alerts: number[] = [];
    for (const t of [0, 1_000, 2_000, 3_000, 60_000, 301_999, 302_000, 302_001]) {
      const next = registerFailure(state, t);
      state = next.state;
      if (next.alert) alerts.push(t);
    }
    expect(alerts).toEqual([2_000, 302_000]);
  });

  it('resets count and cooldown on success', () => {
    let state = NO_FAILURES;
    for (const t of [0, 1, 2]) state = registerFailure(state, t).state;
    state = registerSuccess();
    expect(registerFailure(registerFailure(state, 3).state, 4).alert).toBe(false);
    expect(registerFailure(registerFailure(registerFailure(state, 3).state, 4).state, 5).alert).toBe(true);
  });

  it('never alerts twice within the cooldown, whatever the failure times', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 600_000 }), { minLength: 1, maxLength: 60 }), (gaps) => {
        let t = 0;
        let state = NO_FAILURES;
        let lastAlert = Number.NEGATIVE_INFINITY;
        for (const gap of gaps) {
          t += gap;
          const next = registerFailure(state, t, DEFAULT_ALERT_POLICY);
          if (next.alert) {
            if (t - lastAlert < DEFAULT_ALERT_POLICY.cooldownMs) return false;
            lastAlert = t;
          }
          state = next.state;
        }
        return true;
      }),
    );
  });
});

describe('nonce outcome', () => {
  const policy: LostNoncePolicy = { passes: 3, blocks: 20 };
  const absence = (passes: number, blocks: number) => ({
    seen: { sinceBlock: 1_000, passes },
    headBlock: 1_000 + blocks,
  });

  it('lets whatever was mined at the nonce decide', () => {
    expect(nonceOutcome({ consumed: false, receipts: [] }, policy)).toEqual({ kind: 'unmined' });
    expect(
      nonceOutcome({ consumed: true, receipts: [{ hash: '0xa', status: 1, kind: 'call' }] }, policy),
    ).toEqual({
      kind: 'own',
      hash: '0xa',
      reverted: false,
    });
    expect(
      nonceOutcome({ consumed: true, receipts: [{ hash: '0xb', status: 0, kind: 'call' }] }, policy),
    ).toMatchObject({
      reverted: true,
    });
    expect(
      nonceOutcome({ consumed: true, receipts: [{ hash: '0xf', status: 1, kind: 'fill' }] }, policy),
    ).toEqual({
      kind: 'filled',
      hash: '0xf',
    });
    expect(
      nonceOutcome(
        { consumed: true, receipts: [{ hash: '0xa', status: 1, kind: 'call' }], absence: absence(9, 99) },
        policy,
      ),
    ).toMatchObject({ kind: 'own' });
  });

  it('calls a used nonce without any receipt of ours missing until the absence held for the passes and the depth', () => {
    const used = (a?: ReturnType<typeof absence>) =>
      nonceOutcome({ consumed: true, receipts: [], ...(a === undefined ? {} : { absence: a }) }, policy).kind;
    expect(used()).toBe('missing');
    expect(used(absence(1, 0))).toBe('missing');
    expect(used(absence(2, 500))).toBe('missing');
    expect(used(absence(50, 19))).toBe('missing');
    expect(used(absence(3, 20))).toBe('lost');
  });

  it('is lost only when both the passes and the blocks reached the policy', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 100 }),
        (passes, blocks, needPasses, needBlocks) => {
          const kind = nonceOutcome(
            { consumed: true, receipts: [], absence: absence(passes, blocks) },
            { passes: needPasses, blocks: needBlocks },
          ).kind;
          return kind === (passes >= needPasses && blocks >= needBlocks ? 'lost' : 'missing');
        },
      ),
    );
  });

  it('counts passes in a row from the head block of the first', () => {
    const first = absenceSeen(null, 500);
    const third = absenceSeen(absenceSeen(first, 501), 530);
    expect(first).toEqual({ sinceBlock: 500, passes: 1 });
    expect(third).toEqual({ sinceBlock: 500, passes: 3 });
  });

  it('waits longer for receipts on Filecoin than on anvil, and takes an override by chain id', () => {
    expect(confirmationDepth(314)).toBeGreaterThan(confirmationDepth(31337));
    expect(confirmationDepth(314159)).toBe(confirmationDepth(314));
    expect(confirmationDepth(99_999)).toBe(12);
    expect(confirmationDepth(314, { '314': 60 })).toBe(60);
    expect(confirmationDepth(31337, { '314': 60 })).toBe(2);
  });
});

describe('delivery health level', () => {
  it('warns under 90 % success and turns critical under 70 %, as the source monitor did', () => {
    expect([100, 90, 89.9, 70, 69.9, 0].map(healthLevel)).toEqual([
      'ok',
      'ok',
      'warning',
      'warning',
      'critical',
      'critical',
    ]);
  });
});

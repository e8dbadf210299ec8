import { describe, expect, it } from 'vitest';
import {
  absenceAt,
  type Receipt,
  receiptsPerAttempt,
  resolveUsedNonce,
  stuckAttempts,
  withoutReceipt,
} from '../../layers/shared/src/core/delivery/nonce-receipts.ts';

const policy = { passes: 3, blocks: 12 };

function receipt(hash: string, status = 1): Receipt {
  return { hash, status, blockNumber: 40, gasUsed: 21_000n, effectiveGasPrice: 7n };
}

describe('resolveUsedNonce', () => {
  it('takes the first transaction with a receipt, a replacement as well as the original', () => {
    const sent = [
      { hash: '0xa', kind: 'call' as const },
      { hash: '0xb', kind: 'call' as const },
    ];
    const resolved = resolveUsedNonce(sent, [null, receipt('0xb')], undefined, policy);
    expect(resolved.outcome).toEqual({ kind: 'own', hash: '0xb', reverted: false });
    expect(resolved.receiptJson).toEqual({
      hash: '0xb',
      status: 1,
      blockNumber: 40,
      gasUsed: '21000',
      effectiveGasPrice: '7',
    });
  });

  it('reads a mined fill as filled and a status-0 receipt as a revert', () => {
    const fill = resolveUsedNonce(
      [
        { hash: '0xa', kind: 'call' },
        { hash: '0xf', kind: 'fill' },
      ],
      [null, receipt('0xf')],
      undefined,
      policy,
    );
    expect(fill.outcome).toEqual({ kind: 'filled', hash: '0xf' });
    const reverted = resolveUsedNonce(
      [{ hash: '0xa', kind: 'call' }],
      [receipt('0xa', 0)],
      undefined,
      policy,
    );
    expect(reverted.outcome).toEqual({ kind: 'own', hash: '0xa', reverted: true });
  });

  it('calls a used nonce without receipts missing until the absence passes both the passes and the blocks', () => {
    const sent = [{ hash: '0xa', kind: 'call' as const }];
    const early = absenceAt({ missingSinceBlock: 100, missingPasses: 2 }, 105);
    expect(resolveUsedNonce(sent, [null], early, policy).outcome).toEqual({ kind: 'missing' });
    const long = absenceAt({ missingSinceBlock: 100, missingPasses: 2 }, 112);
    expect(long.seen).toEqual({ sinceBlock: 100, passes: 3 });
    expect(resolveUsedNonce(sent, [null], long, policy).outcome).toEqual({ kind: 'lost' });
    const noHead = resolveUsedNonce(sent, [null], undefined, policy);
    expect(noHead).toEqual({ outcome: { kind: 'missing' }, receipt: undefined, receiptJson: null });
  });

  it('starts an absence at the head block on the first pass without a receipt', () => {
    expect(absenceAt({ missingSinceBlock: null, missingPasses: 0 }, 77)).toEqual({
      seen: { sinceBlock: 77, passes: 1 },
      headBlock: 77,
    });
  });
});

describe('receiptsPerAttempt', () => {
  it('gives each attempt the receipts of its own transactions, a rejected request as none', () => {
    const attempts = [{ txHashes: ['0xa', '0xb'] }, { txHashes: ['0xc'] }];
    const settled: PromiseSettledResult<Receipt | null>[] = [
      { status: 'fulfilled', value: null },
      { status: 'rejected', reason: new Error('timeout') },
      { status: 'fulfilled', value: receipt('0xc') },
    ];
    const split = receiptsPerAttempt(attempts, settled);
    expect(split.map((s) => s.found)).toEqual([[null, null], [receipt('0xc')]]);
    expect(split[1]?.attempt).toBe(attempts[1]);
    expect(withoutReceipt(split[0]?.found ?? [])).toBe(true);
    expect(withoutReceipt(split[1]?.found ?? [])).toBe(false);
  });
});

describe('stuckAttempts', () => {
  const at = (seconds: number) => new Date(seconds * 1000);

  it('replaces pending calls last sent longer ago than the limit', () => {
    const unresolved = [
      { nonce: 5, lastSentAt: at(0), callStatus: 'pending' },
      { nonce: 6, lastSentAt: at(50), callStatus: 'pending' },
    ];
    expect(stuckAttempts(unresolved, 70_000, 60_000).map((a) => a.nonce)).toEqual([5]);
  });

  it('leaves every nonce above a call waiting to resend, which blocks them', () => {
    const unresolved = [
      { nonce: 5, lastSentAt: at(0), callStatus: 'pending' },
      { nonce: 6, lastSentAt: at(0), callStatus: 'retrying' },
      { nonce: 7, lastSentAt: at(0), callStatus: 'pending' },
      { nonce: 8, lastSentAt: at(0), callStatus: undefined },
    ];
    expect(stuckAttempts(unresolved, 120_000, 60_000).map((a) => a.nonce)).toEqual([5]);
  });
});

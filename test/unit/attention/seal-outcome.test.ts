import { describe, expect, it } from 'vitest';
import {
  assertSealable,
  type SnapshotAnswer,
  sealOutcome,
} from '../../../layers/shared/src/core/attention/seal-outcome.ts';
import { AmountOverflowError, ValidationError } from '../../../layers/shared/src/errors.ts';

const EPOCH = 1_767_261_600;
const sealed: SnapshotAnswer = {
  outcome: 'sealed',
  channel: 'chan',
  tokenGroup: 'GAMING',
  category: 'gaming',
  participantCount: 3,
  totalWeight: '450',
  largest: '2000',
  totalAmount: '4500',
};

describe('sealOutcome', () => {
  it('answers a sealed channel with its standing and weight total', () => {
    expect(sealOutcome(EPOCH, sealed)).toEqual({
      channel: 'chan',
      tokenGroup: 'GAMING',
      category: 'gaming',
      participants: 3,
      totalWeight: 450,
    });
  });

  it('answers a refused channel with an AmountOverflowError naming the amounts and the remedy', () => {
    const outcome = sealOutcome(EPOCH, {
      ...sealed,
      outcome: 'refused',
      tokenGroup: null,
      category: null,
      largest: '9223372036854775808',
    });
    expect(outcome).toHaveProperty('refused');
    const { refused } = outcome as { refused: AmountOverflowError };
    expect(refused).toBeInstanceOf(AmountOverflowError);
    expect(refused.message).toContain(`chan in epoch ${EPOCH}`);
    expect(refused.message).toContain(
      'largest 9223372036854775808, total 4500, weights 450 hundredths over 3 viewers',
    );
    expect(refused.message).toContain('void the ingest key');
  });
});

describe('assertSealable', () => {
  it('takes an hour start once its hour and 5 minutes are over', () => {
    expect(() => assertSealable(EPOCH, (EPOCH + 3600 + 300) * 1000)).not.toThrow();
  });

  it('refuses an epoch not over yet, naming when it can be sealed', () => {
    expect(() => assertSealable(EPOCH, (EPOCH + 3600) * 1000)).toThrow(
      /is not over yet: it can be sealed from 2026-01-01T11:05:00.000Z/,
    );
  });

  it('refuses what is not an hour start', () => {
    expect(() => assertSealable(EPOCH + 1, Date.now())).toThrow(ValidationError);
    expect(() => assertSealable(-3600, Date.now())).toThrow(/multiple of 3600/);
  });
});

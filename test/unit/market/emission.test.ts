import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accruedAt,
  type Credential,
  type EmissionConfig,
} from '../../../layers/shared/src/core/market/emission.ts';

const config: EmissionConfig = {
  baseRatePerSecond: 1_000_000_000_000_000n,
  tierMultiplierBps: { gold: 20_000, silver: 15_000 },
  defaultMultiplierBps: 10_000,
};

function credential(overrides: Partial<Credential> = {}): Credential {
  return {
    id: 'c1',
    holder: '0x01',
    status: 'active',
    issuedAt: 1000,
    expiresAt: undefined,
    revokedAt: undefined,
    tier: 'gold',
    ...overrides,
  };
}

describe('emission', () => {
  it('accrues base rate times the tier multiplier per valid second', () => {
    expect(accruedAt(credential(), config, 1010)).toBe(20_000_000_000_000_000n);
    expect(accruedAt(credential({ tier: 'unknown' }), config, 1010)).toBe(10_000_000_000_000_000n);
  });

  it('matches tiers regardless of case', () => {
    expect(accruedAt(credential({ tier: 'Silver' }), config, 1002)).toBe(3_000_000_000_000_000n);
  });

  it('accrues nothing before issuance', () => {
    expect(accruedAt(credential(), config, 500)).toBe(0n);
  });

  it('never grows after revocation or expiry', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000 }), (stop, later) => {
        const revoked = credential({ status: 'revoked', revokedAt: 1000 + stop });
        const expired = credential({ expiresAt: 1000 + stop });
        const atStop = accruedAt(revoked, config, 1000 + stop);
        expect(accruedAt(revoked, config, 1000 + stop + later)).toBe(atStop);
        expect(accruedAt(expired, config, 1000 + stop + later)).toBe(atStop);
      }),
    );
  });

  it('is monotone in time and floors once over the whole period, not per step', () => {
    const odd: EmissionConfig = {
      baseRatePerSecond: 7n,
      tierMultiplierBps: { gold: 3_333 },
      defaultMultiplierBps: 10_000,
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 100_000 }), (a, b) => {
        const [early, late] = a <= b ? [a, b] : [b, a];
        const c = credential();
        expect(accruedAt(c, odd, 1000 + early)).toBeLessThanOrEqual(accruedAt(c, odd, 1000 + late));
        expect(accruedAt(c, odd, 1000 + late)).toBe((7n * 3_333n * BigInt(late)) / 10_000n);
      }),
    );
  });
});

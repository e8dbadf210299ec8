import { describe, expect, it } from 'vitest';
import {
  accrueCredentials,
  type CheckedCredential,
  type CredentialRecord,
  firstSeenRecord,
} from '../../../layers/shared/src/core/market/credential-accrual.ts';
import type { EmissionConfig } from '../../../layers/shared/src/core/market/emission.ts';

const T0 = 1_750_000_000;
const emission: EmissionConfig = {
  baseRatePerSecond: 100n,
  tierMultiplierBps: { gold: 20_000 },
  defaultMultiplierBps: 10_000,
};
const checked = (over: Partial<CheckedCredential> = {}): CheckedCredential => ({
  id: 'cred-1',
  holder: '0xAbC',
  status: 'active',
  issuedAt: T0,
  expiresAt: undefined,
  tier: 'basic',
  ...over,
});
const record = (over: Partial<CredentialRecord> = {}): CredentialRecord => ({
  ...firstSeenRecord(checked(), T0),
  ...over,
});

describe('a credential first seen by a status check', () => {
  it('is recorded valid while active, its holder lowercase, checked at the check', () => {
    expect(firstSeenRecord(checked(), T0 + 50)).toEqual({
      id: 'cred-1',
      holder: '0xabc',
      status: 'active',
      tier: 'basic',
      issuedAt: T0,
      expiresAt: undefined,
      revokedAt: undefined,
      checkedAt: T0 + 50,
    });
  });

  it('first seen revoked or suspended, was never verified valid: it ends where it was issued', () => {
    expect(firstSeenRecord(checked({ status: 'revoked' }), T0 + 50).revokedAt).toBe(T0);
    expect(firstSeenRecord(checked({ status: 'suspended' }), T0 + 50).revokedAt).toBe(T0);
  });

  it('first seen expired, ends at its stated expiry, or where it was issued without one', () => {
    expect(firstSeenRecord(checked({ status: 'expired', expiresAt: T0 + 30 }), T0 + 50).revokedAt).toBe(
      T0 + 30,
    );
    expect(firstSeenRecord(checked({ status: 'expired' }), T0 + 50).revokedAt).toBe(T0);
  });
});

describe('accrual', () => {
  it('accrues at the tier’s rate up to the last check, never past it', () => {
    const { accruals, added } = accrueCredentials(
      [record({ tier: 'gold', checkedAt: T0 + 10 })],
      new Map(),
      emission,
      T0 + 100,
    );
    expect(accruals).toEqual([
      {
        credentialId: 'cred-1',
        holder: '0xabc',
        accrued: 2_000n,
        until: T0 + 10,
        ratePerSecond: 100n,
        multiplierBps: 20_000,
      },
    ]);
    expect(added).toBe(2_000n);
  });

  it('stops at now when the last check is later', () => {
    const [accrual] = accrueCredentials(
      [record({ checkedAt: T0 + 100 })],
      new Map(),
      emission,
      T0 + 4,
    ).accruals;
    expect([accrual?.accrued, accrual?.until]).toEqual([400n, T0 + 4]);
  });

  it('never takes tokens back: a re-run for an earlier time keeps what was accrued', () => {
    const { accruals, added } = accrueCredentials(
      [record({ checkedAt: T0 + 10 })],
      new Map([['cred-1', 5_000n]]),
      emission,
      T0 + 10,
    );
    expect([accruals[0]?.accrued, added]).toEqual([5_000n, 0n]);
  });

  it('counts as added only what grew over each credential’s previous total', () => {
    const { added } = accrueCredentials(
      [record({ id: 'a', checkedAt: T0 + 10 }), record({ id: 'b', checkedAt: T0 + 10 })],
      new Map([['a', 600n]]),
      emission,
      T0 + 10,
    );
    expect(added).toBe(400n + 1_000n);
  });

  it('credits a revoked credential only up to its revocation', () => {
    const [accrual] = accrueCredentials(
      [record({ status: 'revoked', revokedAt: T0 + 3, checkedAt: T0 + 10 })],
      new Map(),
      emission,
      T0 + 10,
    ).accruals;
    expect(accrual?.accrued).toBe(300n);
  });
});

/**
 * From credentials to balances: the credential record a status check writes, and each
 * credential's accrual up to the last moment a check verified it valid. AIR reports a status,
 * not when it changed, so validity ends at a check, never between two.
 */
import {
  accruedAt,
  type Credential,
  type CredentialStatus,
  type EmissionConfig,
  multiplierBps,
} from './emission.ts';

/** A credential as a status check saw it (the AIR API's view), holder any case. */
export interface CheckedCredential {
  readonly id: string;
  readonly holder: string;
  readonly status: CredentialStatus;
  readonly issuedAt: number;
  readonly expiresAt: number | undefined;
  readonly tier: string;
}

/** A credential with the time of its last status check, unix seconds. */
export interface CredentialRecord extends Credential {
  readonly checkedAt: number;
}

/**
 * The record a check writes for a credential seen for the first time at `now`. First seen
 * inactive, nothing was ever verified valid, except up to a stated expiry.
 */
export function firstSeenRecord(credential: CheckedCredential, now: number): CredentialRecord {
  const revokedAt =
    credential.status === 'active'
      ? undefined
      : credential.status === 'expired' && credential.expiresAt !== undefined
        ? credential.expiresAt
        : credential.issuedAt;
  return {
    id: credential.id,
    holder: credential.holder.toLowerCase(),
    status: credential.status,
    tier: credential.tier,
    issuedAt: credential.issuedAt,
    expiresAt: credential.expiresAt,
    revokedAt,
    checkedAt: now,
  };
}

export interface Accrual {
  readonly credentialId: string;
  readonly holder: string;
  /** Tokens accrued in total, base units: never less than before. */
  readonly accrued: bigint;
  /** Unix seconds the accrual covers up to: min(now, the last check). */
  readonly until: number;
  readonly ratePerSecond: bigint;
  readonly multiplierBps: number;
}

/**
 * Each credential's accrual up to min(now, its last check), and the tokens added over `before`
 * (what each had accrued). Accrual only grows: a re-run for an earlier time never takes tokens back.
 */
export function accrueCredentials(
  credentials: readonly CredentialRecord[],
  before: ReadonlyMap<string, bigint>,
  emission: EmissionConfig,
  now: number,
): { accruals: Accrual[]; added: bigint } {
  let added = 0n;
  const accruals = credentials.map((credential) => {
    const until = Math.min(now, credential.checkedAt);
    const accrued = accruedAt(credential, emission, until);
    const previous = before.get(credential.id) ?? 0n;
    const total = accrued > previous ? accrued : previous;
    added += total - previous;
    return {
      credentialId: credential.id,
      holder: credential.holder,
      accrued: total,
      until,
      ratePerSecond: emission.baseRatePerSecond,
      multiplierBps: multiplierBps(emission, credential.tier),
    };
  });
  return { accruals, added };
}

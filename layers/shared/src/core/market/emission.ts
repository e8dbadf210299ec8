/**
 * Token generation (DESIGN.md section 5): a credential accrues `base rate × tier multiplier`
 * tokens per second while it is valid — from issuance until the earliest of now, its expiry and
 * its revocation. Accrual is a function of the total valid seconds, never a sum of rounded
 * periods, so however often a job runs, the total, the claimable amount and the mint agree to
 * the base unit.
 */
export type CredentialStatus = 'active' | 'revoked' | 'expired' | 'suspended';

export interface Credential {
  readonly id: string;
  readonly holder: string;
  readonly status: CredentialStatus;
  /** Unix seconds. */
  readonly issuedAt: number;
  readonly expiresAt: number | undefined;
  /**
   * When it stopped being valid (revocation or suspension), unix seconds; undefined while valid.
   * The AIR API reports status only, so the monitor sets this to the time of the check that first
   * saw the credential no longer active, and callers never pass a `now` past the last check.
   */
  readonly revokedAt: number | undefined;
  readonly tier: string;
}

export interface EmissionConfig {
  /** Base units per second at multiplier 1.0. */
  readonly baseRatePerSecond: bigint;
  /** Tier → multiplier in basis points (10,000 = 1.0); tiers not listed get `defaultMultiplierBps`. */
  readonly tierMultiplierBps: Readonly<Record<string, number>>;
  readonly defaultMultiplierBps: number;
}

export function multiplierBps(config: EmissionConfig, tier: string): number {
  return config.tierMultiplierBps[tier.toLowerCase()] ?? config.defaultMultiplierBps;
}

/** The end of the credential's valid period as seen at `now`. */
export function validUntil(credential: Credential, now: number): number {
  let end = now;
  if (credential.expiresAt !== undefined) end = Math.min(end, credential.expiresAt);
  if (credential.revokedAt !== undefined) end = Math.min(end, credential.revokedAt);
  return Math.max(end, credential.issuedAt);
}

export function validSeconds(credential: Credential, now: number): number {
  return validUntil(credential, now) - credential.issuedAt;
}

/** Tokens accrued by the credential from issuance to `now`, in base units, floored once. */
export function accruedAt(credential: Credential, config: EmissionConfig, now: number): bigint {
  const seconds = BigInt(validSeconds(credential, now));
  return (config.baseRatePerSecond * BigInt(multiplierBps(config, credential.tier)) * seconds) / 10_000n;
}

export function ratePerSecond(credential: Credential, config: EmissionConfig): { rate: bigint; bps: number } {
  return { rate: config.baseRatePerSecond, bps: multiplierBps(config, credential.tier) };
}

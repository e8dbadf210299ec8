/**
 * The AIR credential API, reduced to what DESIGN.md section 5 names: id, holder, status, issued,
 * expires, tier. Times are unix seconds.
 */
export interface AirCredential {
  readonly id: string;
  readonly holder: string;
  readonly status: 'active' | 'revoked' | 'expired' | 'suspended';
  readonly issuedAt: number;
  readonly expiresAt: number | undefined;
  readonly tier: string;
}

export interface AirCredentialApi {
  /** Every credential the issuer knows, current status. */
  listCredentials(): Promise<AirCredential[]>;
  getCredential(id: string): Promise<AirCredential | undefined>;
}

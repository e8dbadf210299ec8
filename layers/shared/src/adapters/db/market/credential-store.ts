/** AIR credentials as the last status check saw them (`market.credentials`). */
import type { CredentialRecord } from '../../../core/market/credential-accrual.ts';
import type { Queryable } from '../../../ports/sql.ts';

/**
 * Writes the records of a check. A credential already known keeps its revocation once fixed;
 * one seen inactive for the first time was last verified valid at the previous check.
 */
export async function upsertCredentials(q: Queryable, records: readonly CredentialRecord[]): Promise<void> {
  const rows = records.map((r) => ({
    id: r.id,
    holder: r.holder,
    status: r.status,
    tier: r.tier,
    issued_at: r.issuedAt,
    expires_at: r.expiresAt ?? null,
    revoked_at: r.revokedAt ?? null,
    checked_at: r.checkedAt,
  }));
  await q`
    insert into market.credentials ${q(rows)}
    on conflict (id) do update set
      status = case when market.credentials.revoked_at is not null then market.credentials.status else excluded.status end,
      tier = excluded.tier,
      expires_at = excluded.expires_at,
      -- Seen inactive now: it was last verified valid at the previous check, and accrues up to
      -- there. Once fixed the moment stays; a later "active" does not reopen the credential.
      revoked_at = coalesce(
        market.credentials.revoked_at,
        case when excluded.status <> 'active' then market.credentials.checked_at end),
      checked_at = greatest(market.credentials.checked_at, excluded.checked_at)`;
}

/** Every credential, by id. */
export async function allCredentials(q: Queryable): Promise<CredentialRecord[]> {
  const rows = await q<
    {
      id: string;
      holder: string;
      status: string;
      tier: string;
      issued_at: bigint;
      expires_at: bigint | null;
      revoked_at: bigint | null;
      checked_at: bigint;
    }[]
  >`select id, holder, status, tier, issued_at, expires_at, revoked_at, checked_at from market.credentials order by id`;
  return rows.map((row) => ({
    id: row.id,
    holder: row.holder,
    // Only the statuses the AIR API reports are ever written.
    status: row.status as CredentialRecord['status'],
    tier: row.tier,
    issuedAt: Number(row.issued_at),
    expiresAt: row.expires_at === null ? undefined : Number(row.expires_at),
    revokedAt: row.revoked_at === null ? undefined : Number(row.revoked_at),
    checkedAt: Number(row.checked_at),
  }));
}

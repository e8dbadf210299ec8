/**
 * What each credential has accrued and claimed (`market.claimable_balances`), with every accrual
 * computed kept in `market.emission_calculations`. A balance row is the lock that serialises the
 * claims of its credential.
 */
import type { claimableBalances } from '../../../../../../drizzle/schema/market.ts';
import type { Accrual } from '../../../core/market/credential-accrual.ts';
import type { Queryable } from '../../../ports/sql.ts';

type BalanceRow = typeof claimableBalances.$inferSelect;

/** Tokens accrued so far, by credential id. */
export async function accruedByCredential(q: Queryable): Promise<Map<string, bigint>> {
  const rows = await q<{ credential_id: string; accrued: string }[]>`
    select credential_id, accrued::text from market.claimable_balances`;
  return new Map(rows.map((row) => [row.credential_id, BigInt(row.accrued)]));
}

/** Writes the accruals and their calculation records; a balance never moves backwards. */
export async function recordAccruals(
  q: Queryable,
  accruals: readonly Accrual[],
  jobId: number | null,
): Promise<void> {
  const balances = accruals.map((a) => ({
    credential_id: a.credentialId,
    holder: a.holder,
    accrued: a.accrued.toString(),
    accrued_until: a.until,
  }));
  const calculations = accruals.map((a) => ({
    credential_id: a.credentialId,
    period_end: a.until,
    rate_per_second: a.ratePerSecond.toString(),
    multiplier_bps: a.multiplierBps,
    accrued_total: a.accrued.toString(),
    job_id: jobId,
  }));
  await q`
    insert into market.claimable_balances ${q(balances)}
    on conflict (credential_id) do update set
      accrued = greatest(market.claimable_balances.accrued, excluded.accrued),
      accrued_until = greatest(market.claimable_balances.accrued_until, excluded.accrued_until)`;
  await q`insert into market.emission_calculations ${q(calculations)} on conflict do nothing`;
}

export type LockedBalance = Pick<BalanceRow, 'holder' | 'accrued' | 'claimed'>;

/** The credential's balance, locked until the transaction ends (undefined: it has none). */
export async function lockBalance(q: Queryable, credentialId: string): Promise<LockedBalance | undefined> {
  const [row] = await q<{ holder: string; accrued: string; claimed: string }[]>`
    select holder, accrued::text, claimed::text from market.claimable_balances
    where credential_id = ${credentialId} for update`;
  return row;
}

/** Adds `amount` (negative: gives it back) to what the credential has claimed. */
export async function addClaimed(q: Queryable, credentialId: string, amount: bigint): Promise<void> {
  await q`
    update market.claimable_balances set claimed = claimed + ${amount.toString()}::numeric
    where credential_id = ${credentialId}`;
}

/** Credentials with at least `minimum` (and more than nothing) left to claim, by id. */
export async function balancesDue(q: Queryable, minimum: bigint): Promise<string[]> {
  const rows = await q<{ credential_id: string }[]>`
    select credential_id from market.claimable_balances
    where accrued - claimed >= ${minimum.toString()}::numeric and accrued > claimed
    order by credential_id`;
  return rows.map((row) => row.credential_id);
}

export interface Claimable {
  readonly credentialId: string;
  /** Accrued less claimed, base units as a decimal string. */
  readonly claimable: string;
  readonly accruedUntil: number;
}

/** A holder's balances, by credential id. */
export async function claimableOf(q: Queryable, holder: string): Promise<Claimable[]> {
  const rows = await q<{ credential_id: string; claimable: string; accrued_until: bigint }[]>`
    select credential_id, (accrued - claimed)::text as claimable, accrued_until
    from market.claimable_balances where holder = ${holder} order by credential_id`;
  return rows.map((row) => ({
    credentialId: row.credential_id,
    claimable: row.claimable,
    accruedUntil: Number(row.accrued_until),
  }));
}

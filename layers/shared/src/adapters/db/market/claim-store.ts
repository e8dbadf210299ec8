/**
 * Token claims (`market.claims`): one row per claim, `request_id` making a repeated request the same
 * claim. A claim is `pending` until its mint is handed over, then `minted`, `queued` (a queueing
 * minter took it) or `failed`.
 */
import type { tokenClaims } from '../../../../../../drizzle/schema/market.ts';
import type { Queryable } from '../../../ports/sql.ts';

type ClaimColumns = typeof tokenClaims.$inferSelect;

export type ClaimStatus = 'pending' | 'queued' | 'minted' | 'failed';

/** A claim as services see it: the amount in base units as a decimal string. */
export type Claim = Pick<ClaimColumns, 'id' | 'credentialId' | 'holder' | 'amount' | 'txHash'> & {
  readonly status: ClaimStatus;
};

interface ClaimRow {
  id: string;
  credential_id: string;
  holder: string;
  amount: string;
  status: ClaimStatus;
  tx_hash: string | null;
}

const toClaim = (row: ClaimRow): Claim => ({
  id: row.id,
  credentialId: row.credential_id,
  holder: row.holder,
  amount: row.amount,
  status: row.status,
  txHash: row.tx_hash,
});

export async function claimByRequestId(q: Queryable, requestId: string): Promise<Claim | undefined> {
  const [row] = await q<ClaimRow[]>`
    select id, credential_id, holder, amount::text, status, tx_hash from market.claims
    where request_id = ${requestId}`;
  return row === undefined ? undefined : toClaim(row);
}

export async function latestClaim(q: Queryable, credentialId: string): Promise<Claim | undefined> {
  const [row] = await q<ClaimRow[]>`
    select id, credential_id, holder, amount::text, status, tx_hash from market.claims
    where credential_id = ${credentialId} order by created_at desc limit 1`;
  return row === undefined ? undefined : toClaim(row);
}

/** When the credential's latest claim that did not fail was made, unix seconds (undefined: none). */
export async function lastClaimedAt(q: Queryable, credentialId: string): Promise<number | undefined> {
  const [row] = await q<{ at: number | null }[]>`
    select extract(epoch from max(created_at))::float8 as at from market.claims
    where credential_id = ${credentialId} and status <> 'failed'`;
  return row?.at == null ? undefined : row.at;
}

/** Inserts a pending claim made at `now` (unix seconds); without a request id, the claim's id stands in. */
export async function insertPendingClaim(
  q: Queryable,
  claim: Claim,
  requestId: string | undefined,
  now: number,
): Promise<void> {
  await q`
    insert into market.claims (id, request_id, credential_id, holder, amount, status, created_at)
    values (${claim.id}, ${requestId ?? claim.id}, ${claim.credentialId}, ${claim.holder}, ${claim.amount}, 'pending',
            to_timestamp(${now}))`;
}

/** Records what the minter did with a claim; returns the claim as it now stands. */
export async function recordMint(
  q: Queryable,
  id: string,
  minted: { readonly status: ClaimStatus; readonly txHash: string | undefined },
): Promise<Claim | undefined> {
  const [row] = await q<ClaimRow[]>`
    update market.claims set status = ${minted.status}, tx_hash = ${minted.txHash ?? null},
      minted_at = case when ${minted.status} = 'minted' then now() else minted_at end
    where id = ${id}
    returning id, credential_id, holder, amount::text, status, tx_hash`;
  return row === undefined ? undefined : toClaim(row);
}

/** Claims still pending from before `before` (unix seconds), oldest first. */
export async function pendingClaimsBefore(q: Queryable, before: number): Promise<Claim[]> {
  const rows = await q<ClaimRow[]>`
    select id, credential_id, holder, amount::text, status, tx_hash from market.claims
    where status = 'pending' and created_at < to_timestamp(${before})
    order by created_at`;
  return rows.map(toClaim);
}

/** Up to `limit` claims a queueing minter holds, oldest first. */
export async function queuedClaims(q: Queryable, limit: number): Promise<Claim[]> {
  const rows = await q<ClaimRow[]>`
    select id, credential_id, holder, amount::text, status, tx_hash from market.claims
    where status = 'queued' order by created_at limit ${limit}`;
  return rows.map(toClaim);
}

/** Marks a queued claim minted; false when it was no longer queued. */
export async function markQueuedMinted(
  q: Queryable,
  id: string,
  txHash: string | undefined,
): Promise<boolean> {
  const settled = await q`
    update market.claims set status = 'minted', tx_hash = ${txHash ?? null}, minted_at = now()
    where id = ${id} and status = 'queued'`;
  return settled.count > 0;
}

/** Locks a claim while it is queued; false when it no longer is. */
export async function lockQueuedClaim(q: Queryable, id: string): Promise<boolean> {
  const [row] = await q`select id from market.claims where id = ${id} and status = 'queued' for update`;
  return row !== undefined;
}

export async function markClaimFailed(q: Queryable, id: string): Promise<void> {
  await q`update market.claims set status = 'failed' where id = ${id}`;
}

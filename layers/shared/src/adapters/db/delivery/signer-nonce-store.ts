/**
 * The named queries of a signer's nonce state (`delivery.signer_nonces`): the next nonce it hands
 * out, taken under the row's lock together with the attempt, and the confirmer's session lock.
 */
import type { Queryable } from '../../../ports/sql.ts';
import { iso } from '../raw-values.ts';
import type { SignerKey } from './tx-attempt-store.ts';

/** Raises the signer's next nonce to the chain's pending count, never lowers it; returns it. */
export async function raiseNextNonce(
  q: Queryable,
  signer: SignerKey,
  pending: number,
  now: number,
): Promise<number> {
  const [row] = await q<{ next_nonce: bigint }[]>`
    insert into delivery.signer_nonces (chain_id, signer_address, next_nonce, reconciled_at, updated_at)
    values (${signer.chainId}, ${signer.address}, ${pending}, ${iso(now)}, ${iso(now)})
    on conflict (chain_id, signer_address) do update set
      next_nonce = greatest(delivery.signer_nonces.next_nonce, excluded.next_nonce),
      reconciled_at = excluded.reconciled_at,
      updated_at = excluded.updated_at
    returning next_nonce`;
  return Number(row?.next_nonce ?? pending);
}

/** Locks the signer's row and reads its next nonce; undefined before its first reconcile. */
export async function lockNextNonce(q: Queryable, signer: SignerKey): Promise<number | undefined> {
  const [row] = await q<{ next_nonce: bigint }[]>`
    select next_nonce from delivery.signer_nonces
    where chain_id = ${signer.chainId} and signer_address = ${signer.address} for update`;
  return row === undefined ? undefined : Number(row.next_nonce);
}

/** The session-level advisory lock one confirmer per signer holds (on a reserved connection). */
export async function tryLockConfirmer(q: Queryable, signer: SignerKey): Promise<boolean> {
  const [lock] = await q<{ taken: boolean }[]>`
    select pg_try_advisory_lock(hashtext('delivery-confirmer'), hashtext(${`${signer.chainId}:${signer.address}`})) as taken`;
  return lock?.taken === true;
}

export async function unlockConfirmer(q: Queryable, signer: SignerKey): Promise<void> {
  await q`
    select pg_advisory_unlock(hashtext('delivery-confirmer'), hashtext(${`${signer.chainId}:${signer.address}`}))`;
}

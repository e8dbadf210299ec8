/**
 * The signer as the chain and our nonce table see it: its key, its next nonce reconciled with
 * the chain's pending count, and the fees it signs with now. Every chain call goes through the
 * endpoint's circuit breaker.
 */

import { raiseNextNonce } from '../../adapters/db/delivery/signer-nonce-store.ts';
import type { SignerKey } from '../../adapters/db/delivery/tx-attempt-store.ts';
import { type Eip1559Fees, feesFromHistory } from '../../core/delivery/fee-policy.ts';
import { type DeliveryDeps, normalizeAddress } from './engine.ts';

export function signerKey(deps: DeliveryDeps): string {
  return normalizeAddress(deps.signer.address);
}

/** The chain and address the signer's rows are stored under. */
export function signerOf(deps: DeliveryDeps): SignerKey {
  return { chainId: deps.chain.chainId, address: signerKey(deps) };
}

export function viaBreaker<T>(deps: DeliveryDeps, fn: () => Promise<T>): Promise<T> {
  return deps.breakers.run(deps.chain.endpoint, fn);
}

export async function currentFees(deps: DeliveryDeps): Promise<Eip1559Fees> {
  const history = await viaBreaker(deps, () =>
    deps.chain.feeHistory(deps.options.feeHistoryBlocks, deps.options.rewardPercentile),
  );
  return feesFromHistory(history, deps.options.fee);
}

/**
 * Brings the signer's next nonce up to the chain's pending count. Never lowers it: the nonces
 * above the chain's count belong to recorded attempts that will be sent again or filled.
 */
export async function reconcileSignerNonce(deps: DeliveryDeps): Promise<number> {
  const pending = await viaBreaker(deps, () =>
    deps.chain.getTransactionCount(deps.signer.address, 'pending'),
  );
  return raiseNextNonce(deps.sql, signerOf(deps), pending, deps.now());
}

const reconciled = new WeakMap<DeliveryDeps, Promise<number>>();

/** Reconciles once per process (per engine), on the first send. */
export function ensureReconciled(deps: DeliveryDeps): Promise<number> {
  let done = reconciled.get(deps);
  if (done === undefined) {
    done = reconcileSignerNonce(deps);
    done.catch(() => reconciled.delete(deps));
    reconciled.set(deps, done);
  }
  return done;
}

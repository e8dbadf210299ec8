/**
 * A new transaction at a nonce an attempt already holds: the call's own again with fees raised,
 * or the zero-value self-transfer that frees a failed call's nonce. Each is recorded on the
 * attempt before it is sent, so whatever gets mined there is one of ours on record.
 */

import { recordResign, type TxAttempt } from '../../adapters/db/delivery/tx-attempt-store.ts';
import { classifyChainError } from '../../core/delivery/chain-error-class.ts';
import { bumpFees, type Eip1559Fees } from '../../core/delivery/fee-policy.ts';
import type { SignedEvmTransaction } from '../../ports/evm-chain.ts';
import type { DeliveryDeps, OracleCall, SentTransaction } from './engine.ts';
import { currentFees, viaBreaker } from './signer-state.ts';

const FILL_GAS_LIMIT = 21_000n;

/** One signed transaction as the attempt's history keeps it. */
export function sentTransaction(
  signed: SignedEvmTransaction,
  kind: 'call' | 'fill',
  fees: Eip1559Fees,
  at: number,
): SentTransaction {
  return {
    hash: signed.hash,
    kind,
    maxFeePerGas: fees.maxFeePerGas.toString(),
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas.toString(),
    sentAt: new Date(at).toISOString(),
  };
}

async function bumpedFees(deps: DeliveryDeps, attempt: TxAttempt): Promise<Eip1559Fees> {
  const current = await currentFees(deps).catch(() => undefined);
  const paid = { maxFeePerGas: attempt.maxFeePerGas, maxPriorityFeePerGas: attempt.maxPriorityFeePerGas };
  return bumpFees(paid, deps.options.nodeMinBumpPercent, current);
}

/** Signs at the attempt's nonce with raised fees and records it there. */
async function resignAt(
  deps: DeliveryDeps,
  attempt: TxAttempt,
  tx: { kind: 'call' | 'fill'; to: string; data: string; gasLimit: bigint },
): Promise<SignedEvmTransaction> {
  const fees = await bumpedFees(deps, attempt);
  const signed = deps.signer.sign({
    chainId: deps.chain.chainId,
    nonce: attempt.nonce,
    to: tx.to,
    data: tx.data,
    value: 0n,
    gasLimit: tx.gasLimit,
    fees,
  });
  const now = deps.now();
  const sent = sentTransaction(signed, tx.kind, fees, now);
  await recordResign(deps.sql, attempt.id, { ...signed, sent, gasLimit: tx.gasLimit }, fees, now);
  return signed;
}

/** The zero-value self-transfer that frees a failed call's nonce, priced to replace what is pending there. */
export async function sendFill(deps: DeliveryDeps, attempt: TxAttempt): Promise<void> {
  const signed = await resignAt(deps, attempt, {
    kind: 'fill',
    to: deps.signer.address,
    data: '0x',
    gasLimit: FILL_GAS_LIMIT,
  });
  try {
    await viaBreaker(deps, () => deps.chain.sendRawTransaction(signed.raw));
  } catch (error) {
    // Recorded: the confirmer sends the fill again when it finds the nonce still open.
    deps.log.warn('nonce fill not sent', { nonce: attempt.nonce, error: classifyChainError(error).reason });
  }
}

/** The call's own transaction at its nonce again, with fees raised (recorded, not yet sent). */
export function resignCall(
  deps: DeliveryDeps,
  call: OracleCall,
  attempt: TxAttempt,
): Promise<SignedEvmTransaction> {
  return resignAt(deps, attempt, {
    kind: 'call',
    to: call.contractAddress,
    data: call.callData,
    gasLimit: attempt.gasLimit,
  });
}

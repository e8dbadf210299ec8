/**
 * EIP-1559 fees for oracle transactions: priority fee from the recent reward percentile, fee cap
 * with room for the base fee to double; gas limit = estimate + 20 %; a replacement (or a gas
 * error) raises both caps by 20 %, and never by less than the node's minimum replacement bump.
 */

export interface Eip1559Fees {
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
}

/** eth_feeHistory's answer with quantities parsed. */
export interface FeeHistory {
  /** One more entry than blocks: the last is the next block's base fee. */
  readonly baseFeePerGas: readonly bigint[];
  /** Per block, the requested reward percentiles. */
  readonly reward?: readonly (readonly bigint[])[];
}

export interface FeePolicyOptions {
  /** Floor for the priority fee (wei). @default 1 gwei */
  readonly minPriorityFeePerGas?: bigint;
  /** The fee cap allows the base fee to grow this many times over. @default 2 */
  readonly baseFeeHeadroom?: bigint;
}

export const GAS_LIMIT_MARGIN_PERCENT = 20n;
export const FEE_BUMP_PERCENT = 20n;
/** geth's and anvil's default price bump for a replacement. */
export const NODE_MIN_BUMP_PERCENT = 10n;

function median(values: readonly bigint[]): bigint {
  if (values.length === 0) return 0n;
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted[Math.floor(sorted.length / 2)] ?? 0n;
}

export function feesFromHistory(history: FeeHistory, options: FeePolicyOptions = {}): Eip1559Fees {
  const floor = options.minPriorityFeePerGas ?? 1_000_000_000n;
  const headroom = options.baseFeeHeadroom ?? 2n;
  const nextBaseFee = history.baseFeePerGas[history.baseFeePerGas.length - 1] ?? 0n;
  const rewards = (history.reward ?? []).map((percentiles) => percentiles[0] ?? 0n);
  const tip = median(rewards);
  const maxPriorityFeePerGas = tip > floor ? tip : floor;
  return { maxPriorityFeePerGas, maxFeePerGas: nextBaseFee * headroom + maxPriorityFeePerGas };
}

function raise(value: bigint, percent: bigint): bigint {
  const raised = (value * (100n + percent) + 99n) / 100n;
  return raised > value ? raised : value + 1n;
}

/**
 * Fees for a replacement at the same nonce: both caps up by 20 %, or the node's minimum bump if
 * that is larger, and never below what the chain asks now (`current`).
 */
export function bumpFees(
  previous: Eip1559Fees,
  nodeMinBumpPercent = NODE_MIN_BUMP_PERCENT,
  current?: Eip1559Fees,
): Eip1559Fees {
  const percent = FEE_BUMP_PERCENT > nodeMinBumpPercent ? FEE_BUMP_PERCENT : nodeMinBumpPercent;
  let maxPriorityFeePerGas = raise(previous.maxPriorityFeePerGas, percent);
  let maxFeePerGas = raise(previous.maxFeePerGas, percent);
  if (current !== undefined) {
    if (current.maxPriorityFeePerGas > maxPriorityFeePerGas)
      maxPriorityFeePerGas = current.maxPriorityFeePerGas;
    if (current.maxFeePerGas > maxFeePerGas) maxFeePerGas = current.maxFeePerGas;
  }
  if (maxFeePerGas < maxPriorityFeePerGas) maxFeePerGas = maxPriorityFeePerGas;
  return { maxFeePerGas, maxPriorityFeePerGas };
}

export function gasLimitFromEstimate(estimate: bigint): bigint {
  return (estimate * (100n + GAS_LIMIT_MARGIN_PERCENT) + 99n) / 100n;
}

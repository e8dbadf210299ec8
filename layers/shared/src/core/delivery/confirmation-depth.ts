/**
 * The confirmation depth per EVM chain: how many blocks the absence of a receipt must hold
 * before the delivery engine believes a used nonce was taken by another transaction
 * (./nonce-outcome.ts). Deeper where receipts can lag behind blocks: Lotus executes a tipset's
 * messages only with the next tipset and answers Ethereum receipt lookups from an index that can
 * fall further behind, at 30 s a block, so Filecoin waits 20 epochs (10 minutes); anvil mines
 * and indexes in the same step.
 * `EVM_CONFIRMATION_DEPTHS` overrides any of them by chain id.
 */

export const DEFAULT_CONFIRMATION_DEPTHS: Readonly<Record<number, number>> = {
  /** Ethereum mainnet and Sepolia: 12 blocks, about 2.5 minutes. */
  1: 12,
  11155111: 12,
  /** Filecoin mainnet and Calibration. */
  314: 20,
  314159: 20,
  /** anvil and hardhat. */
  31337: 2,
};

/** A chain not listed above. */
export const FALLBACK_CONFIRMATION_DEPTH = 12;

export function confirmationDepth(chainId: number, overrides: Readonly<Record<string, number>> = {}): number {
  return overrides[String(chainId)] ?? DEFAULT_CONFIRMATION_DEPTHS[chainId] ?? FALLBACK_CONFIRMATION_DEPTH;
}

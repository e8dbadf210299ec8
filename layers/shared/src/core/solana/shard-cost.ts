/**
 * What one shard tree costs on Solana (issue 20, "a cost the operator sees"): its channel_state
 * account, created by the program on the shard's first root and paid by the publisher, must be
 * rent-exempt; each root is one more transaction an hour. Solana's rent rules: an account of n
 * data bytes is rent-exempt with (128 + n) × 3,480 lamports per byte-year × 2 years; a
 * transaction pays 5,000 lamports per signature plus its priority fee, the compute-unit price
 * (micro-lamports) times the compute-unit limit, which is 200,000 per instruction when the
 * transaction sets none (the publisher sets none).
 */
import { CHANNEL_STATE_SIZE } from './channel-state.ts';

export const ACCOUNT_STORAGE_OVERHEAD = 128;
export const LAMPORTS_PER_BYTE_YEAR = 3480n;
export const EXEMPTION_THRESHOLD_YEARS = 2n;
export const LAMPORTS_PER_SIGNATURE = 5000n;
export const DEFAULT_COMPUTE_UNITS_PER_INSTRUCTION = 200_000n;
export const LAMPORTS_PER_SOL = 1_000_000_000n;

/** Lamports an account of `dataLength` bytes must hold to be rent-exempt. */
export function rentExemptMinimum(dataLength: number): bigint {
  return BigInt(ACCOUNT_STORAGE_OVERHEAD + dataLength) * LAMPORTS_PER_BYTE_YEAR * EXEMPTION_THRESHOLD_YEARS;
}

/** The fee of one root publication (one signature, one program instruction). */
export function publicationFee(priorityFeeMicroLamports: bigint): bigint {
  const priority = priorityFeeMicroLamports * DEFAULT_COMPUTE_UNITS_PER_INSTRUCTION;
  // The runtime rounds the priority fee up to whole lamports.
  return LAMPORTS_PER_SIGNATURE + (priority + 999_999n) / 1_000_000n;
}

export interface ShardCost {
  /** Once, on the shard's first root: the channel_state account's rent-exempt deposit. */
  readonly rentLamports: bigint;
  /** Every published root of the shard (one an hour while the channel needs the shard). */
  readonly feeLamportsPerRoot: bigint;
  /** A shard used every hour for 30 days. */
  readonly feeLamportsPer30Days: bigint;
}

export function shardCost(priorityFeeMicroLamports: bigint): ShardCost {
  const fee = publicationFee(priorityFeeMicroLamports);
  return {
    rentLamports: rentExemptMinimum(CHANNEL_STATE_SIZE),
    feeLamportsPerRoot: fee,
    feeLamportsPer30Days: fee * 720n,
  };
}

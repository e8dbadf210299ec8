/**
 * What the local chain charges, as the runtime computes it: 5,000 lamports per signature, plus
 * the priority fee (compute unit price × compute unit limit, the limit being the one a
 * ComputeBudget instruction sets, else 200,000 units per instruction, 3,000 for builtins).
 */
import type { VersionedMessage } from '@solana/web3.js';
import type { FailedTransactionMetadata, TransactionMetadata } from 'litesvm';
import { COMPUTE_BUDGET_PROGRAM_ID } from '../layers/shared/src/core/solana/program-ids.ts';

export const LAMPORTS_PER_SIGNATURE = 5000n;
const DEFAULT_COMPUTE_UNITS_PER_INSTRUCTION = 200_000n;
const BUILTIN_COMPUTE_UNITS_PER_INSTRUCTION = 3_000n;
const MAX_COMPUTE_UNITS = 1_400_000n;
/** Programs the runtime charges the builtin default compute units for. */
const BUILTIN_PROGRAMS = new Set([
  '11111111111111111111111111111111',
  COMPUTE_BUDGET_PROGRAM_ID,
  'AddressLookupTab1e1111111111111111111111111',
  'Vote111111111111111111111111111111111111111',
  'Stake11111111111111111111111111111111111111',
  'Config1111111111111111111111111111111111111',
  'BPFLoaderUpgradeab1e11111111111111111111111',
  'BPFLoader2111111111111111111111111111111111',
  'BPFLoader1111111111111111111111111111111111',
  'LoaderV411111111111111111111111111111111111',
]);

export function computeBudget(message: VersionedMessage): { price: bigint; limit: bigint | undefined } {
  let price = 0n;
  let limit: bigint | undefined;
  for (const ix of message.compiledInstructions) {
    if (message.staticAccountKeys[ix.programIdIndex]?.toBase58() !== COMPUTE_BUDGET_PROGRAM_ID) continue;
    const data = Buffer.from(ix.data);
    if (data[0] === 2 && data.length >= 5) limit = BigInt(data.readUInt32LE(1));
    if (data[0] === 3 && data.length >= 9) price = data.readBigUInt64LE(1);
  }
  return { price, limit };
}

/** The runtime's fee: 5,000 lamports per signature plus ceil(price × compute unit limit / 10^6). */
export function expectedFee(message: VersionedMessage): bigint {
  const { price, limit } = computeBudget(message);
  const priority = (price * computeUnitLimit(message, limit) + 999_999n) / 1_000_000n;
  return LAMPORTS_PER_SIGNATURE * BigInt(message.header.numRequiredSignatures) + priority;
}

/** The fee LiteSVM charged (its metadata prints it; there is no accessor), else the runtime's formula. */
export function chargedFee(
  outcome: TransactionMetadata | FailedTransactionMetadata,
  message: VersionedMessage,
): bigint {
  const charged = /\bfee: (\d+)/.exec(outcome.toString())?.[1];
  return charged === undefined ? expectedFee(message) : BigInt(charged);
}

/** The units a transaction may consume: its ComputeBudget limit, else the per-instruction defaults. */
export function computeUnitLimit(message: VersionedMessage, limit = computeBudget(message).limit): bigint {
  const units =
    limit ??
    message.compiledInstructions.reduce((sum, ix) => {
      const program = message.staticAccountKeys[ix.programIdIndex]?.toBase58() ?? '';
      return (
        sum +
        (BUILTIN_PROGRAMS.has(program)
          ? BUILTIN_COMPUTE_UNITS_PER_INSTRUCTION
          : DEFAULT_COMPUTE_UNITS_PER_INSTRUCTION)
      );
    }, 0n);
  return units > MAX_COMPUTE_UNITS ? MAX_COMPUTE_UNITS : units;
}

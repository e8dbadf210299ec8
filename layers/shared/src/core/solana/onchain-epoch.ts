/**
 * The one conversion between the database epoch id (unix seconds of the UTC hour's start) and
 * the epoch argument the attention program sees (DESIGN.md section 5, "Epoch"). By default the
 * on-chain epoch is the hour index, so that `epoch mod 10` walks the ring; mints that already
 * hold second-based epochs (the source wrote them) stay on seconds.
 */
import { ConfigError, ValidationError } from '../../errors.ts';
import type { ChannelState } from './channel-state.ts';

export type EpochUnit = 'hours' | 'seconds';

const SECONDS_PER_HOUR = 3600n;
/**
 * An hour index stays below this for ~11,000 years; a unix time in seconds has been above it
 * since 1973. A slot above it in hour mode means the mint holds second-based epochs.
 */
export const HOUR_MODE_EPOCH_LIMIT = 100_000_000n;

export function toOnChainEpoch(epochId: number | bigint, unit: EpochUnit): bigint {
  const seconds = toBigInt(epochId, 'epoch id');
  if (seconds % SECONDS_PER_HOUR !== 0n) {
    throw new ValidationError(`epoch id ${seconds} is not the start of a UTC hour`);
  }
  return unit === 'hours' ? seconds / SECONDS_PER_HOUR : seconds;
}

export function fromOnChainEpoch(onChainEpoch: bigint, unit: EpochUnit): number {
  if (onChainEpoch < 0n)
    throw new ValidationError(`on-chain epoch must not be negative, got ${onChainEpoch}`);
  return Number(unit === 'hours' ? onChainEpoch * SECONDS_PER_HOUR : onChainEpoch);
}

/**
 * In hour mode an hour index can never be greater than a second-based epoch already in a slot,
 * so the program would refuse every root for that channel: refuse the configuration instead.
 */
export function assertEpochUnitFits(state: ChannelState, unit: EpochUnit, channel: string): void {
  if (unit !== 'hours') return;
  let highest = state.latestEpoch;
  for (const slot of state.slots) {
    if (slot.epoch > highest) highest = slot.epoch;
  }
  if (highest > HOUR_MODE_EPOCH_LIMIT) {
    throw new ConfigError(
      `channel '${channel}' holds on-chain epoch ${highest}, a second-based epoch; hour-index epochs would never ` +
        `land there. Configure its mint with epochUnit 'seconds'.`,
      { details: { channel, highestEpoch: highest.toString() } },
    );
  }
}

function toBigInt(value: number | bigint, field: string): bigint {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new ValidationError(`${field} must be an integer, got ${value}`);
  }
  const big = BigInt(value);
  if (big < 0n) throw new ValidationError(`${field} must not be negative, got ${big}`);
  return big;
}

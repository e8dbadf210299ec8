import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ChannelState,
  channelSlotIndex,
  emptyChannelState,
} from '../../layers/shared/src/core/solana/channel-state.ts';
import {
  assertEpochUnitFits,
  fromOnChainEpoch,
  toOnChainEpoch,
} from '../../layers/shared/src/core/solana/onchain-epoch.ts';
import { ConfigError, ValidationError } from '../../layers/shared/src/errors.ts';

/** 2025-11-25T09:00:00Z */
const HOUR_START = 1_764_061_200;

function stateWithEpochs(epochs: bigint[]): ChannelState {
  const fresh = emptyChannelState({ mint: new Uint8Array(32), streamer: new Uint8Array(32) });
  const slots = fresh.slots.map((slot, i) => ({ ...slot, epoch: epochs[i] ?? 0n }));
  return { ...fresh, slots, latestEpoch: epochs.at(-1) ?? 0n };
}

describe('on-chain epoch', () => {
  it('is the hour index by default and the unix seconds for second-based mints', () => {
    expect(toOnChainEpoch(HOUR_START, 'hours')).toBe(490_017n);
    expect(toOnChainEpoch(HOUR_START, 'seconds')).toBe(1_764_061_200n);
  });

  it('walks the ring one slot per hour in hour mode, where seconds would put every hour in slot 0', () => {
    const hours = Array.from({ length: 10 }, (_, i) => HOUR_START + i * 3600);

    expect(new Set(hours.map((h) => channelSlotIndex(toOnChainEpoch(h, 'hours')))).size).toBe(10);
    expect(new Set(hours.map((h) => channelSlotIndex(toOnChainEpoch(h, 'seconds'))))).toEqual(new Set([0]));
  });

  it('converts back to the database epoch id it came from', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.constantFrom('hours' as const, 'seconds' as const),
        (hour, unit) => {
          const epochId = hour * 3600;
          expect(fromOnChainEpoch(toOnChainEpoch(epochId, unit), unit)).toBe(epochId);
        },
      ),
    );
  });

  it('refuses an epoch id that is not the start of an hour', () => {
    expect(() => toOnChainEpoch(HOUR_START + 60, 'hours')).toThrow(ValidationError);
    expect(() => toOnChainEpoch(-3600, 'hours')).toThrow(ValidationError);
  });
});

describe('epoch unit check against the chain', () => {
  it('refuses hour mode for a channel whose slots hold second-based epochs', () => {
    const state = stateWithEpochs([1_764_057_600n, 1_764_061_200n]);
    expect(() => assertEpochUnitFits(state, 'hours', 'lacy')).toThrow(ConfigError);
    expect(() => assertEpochUnitFits(state, 'hours', 'lacy')).toThrow(/epochUnit 'seconds'/);
  });

  it('accepts hour mode over hour indexes and seconds mode over anything', () => {
    expect(() => assertEpochUnitFits(stateWithEpochs([490_016n, 490_017n]), 'hours', 'lacy')).not.toThrow();
    expect(() => assertEpochUnitFits(stateWithEpochs([1_764_061_200n]), 'seconds', 'lacy')).not.toThrow();
    expect(() => assertEpochUnitFits(stateWithEpochs([100_000_000n]), 'hours', 'lacy')).not.toThrow();
  });
});

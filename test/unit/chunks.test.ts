import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunks, laneChunks } from '../../layers/shared/src/core/chunks.ts';

describe('laneChunks', () => {
  it('keeps every item once and in order, in slices of at most size, and in one round gives every lane an even slice', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { maxLength: 60 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 6 }),
        (items, size, lanes) => {
          const slices = laneChunks(items, size, lanes);
          expect(slices.flat()).toEqual(items);
          expect(slices.every((s) => s.length >= 1 && s.length <= size)).toBe(true);
          if (items.length > size * lanes) {
            expect(slices).toEqual(chunks(items, size));
          } else {
            // One round: a slice for every lane there are items for, as even as they go.
            expect(slices).toHaveLength(Math.min(lanes, items.length));
            const lengths = slices.map((s) => s.length);
            if (lengths.length > 0)
              expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1);
          }
        },
      ),
    );
  });

  it('splits 10 channels over 2 lanes as two slices of 5', () => {
    const channels = Array.from({ length: 10 }, (_, i) => `channel_${i}`);
    expect(laneChunks(channels, 10, 2).map((s) => s.length)).toEqual([5, 5]);
    expect(laneChunks(channels, 10, 1).map((s) => s.length)).toEqual([10]);
    expect(laneChunks(channels, 4, 2).map((s) => s.length)).toEqual([4, 4, 2]);
    expect(laneChunks(channels.slice(0, 7), 10, 2).map((s) => s.length)).toEqual([4, 3]);
  });
});

/** `items` in consecutive slices of `size` (the last one shorter), in order. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * `items` in consecutive slices of at most `size`, for work done `lanes` slices at a time: items
 * that fit in one round of full slices are spread evenly over the lanes (sizes differ by at most
 * one), not put in as few full slices as they fill while other lanes stand idle; more items are
 * `chunks` of `size`.
 */
export function laneChunks<T>(items: readonly T[], size: number, lanes: number): T[][] {
  if (items.length > size * lanes) return chunks(items, size);
  const count = Math.min(Math.max(1, lanes), items.length);
  const out: T[][] = [];
  for (let i = 0, start = 0; i < count; i++) {
    const end = start + Math.floor(items.length / count) + (i < items.length % count ? 1 : 0);
    out.push(items.slice(start, end));
    start = end;
  }
  return out;
}

/**
 * Reorg detection for the log poller: it keeps the hash of every block it read up to; when the
 * chain now reports a different hash for one of them, everything above the highest block that
 * still agrees is rolled back and read again.
 */
export interface KnownBlock {
  readonly number: number;
  readonly hash: string;
}

/**
 * The highest stored block whose hash the chain still reports, or `undefined` when none agrees
 * (the fork is deeper than what was kept: start over from the earliest stored block − 1).
 * `chainHashes` maps block number → the chain's current hash (absent: the block is gone).
 */
export function findForkPoint(
  stored: readonly KnownBlock[],
  chainHashes: ReadonlyMap<number, string | undefined>,
): number | undefined {
  const descending = [...stored].sort((a, b) => b.number - a.number);
  for (const block of descending) {
    const current = chainHashes.get(block.number);
    if (current !== undefined && current.toLowerCase() === block.hash.toLowerCase()) return block.number;
  }
  return undefined;
}

/** The blocks a poll may read: from after the cursor up to the head minus the confirmation depth. */
export function pollRange(
  cursor: number,
  head: number,
  confirmations: number,
  maxBlocks: number,
): { from: number; to: number } | undefined {
  const safeHead = head - confirmations;
  if (safeHead <= cursor) return undefined;
  return { from: cursor + 1, to: Math.min(safeHead, cursor + maxBlocks) };
}

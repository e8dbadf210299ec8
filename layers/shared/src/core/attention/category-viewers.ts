/**
 * A category's viewers from its channels' participants as the channel trees read them (DESIGN.md
 * section 5, "Trees"): each viewer once, with their earliest first_seen and their weights summed
 * over the category's channels, by that first_seen then user_hash in byte order. The same rows,
 * in the same order, as the category read of the sealed participants answers; built here when
 * every channel of the category was read whole, so the participants are not read twice.
 */
import { decimalBigInt } from '../numbers.ts';

/** A channel's participants in sealing order, parsed from the lists the tree builder reads. */
export interface ChannelViewers {
  readonly users: readonly string[];
  /** Microseconds since 1970 (a timestamptz's full precision). */
  readonly firstSeen: readonly number[];
  /** Hundredths. */
  readonly weights: readonly bigint[];
}

export interface AggregatedViewer {
  readonly userHash: string;
  readonly firstSeen: number;
  readonly weight: bigint;
}

/**
 * A channel's viewers from its comma-separated lists (user hashes, first_seen in microseconds
 * and weights, all in sealing order), or undefined when it has none.
 */
export function channelViewersFromLists(
  channel: string,
  lists: {
    readonly users: string | null;
    readonly firstSeen: string | null;
    readonly weights: string | null;
  },
): ChannelViewers | undefined {
  if (lists.users === null || lists.firstSeen === null || lists.weights === null) return undefined;
  const users = lists.users.split(',');
  const firstSeen = lists.firstSeen.split(',').map(Number);
  const weights = lists.weights.split(',').map(decimalBigInt);
  if (firstSeen.length !== users.length || weights.length !== users.length) {
    throw new Error(
      `channel ${channel}: ${users.length} participants, ${firstSeen.length} first_seen, ${weights.length} weights`,
    );
  }
  for (const micros of firstSeen) {
    if (!Number.isSafeInteger(micros))
      throw new Error(`channel ${channel}: first_seen ${micros} is not exact`);
  }
  return { users, firstSeen, weights };
}

/** The category's viewers over `channels`, each once, ordered by earliest first_seen, then user_hash. */
export function aggregateCategoryViewers(channels: readonly ChannelViewers[]): AggregatedViewer[] {
  const byUser = new Map<string, { firstSeen: number; weight: bigint }>();
  for (const { users, firstSeen, weights } of channels) {
    for (let i = 0; i < users.length; i++) {
      const userHash = users[i] as string;
      const seen = firstSeen[i] as number;
      const weight = weights[i] as bigint;
      const known = byUser.get(userHash);
      if (known === undefined) byUser.set(userHash, { firstSeen: seen, weight });
      else {
        if (seen < known.firstSeen) known.firstSeen = seen;
        known.weight += weight;
      }
    }
  }
  const viewers = Array.from(byUser, ([userHash, v]) => ({
    userHash,
    firstSeen: v.firstSeen,
    weight: v.weight,
  }));
  viewers.sort((a, b) => a.firstSeen - b.firstSeen || compareBytes(a.userHash, b.userHash));
  return viewers;
}

/**
 * Strings in the order of their UTF-8 bytes (PostgreSQL's C collation): UTF-16 code units
 * compare so except across surrogate pairs, which are compared by code point.
 */
export function compareBytes(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x < 0xd800 && y < 0xd800) return x - y;
    return (a.codePointAt(i) as number) - (b.codePointAt(i) as number);
  }
  return a.length - b.length;
}

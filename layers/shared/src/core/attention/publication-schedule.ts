/**
 * Which roots the every-minute publish scheduler expires and which it queues (DESIGN.md section
 * 5, "Publishing"): at most 50 a tick, per channel strictly in epoch order, and never a backlog
 * longer than the program's ring.
 */

/** How many epochs a channel's ring holds: a root older than that can no longer be claimed. */
export const RING_SIZE = 10;
export const MAX_ROOTS_PER_TICK = 50;
/** A queued root whose message has not been handled for this long is queued again (FIFO dedup covers 5 minutes). */
export const REQUEUE_AFTER_MS = 10 * 60 * 1000;

export interface SchedulableRoot {
  readonly epoch: number;
  readonly channel: string;
  readonly status: string;
  readonly mint: string | null;
  readonly root: string;
  readonly queuedAt: Date | null;
}

export interface PublicationPlan<T extends SchedulableRoot> {
  /** Roots never signed that fell out of the ring: they expire and their amounts return. */
  readonly expire: T[];
  /** Roots whose message goes on the queue now, oldest epoch first. */
  readonly queue: T[];
}

/** `rows` are the roots not published or expired yet, by channel then epoch. */
export function planPublications<T extends SchedulableRoot>(
  rows: readonly T[],
  at: Date,
): PublicationPlan<T> {
  const byChannel = new Map<string, T[]>();
  for (const row of rows) {
    const list = byChannel.get(row.channel) ?? [];
    list.push(row);
    byChannel.set(row.channel, list);
  }
  const expire: T[] = [];
  const candidates: T[] = [];
  for (const list of byChannel.values()) {
    // A backlog longer than the ring: only the newest RING_SIZE can still be claimed once
    // published, so the older ones expire now and their amounts go back to carried balances.
    const cut = Math.max(0, list.length - RING_SIZE);
    // A `sent` root is possibly on chain: the consumer settles it.
    for (const row of list.slice(0, cut)) if (row.status !== 'sent') expire.push(row);
    for (const row of list.slice(cut)) {
      const stale = row.queuedAt !== null && at.getTime() - row.queuedAt.getTime() > REQUEUE_AFTER_MS;
      // The FIFO group (mint:channel) keeps a channel's roots in epoch order on the queue.
      if (row.status === 'pending' || stale) candidates.push(row);
    }
  }
  candidates.sort((a, b) => a.epoch - b.epoch || a.channel.localeCompare(b.channel));
  return { expire, queue: candidates.slice(0, MAX_ROOTS_PER_TICK) };
}

/** The publish queue message of a root: grouped by mint and channel, deduplicated per root. */
export function publishQueueMessage(row: SchedulableRoot): {
  readonly body: { readonly epoch: number; readonly channel: string };
  readonly groupId: string;
  readonly deduplicationId: string;
} {
  return {
    body: { epoch: row.epoch, channel: row.channel },
    groupId: `${row.mint ?? 'memo'}:${row.channel}`.slice(0, 128),
    deduplicationId: `${row.channel}:${row.epoch}:${row.root.slice(0, 16)}`
      .replace(/[^A-Za-z0-9!-/:-@[-`{-~]/g, '_')
      .slice(0, 128),
  };
}

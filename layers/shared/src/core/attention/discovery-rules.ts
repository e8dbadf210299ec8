import type { Category } from './category.ts';

/** DESIGN.md / source: keep live streams with at least 25 viewers and 10 minutes of uptime. */
export const MIN_VIEWERS = 25;
export const MIN_UPTIME_MS = 10 * 60_000;
/** A tracked channel not seen live for this long stops being tracked. */
export const OFFLINE_GRACE_MS = 5 * 60_000;

export interface LiveStream {
  readonly channel: string;
  readonly broadcasterId: string;
  readonly viewers: number;
  readonly startedAtMs: number;
  readonly gameName: string | undefined;
  readonly category: Category;
}

export type RejectReason = 'viewers' | 'uptime' | 'blocklisted';

export interface Selection {
  readonly kept: LiveStream[];
  readonly rejected: { channel: string; reason: RejectReason }[];
}

export function selectStreams(
  streams: readonly LiveStream[],
  rules: { nowMs: number; blocklist: ReadonlySet<string>; minViewers?: number; minUptimeMs?: number },
): Selection {
  const minViewers = rules.minViewers ?? MIN_VIEWERS;
  const minUptimeMs = rules.minUptimeMs ?? MIN_UPTIME_MS;
  const kept: LiveStream[] = [];
  const rejected: { channel: string; reason: RejectReason }[] = [];
  for (const stream of streams) {
    if (rules.blocklist.has(stream.channel))
      rejected.push({ channel: stream.channel, reason: 'blocklisted' });
    else if (stream.viewers < minViewers) rejected.push({ channel: stream.channel, reason: 'viewers' });
    else if (rules.nowMs - stream.startedAtMs < minUptimeMs)
      rejected.push({ channel: stream.channel, reason: 'uptime' });
    else kept.push(stream);
  }
  return { kept, rejected };
}

/**
 * Tracked channels that have been offline for at least OFFLINE_GRACE_MS: first seen offline
 * that long ago and not seen live since. A stream that drops and comes back between two
 * liveness passes keeps its channel tracked.
 */
export function channelsToUntrack(
  tracked: readonly { channel: string; offlineSinceMs: number | undefined }[],
  nowMs: number,
  graceMs: number = OFFLINE_GRACE_MS,
): string[] {
  return tracked
    .filter((t) => t.offlineSinceMs !== undefined && nowMs - t.offlineSinceMs >= graceMs)
    .map((t) => t.channel);
}

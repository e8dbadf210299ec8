/**
 * Channel discovery (DESIGN.md section 5, Attention oracle). The daily run takes the top 100
 * live streams, keeps those with ≥ 25 viewers and ≥ 10 minutes live that are not blocklisted,
 * enriches them (followers, viewers, uptime), and tracks them with their category (from the
 * Twitch game, unless configured) and token group (from channel configuration). Both runs
 * check that tracked channels are still live: a channel offline for 5 minutes stops being
 * tracked, and a channel blocklisted since stops at once. Every run is recorded in
 * attention.discovery_runs; a failed run is recorded as such and raises the
 * discovery-failure metric.
 */
import {
  type DrizzleQueryable,
  failDiscoveryRun,
  finishDiscoveryRun,
  listChannelConfig,
  listKnownChannels,
  listTrackedChannels,
  markChannelLive,
  markChannelsOffline,
  startDiscoveryRun,
  trackLiveChannel,
  untrackChannels,
} from '../../adapters/db/attention/discovery-store.ts';
import { CATEGORIES, type Category, categoryForGame } from '../../core/attention/category.ts';
import { channelsToUntrack, type LiveStream, selectStreams } from '../../core/attention/discovery-rules.ts';
import { normalizeLogin } from '../../core/attention/signals.ts';
import { METRIC } from '../../metric-names.ts';
import type { Database } from '../../ports/sql.ts';
import type { Telemetry } from '../../ports/telemetry.ts';
import type { HelixStream, TwitchHelix } from '../../ports/twitch-helix.ts';

export type DiscoveryMode = 'daily' | 'liveness';

export interface DiscoveryDeps {
  readonly db: Database;
  readonly helix: TwitchHelix;
  /** Unix ms. */
  readonly now: () => number;
  readonly telemetry: Telemetry;
  /** Streams to consider in a daily run. @default 100 */
  readonly topLimit?: number;
  /** Follower lookups in flight at once (the Helix client's bucket paces them). @default 8 */
  readonly concurrency?: number;
}

export interface DiscoveryResult {
  readonly runId: number;
  readonly mode: DiscoveryMode;
  readonly outcome: 'succeeded' | 'failed';
  readonly seen: number;
  readonly added: string[];
  readonly removed: string[];
  readonly tracked: number;
  readonly helixRequests: number;
  readonly error?: string;
}

interface ChannelSettings {
  /** MILO, CLS, OTHER or a group the operator declared (validated when it was configured). */
  readonly tokenGroup: string;
  readonly category: Category | undefined;
  readonly blocked: boolean;
}

const isCategory = (value: string | null): value is Category => CATEGORIES.includes(value as Category);

function toLiveStream(stream: HelixStream, gameNames: ReadonlyMap<string, string>): LiveStream | undefined {
  const channel = normalizeLogin(stream.userLogin);
  const startedAtMs = Date.parse(stream.startedAt);
  if (channel === undefined || stream.type !== 'live' || !Number.isFinite(startedAtMs)) return undefined;
  const gameName = stream.gameName || gameNames.get(stream.gameId) || undefined;
  return {
    channel,
    broadcasterId: stream.userId,
    viewers: stream.viewerCount,
    startedAtMs,
    gameName,
    category: categoryForGame(gameName),
  };
}

async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

export async function runDiscovery(deps: DiscoveryDeps, mode: DiscoveryMode): Promise<DiscoveryResult> {
  const startedMs = deps.now();
  const requestsBefore = deps.helix.requestCount;
  const runId = await startDiscoveryRun(deps.db, mode, new Date(startedMs));
  try {
    const outcome = await discover(deps, mode);
    const helixRequests = deps.helix.requestCount - requestsBefore;
    await deps.db.transaction(async (tx) => {
      await outcome.write(tx);
      await finishDiscoveryRun(tx, runId, new Date(deps.now()), {
        channelsSeen: outcome.seen,
        channelsAdded: outcome.added.length,
        channelsRemoved: outcome.removed.length,
        helixRequests,
      });
    });
    const result: DiscoveryResult = {
      runId,
      mode,
      outcome: 'succeeded',
      seen: outcome.seen,
      added: outcome.added,
      removed: outcome.removed,
      tracked: outcome.tracked,
      helixRequests,
    };
    deps.telemetry.info('discovery run finished', {
      ...result,
      added: result.added.length,
      removed: result.removed.length,
    });
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const helixRequests = deps.helix.requestCount - requestsBefore;
    await failDiscoveryRun(deps.db, runId, {
      finishedAt: new Date(deps.now()),
      helixRequests,
      error: message,
    });
    deps.telemetry.metric(METRIC.discoveryFailure, 'Count', 1);
    deps.telemetry.error('discovery run failed', { runId, mode, error: message });
    return {
      runId,
      mode,
      outcome: 'failed',
      seen: 0,
      added: [],
      removed: [],
      tracked: 0,
      helixRequests,
      error: message,
    };
  }
}

interface Planned {
  readonly seen: number;
  readonly added: string[];
  readonly removed: string[];
  readonly tracked: number;
  write(tx: DrizzleQueryable): Promise<void>;
}

/** Reads Twitch and the database, decides, and returns the writes to do in one transaction. */
async function discover(deps: DiscoveryDeps, mode: DiscoveryMode): Promise<Planned> {
  const nowMs = deps.now();
  const now = new Date(nowMs);
  const settings = new Map<string, ChannelSettings>();
  for (const row of await listChannelConfig(deps.db)) {
    settings.set(row.channel, {
      tokenGroup: row.tokenGroup,
      category: isCategory(row.categoryOverride) ? row.categoryOverride : undefined,
      blocked: row.blocked,
    });
  }
  const blocklist = new Set([...settings].filter(([, s]) => s.blocked).map(([channel]) => channel));
  const known = new Map((await listKnownChannels(deps.db)).map((row) => [row.channel, row]));
  const trackedBefore = [...known.values()].filter((c) => c.tracked).map((c) => c.channel);

  // Daily: the top streams, filtered and enriched.
  let kept: (LiveStream & { followers: number })[] = [];
  const liveNow = new Map<string, LiveStream>();
  let seen = 0;
  if (mode === 'daily') {
    const top = await deps.helix.topStreams(deps.topLimit ?? 100);
    seen += top.length;
    const missingGames = [...new Set(top.filter((s) => !s.gameName && s.gameId).map((s) => s.gameId))];
    const gameNames = new Map(
      missingGames.length === 0 ? [] : (await deps.helix.games(missingGames)).map((g) => [g.id, g.name]),
    );
    const live = top.map((s) => toLiveStream(s, gameNames)).filter((s): s is LiveStream => s !== undefined);
    for (const stream of live) liveNow.set(stream.channel, stream);
    const selection = selectStreams(live, { nowMs, blocklist });
    const followers = await mapConcurrent(selection.kept, deps.concurrency ?? 8, (s) =>
      deps.helix.followerCount(s.broadcasterId),
    );
    kept = selection.kept.map((s, i) => ({ ...s, followers: followers[i] ?? 0 }));
  }

  // Both modes: is every tracked channel not just seen in the top list still live?
  const toCheck = trackedBefore.filter((c) => !liveNow.has(c) && !blocklist.has(c));
  if (toCheck.length > 0) {
    const streams = await deps.helix.streamsByLogin(toCheck);
    seen += streams.length;
    for (const s of streams) {
      const stream = toLiveStream(s, new Map());
      if (stream !== undefined) liveNow.set(stream.channel, stream);
    }
  }

  const keptSet = new Set(kept.map((k) => k.channel));
  const stillTracked = trackedBefore.filter((c) => !keptSet.has(c));
  const offline = stillTracked
    .filter((c) => !liveNow.has(c))
    .map((c) => ({ channel: c, offlineSinceMs: known.get(c)?.offlineSince?.getTime() ?? nowMs }));
  const untrack = new Set([
    ...channelsToUntrack(offline, nowMs),
    ...stillTracked.filter((c) => blocklist.has(c)),
  ]);
  const added = kept.filter((k) => known.get(k.channel)?.tracked !== true).map((k) => k.channel);
  const removed = [...untrack].sort();
  const trackedAfter = new Set([...stillTracked.filter((c) => !untrack.has(c)), ...keptSet]);

  return {
    seen,
    added,
    removed,
    tracked: trackedAfter.size,
    async write(tx) {
      for (const k of kept) {
        const setting = settings.get(k.channel);
        await trackLiveChannel(
          tx,
          k.channel,
          {
            broadcasterId: k.broadcasterId,
            gameName: k.gameName ?? null,
            category: setting?.category ?? k.category,
            tokenGroup: setting?.tokenGroup ?? 'OTHER',
            viewers: k.viewers,
            followers: k.followers,
            startedAt: new Date(k.startedAtMs),
          },
          now,
        );
      }
      const liveTracked = stillTracked.filter((c) => liveNow.has(c) && !untrack.has(c));
      for (const c of liveTracked) {
        await markChannelLive(tx, c, liveNow.get(c)!.viewers, now);
      }
      const newlyOffline = offline.filter((o) => !untrack.has(o.channel)).map((o) => o.channel);
      if (newlyOffline.length > 0) await markChannelsOffline(tx, newlyOffline, now);
      if (removed.length > 0) await untrackChannels(tx, removed, now);
    },
  };
}

/** The channels the IRC worker should be in now. */
export function trackedChannels(db: Database): Promise<string[]> {
  return listTrackedChannels(db);
}

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
import { eq, inArray, sql } from 'drizzle-orm';
import { channelConfig, channels, discoveryRuns } from '../../../../../drizzle/schema/attention.ts';
import { CATEGORIES, type Category, categoryForGame } from '../../core/attention/category.ts';
import { channelsToUntrack, type LiveStream, selectStreams } from '../../core/attention/discovery-rules.ts';
import { normalizeLogin } from '../../core/attention/signals.ts';
import { METRIC } from '../../metric-names.ts';
import { logger, MetricUnit, metrics } from '../../observability.ts';
import type { Database } from '../../ports/sql.ts';
import type { HelixStream, TwitchHelix } from '../../ports/twitch-helix.ts';

export type DiscoveryMode = 'daily' | 'liveness';

export interface DiscoveryDeps {
  readonly db: Database;
  readonly helix: TwitchHelix;
  /** Unix ms. */
  readonly now: () => number;
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
  const [run] = await deps.db
    .insert(discoveryRuns)
    .values({ mode, startedAt: new Date(startedMs) })
    .returning({ id: discoveryRuns.id });
  const runId = run!.id;
  try {
    const outcome = await discover(deps, mode);
    const helixRequests = deps.helix.requestCount - requestsBefore;
    await deps.db.transaction(async (tx) => {
      await outcome.write(tx);
      await tx
        .update(discoveryRuns)
        .set({
          finishedAt: new Date(deps.now()),
          channelsSeen: outcome.seen,
          channelsAdded: outcome.added.length,
          channelsRemoved: outcome.removed.length,
          helixRequests,
          outcome: 'succeeded',
        })
        .where(eq(discoveryRuns.id, runId));
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
    logger.info('discovery run finished', {
      ...result,
      added: result.added.length,
      removed: result.removed.length,
    });
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const helixRequests = deps.helix.requestCount - requestsBefore;
    await deps.db
      .update(discoveryRuns)
      .set({
        finishedAt: new Date(deps.now()),
        helixRequests,
        outcome: 'failed',
        error: message.slice(0, 1000),
      })
      .where(eq(discoveryRuns.id, runId));
    metrics.addMetric(METRIC.discoveryFailure, MetricUnit.Count, 1);
    logger.error('discovery run failed', { runId, mode, error: message });
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

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

interface Planned {
  readonly seen: number;
  readonly added: string[];
  readonly removed: string[];
  readonly tracked: number;
  write(tx: Transaction): Promise<void>;
}

/** Reads Twitch and the database, decides, and returns the writes to do in one transaction. */
async function discover(deps: DiscoveryDeps, mode: DiscoveryMode): Promise<Planned> {
  const nowMs = deps.now();
  const now = new Date(nowMs);
  const settings = new Map<string, ChannelSettings>();
  for (const row of await deps.db.select().from(channelConfig)) {
    settings.set(row.channel, {
      tokenGroup: row.tokenGroup,
      category: isCategory(row.categoryOverride) ? row.categoryOverride : undefined,
      blocked: row.blocked,
    });
  }
  const blocklist = new Set([...settings].filter(([, s]) => s.blocked).map(([channel]) => channel));
  const known = new Map(
    (
      await deps.db
        .select({ channel: channels.channel, tracked: channels.tracked, offlineSince: channels.offlineSince })
        .from(channels)
    ).map((row) => [row.channel, row]),
  );
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
        const values = {
          broadcasterId: k.broadcasterId,
          gameName: k.gameName ?? null,
          category: setting?.category ?? k.category,
          tokenGroup: setting?.tokenGroup ?? 'OTHER',
          tracked: true,
          viewers: k.viewers,
          followers: k.followers,
          startedAt: new Date(k.startedAtMs),
          lastSeenLiveAt: now,
          offlineSince: null,
          updatedAt: now,
        };
        await tx
          .insert(channels)
          .values({ channel: k.channel, addedAt: now, ...values })
          .onConflictDoUpdate({ target: channels.channel, set: values });
      }
      const liveTracked = stillTracked.filter((c) => liveNow.has(c) && !untrack.has(c));
      for (const c of liveTracked) {
        const stream = liveNow.get(c)!;
        await tx
          .update(channels)
          .set({ viewers: stream.viewers, lastSeenLiveAt: now, offlineSince: null, updatedAt: now })
          .where(eq(channels.channel, c));
      }
      const newlyOffline = offline.filter((o) => !untrack.has(o.channel)).map((o) => o.channel);
      if (newlyOffline.length > 0) {
        await tx
          .update(channels)
          .set({
            offlineSince: sql`coalesce(${channels.offlineSince}, ${now.toISOString()}::timestamptz)`,
            updatedAt: now,
          })
          .where(inArray(channels.channel, newlyOffline));
      }
      if (removed.length > 0) {
        await tx
          .update(channels)
          .set({ tracked: false, updatedAt: now })
          .where(inArray(channels.channel, removed));
      }
    },
  };
}

/** The channels the IRC worker should be in now. */
export async function trackedChannels(db: Database): Promise<string[]> {
  const rows = await db
    .select({ channel: channels.channel })
    .from(channels)
    .where(eq(channels.tracked, true));
  return rows.map((r) => r.channel).sort();
}

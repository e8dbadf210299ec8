/**
 * The named queries of channel discovery (services/attention/discovery.ts): its runs, the
 * operator's channel configuration it reads, and the tracked channels it writes. Written with
 * drizzle's query builder, on the client or on a transaction the service opened.
 */

import { eq, inArray, sql } from 'drizzle-orm';
import { channelConfig, channels, discoveryRuns } from '../../../../../../drizzle/schema/attention.ts';
import type { Database } from '../../../ports/sql.ts';

/** The drizzle client or one of its transactions. */
export type DrizzleQueryable = Database | Parameters<Parameters<Database['transaction']>[0]>[0];

export type ChannelConfigRow = Pick<
  typeof channelConfig.$inferSelect,
  'channel' | 'tokenGroup' | 'categoryOverride' | 'blocked'
>;

export type KnownChannel = Pick<typeof channels.$inferSelect, 'channel' | 'tracked' | 'offlineSince'>;

/** What a daily run writes of a stream it tracks. */
export type TrackedChannelValues = Pick<
  typeof channels.$inferInsert,
  'broadcasterId' | 'gameName' | 'category' | 'tokenGroup' | 'viewers' | 'followers' | 'startedAt'
>;

export type DiscoveryRunCounts = Pick<
  typeof discoveryRuns.$inferInsert,
  'channelsSeen' | 'channelsAdded' | 'channelsRemoved' | 'helixRequests'
>;

export async function startDiscoveryRun(
  db: DrizzleQueryable,
  mode: string,
  startedAt: Date,
): Promise<number> {
  const [run] = await db
    .insert(discoveryRuns)
    .values({ mode, startedAt })
    .returning({ id: discoveryRuns.id });
  return run!.id;
}

export async function finishDiscoveryRun(
  db: DrizzleQueryable,
  id: number,
  finishedAt: Date,
  counts: DiscoveryRunCounts,
): Promise<void> {
  await db
    .update(discoveryRuns)
    .set({ finishedAt, ...counts, outcome: 'succeeded' })
    .where(eq(discoveryRuns.id, id));
}

export async function failDiscoveryRun(
  db: DrizzleQueryable,
  id: number,
  failure: { readonly finishedAt: Date; readonly helixRequests: number; readonly error: string },
): Promise<void> {
  await db
    .update(discoveryRuns)
    .set({ ...failure, outcome: 'failed', error: failure.error.slice(0, 1000) })
    .where(eq(discoveryRuns.id, id));
}

export async function listChannelConfig(db: DrizzleQueryable): Promise<ChannelConfigRow[]> {
  return db
    .select({
      channel: channelConfig.channel,
      tokenGroup: channelConfig.tokenGroup,
      categoryOverride: channelConfig.categoryOverride,
      blocked: channelConfig.blocked,
    })
    .from(channelConfig);
}

export async function listKnownChannels(db: DrizzleQueryable): Promise<KnownChannel[]> {
  return db
    .select({ channel: channels.channel, tracked: channels.tracked, offlineSince: channels.offlineSince })
    .from(channels);
}

/** Tracks a live channel (added now if it is new), live and online as of `now`. */
export async function trackLiveChannel(
  db: DrizzleQueryable,
  channel: string,
  values: TrackedChannelValues,
  now: Date,
): Promise<void> {
  const set = { ...values, tracked: true, lastSeenLiveAt: now, offlineSince: null, updatedAt: now };
  await db
    .insert(channels)
    .values({ channel, addedAt: now, ...set })
    .onConflictDoUpdate({ target: channels.channel, set });
}

export async function markChannelLive(
  db: DrizzleQueryable,
  channel: string,
  viewers: number,
  now: Date,
): Promise<void> {
  await db
    .update(channels)
    .set({ viewers, lastSeenLiveAt: now, offlineSince: null, updatedAt: now })
    .where(eq(channels.channel, channel));
}

/** Offline since `now`, unless already offline since earlier. */
export async function markChannelsOffline(
  db: DrizzleQueryable,
  names: readonly string[],
  now: Date,
): Promise<void> {
  await db
    .update(channels)
    .set({
      offlineSince: sql`coalesce(${channels.offlineSince}, ${now.toISOString()}::timestamptz)`,
      updatedAt: now,
    })
    .where(inArray(channels.channel, [...names]));
}

export async function untrackChannels(
  db: DrizzleQueryable,
  names: readonly string[],
  now: Date,
): Promise<void> {
  await db
    .update(channels)
    .set({ tracked: false, updatedAt: now })
    .where(inArray(channels.channel, [...names]));
}

/** The channels the IRC worker should be in now, sorted. */
export async function listTrackedChannels(db: DrizzleQueryable): Promise<string[]> {
  const rows = await db
    .select({ channel: channels.channel })
    .from(channels)
    .where(eq(channels.tracked, true));
  return rows.map((r) => r.channel).sort();
}

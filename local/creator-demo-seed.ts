/**
 * Demo data for the creator metrics oracle: a StreamVault catalogue of N creators with listeners,
 * tracks, plays, follows, likes, comments, purchases and tips spread over the last months.
 * Deterministic: the same (creators, seed, now) writes the same rows.
 *
 * Shape: plays follow a power law (Pareto, shape 0.9, so a few creators hold most plays),
 * followers are plays divided by a log-uniform plays-per-follower ratio, likes and comments a
 * few percent of plays. The first creators are a fixed showcase placed at and around every
 * milestone and coin-launch threshold (999 / 1,000 plays, 4,999 / 5,000 followers, 99 / 120 FIL a
 * month, zero plays, …), so every rule is exercised whatever N is.
 *
 * Volume: plays are stored aggregated, one row per track and 30-day bucket carrying that
 * bucket's `play_count` (see drizzle/schema/creator.ts), so totals stay realistic (millions of
 * plays) while the table holds a few rows per track; follows, likes and comments are one row
 * each, as their uniqueness and soft deletion are per user. About 2 % extra follows, likes and
 * comments are written soft-deleted, to be excluded by every metric. Everything is loaded with
 * COPY in one transaction.
 */

import { copyLine, copyRows } from '../layers/shared/src/adapters/db/copy-rows.ts';
import { ATTO_PER_FIL } from '../layers/shared/src/core/creator/milestones.ts';
import { type SeededRandom, seededRandom } from '../layers/shared/src/core/creator/seeded-random.ts';
import type { Sql } from '../layers/shared/src/ports/sql.ts';

export interface DemoSeedOptions {
  readonly creators: number;
  /** @default 1 */
  readonly seed?: number;
  /** The instant the catalogue ends at. @default now */
  readonly now?: Date;
  /** How far back activity goes, in 30-day months. @default 6 */
  readonly months?: number;
}

export interface DemoSeedResult {
  readonly creators: number;
  readonly users: number;
  readonly tracks: number;
  readonly playRows: number;
  readonly totalPlays: number;
  readonly follows: number;
  readonly likes: number;
  readonly comments: number;
  readonly purchases: number;
  readonly tips: number;
  readonly rows: number;
  readonly durationMs: number;
  /** True when this seed was already loaded: nothing was written. */
  readonly alreadySeeded: boolean;
}

/** What the demo promises about one creator: the live totals the metrics must find. */
export interface DemoCreatorPlan {
  readonly id: string;
  readonly walletAddress: string;
  readonly stageName: string;
  readonly totalPlays: number;
  readonly followers: number;
  readonly likes: number;
  readonly comments: number;
  readonly tracksLast30Days: number;
}

interface Profile {
  readonly stageName: string;
  readonly plays: number;
  readonly followers: number;
  readonly recentTracks: number;
  readonly olderTracks: number;
  /** Tips in the last 30 days, in whole FIL. */
  readonly recentTipsFil?: number;
}

/** Placed at and around every threshold (milestones: plays 1K/5K/10K/20K/50K, followers 1K/5K/10K, revenue 100 FIL; coin: 50K + 5K). */
const SHOWCASE: readonly Profile[] = [
  { stageName: 'Quiet Room', plays: 0, followers: 0, recentTracks: 0, olderTracks: 1 },
  { stageName: 'Nearly There', plays: 999, followers: 40, recentTracks: 1, olderTracks: 1 },
  { stageName: 'First Thousand', plays: 1_000, followers: 999, recentTracks: 0, olderTracks: 2 },
  { stageName: 'Nearly Five', plays: 4_999, followers: 9_999, recentTracks: 0, olderTracks: 1 },
  { stageName: 'Five Alive', plays: 5_000, followers: 1_000, recentTracks: 2, olderTracks: 1 },
  { stageName: 'Almost Ten', plays: 9_999, followers: 1_001, recentTracks: 3, olderTracks: 0 },
  { stageName: 'Ten Thousand Hz', plays: 10_000, followers: 4_999, recentTracks: 1, olderTracks: 3 },
  { stageName: 'Twenty Twenty', plays: 20_000, followers: 5_000, recentTracks: 0, olderTracks: 4 },
  { stageName: 'So Close', plays: 49_999, followers: 5_000, recentTracks: 1, olderTracks: 2 },
  { stageName: 'Follow Me Maybe', plays: 50_000, followers: 4_999, recentTracks: 2, olderTracks: 2 },
  { stageName: 'Launch Pad', plays: 50_000, followers: 5_000, recentTracks: 1, olderTracks: 3 },
  {
    stageName: 'Headliner',
    plays: 150_000,
    followers: 10_000,
    recentTracks: 4,
    olderTracks: 6,
    recentTipsFil: 120,
  },
  {
    stageName: 'Almost Famous',
    plays: 30_000,
    followers: 2_000,
    recentTracks: 1,
    olderTracks: 2,
    recentTipsFil: 99,
  },
];

const DAY_MS = 86_400_000;
const MONTH_MS = 30 * DAY_MS;
const SYLLABLES = [
  'lu',
  'na',
  'ko',
  'ri',
  'va',
  'mo',
  'zen',
  'tal',
  'ex',
  'dra',
  'sol',
  'vi',
  'ra',
  'jo',
  'ny',
];
const WORDS = ['Echo', 'Velvet', 'Static', 'Neon', 'Lunar', 'Drift', 'Cobalt', 'Ember', 'Pulse', 'Atlas'];

function stageNameFor(random: SeededRandom, index: number): string {
  const parts = random.int(2, 3);
  let name = '';
  for (let i = 0; i < parts; i++) name += SYLLABLES[random.int(0, SYLLABLES.length - 1)];
  const word = WORDS[random.int(0, WORDS.length - 1)];
  const capitalised = name.charAt(0).toUpperCase() + name.slice(1);
  // Every 7th creator shares a plain word name, so coin names collide and need suffixes.
  return index % 7 === 0 ? `${word}` : `${capitalised} ${word}`;
}

function randomProfile(random: SeededRandom, index: number, maxFollowers: number): Profile {
  const plays = Math.min(Math.floor(random.pareto(20, 0.9)) - 20, 3_000_000);
  const ratio = random.logUniform(8, 160);
  const followers = Math.min(Math.floor(plays / ratio) + random.int(0, 3), maxFollowers);
  const tracks = Math.min(1 + Math.floor(random.pareto(1, 1.6)) - 1, 30);
  const recentTracks = random.next() < 0.4 ? random.int(0, Math.min(3, tracks)) : 0;
  return {
    stageName: stageNameFor(random, index),
    plays,
    followers,
    recentTracks,
    olderTracks: tracks - recentTracks,
  };
}

/** Splits `total` into integer parts proportional to `weights` (largest remainder). */
export function splitProportionally(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (weights.length === 0) return [];
  if (sum <= 0) return weights.map((_, i) => (i === 0 ? total : 0));
  const exact = weights.map((w) => (w / sum) * total);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => [x - Math.floor(x), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    parts[i] = (parts[i] ?? 0) + 1;
    left--;
  }
  return parts;
}

interface Tables {
  users: string[];
  creators: string[];
  tracks: string[];
  plays: string[];
  follows: string[];
  likes: string[];
  comments: string[];
  purchases: string[];
  tips: string[];
}

/** The plan for `options`, without writing it: what the metrics of each creator must come to. */
export function planCreatorDemo(options: DemoSeedOptions): {
  plans: DemoCreatorPlan[];
  tables: Tables;
  totalPlays: number;
} {
  const seed = options.seed ?? 1;
  const now = options.now ?? new Date();
  const months = options.months ?? 6;
  const nowMs = now.getTime();
  const random = seededRandom(seed);
  const count = options.creators;

  const profiles: Profile[] = [];
  const poolCap = 12_000;
  for (let i = 0; i < count; i++) profiles.push(SHOWCASE[i] ?? randomProfile(random, i, poolCap));
  const maxFollowers = profiles.reduce((m, p) => Math.max(m, p.followers), 0);
  // Listeners: enough that the biggest creator's followers (plus its soft-deleted ones) are distinct.
  const poolSize = Math.max(2_000, Math.ceil(maxFollowers * 1.05) + 50);

  const tables: Tables = {
    users: [],
    creators: [],
    tracks: [],
    plays: [],
    follows: [],
    likes: [],
    comments: [],
    purchases: [],
    tips: [],
  };
  const startMs = nowMs - months * MONTH_MS;
  const at = (ms: number) => new Date(Math.min(Math.floor(ms), nowMs - 1_000));
  const pool: string[] = [];
  for (let i = 0; i < poolSize; i++) {
    const id = random.uuid();
    pool.push(id);
    tables.users.push(
      copyLine([id, `listener_${seed}_${i}`, null, null, at(startMs - random.next() * MONTH_MS)]),
    );
  }
  const poolUser = (offset: number) => pool[((offset % poolSize) + poolSize) % poolSize]!;

  const plans: DemoCreatorPlan[] = [];
  let totalPlays = 0;
  profiles.forEach((profile, index) => {
    const userId = random.uuid();
    const creatorId = random.uuid();
    const wallet = `0x${random.hex(40)}`;
    const createdAt = at(startMs - random.next() * MONTH_MS);
    tables.users.push(copyLine([userId, `creator_${seed}_${index}`, null, wallet, createdAt]));
    tables.creators.push(
      copyLine([creatorId, userId, wallet, profile.stageName, index < SHOWCASE.length, createdAt]),
    );

    // Tracks: the recent ones published within the last 30 days, the others before.
    const trackCount = profile.recentTracks + profile.olderTracks;
    const tracks: { id: string; publishedMs: number; priceFil: number | null }[] = [];
    for (let t = 0; t < trackCount; t++) {
      const recent = t < profile.recentTracks;
      const publishedMs = recent
        ? nowMs - (1 + random.next() * 28) * DAY_MS
        : nowMs - (31 + random.next() * (months * 30 - 32)) * DAY_MS;
      const priceFil = random.next() < 0.15 ? random.int(1, 10) / 2 : null;
      const id = random.uuid();
      tracks.push({ id, publishedMs, priceFil });
      tables.tracks.push(
        copyLine([
          id,
          creatorId,
          `Track ${index}-${t}`,
          `bafy${random.hex(20)}`,
          random.int(90, 420),
          priceFil === null ? null : BigInt(priceFil * 2) * (ATTO_PER_FIL / 2n),
          at(publishedMs),
          at(publishedMs),
        ]),
      );
    }

    // Plays, aggregated per track and 30-day bucket since the track's release.
    const trackPlays = splitProportionally(
      profile.plays,
      tracks.map(() => random.pareto(1, 1.2)),
    );
    tracks.forEach((track, t) => {
      const buckets = Math.max(1, Math.ceil((nowMs - track.publishedMs) / MONTH_MS));
      const perBucket = splitProportionally(
        trackPlays[t] ?? 0,
        Array.from({ length: buckets }, (_, b) => (b + 1) * (0.5 + random.next())),
      );
      perBucket.forEach((plays, b) => {
        if (plays <= 0) return;
        const bucketStart = track.publishedMs + b * MONTH_MS;
        const playedMs = bucketStart + random.next() * Math.min(MONTH_MS, nowMs - bucketStart);
        tables.plays.push(copyLine([track.id, creatorId, null, at(playedMs), plays, null]));
      });
    });
    totalPlays += profile.plays;

    // Followers: a contiguous run of listeners from a random offset (so all distinct), then a
    // few more soft-deleted ones (unfollowed).
    const followOffset = random.int(0, poolSize - 1);
    const deletedFollows = Math.floor(profile.followers * 0.02);
    for (let f = 0; f < profile.followers + deletedFollows; f++) {
      const followedMs = startMs + random.next() * (nowMs - startMs);
      const deleted = f >= profile.followers ? at(followedMs + DAY_MS) : null;
      tables.follows.push(copyLine([poolUser(followOffset + f), creatorId, at(followedMs), deleted]));
    }

    // Likes and comments, in proportion to each track's plays.
    const likeTotal = tracks.length === 0 ? 0 : Math.round(profile.plays * random.logUniform(0.005, 0.06));
    const commentTotal = tracks.length === 0 ? 0 : Math.round(profile.plays * random.logUniform(0.001, 0.01));
    const trackWeights = trackPlays.map((p) => p + 1e-9);
    const likesPerTrack = splitProportionally(likeTotal, trackWeights);
    const commentsPerTrack = splitProportionally(commentTotal, trackWeights);
    let likes = 0;
    let comments = 0;
    tracks.forEach((track, t) => {
      const live = Math.min(likesPerTrack[t] ?? 0, poolSize - 10);
      const deletedLikes = Math.min(Math.floor(live * 0.02), poolSize - live);
      const offset = random.int(0, poolSize - 1);
      for (let l = 0; l < live + deletedLikes; l++) {
        const likedMs = track.publishedMs + random.next() * (nowMs - track.publishedMs);
        tables.likes.push(
          copyLine([poolUser(offset + l), track.id, at(likedMs), l >= live ? at(likedMs) : null]),
        );
      }
      likes += live;
      const liveComments = commentsPerTrack[t] ?? 0;
      const deletedComments = Math.floor(liveComments * 0.02);
      for (let c = 0; c < liveComments + deletedComments; c++) {
        const commentedMs = track.publishedMs + random.next() * (nowMs - track.publishedMs);
        tables.comments.push(
          copyLine([
            random.uuid(),
            poolUser(random.int(0, poolSize - 1)),
            track.id,
            `comment ${c} on track ${t}`,
            at(commentedMs),
            c >= liveComments ? at(commentedMs) : null,
          ]),
        );
      }
      comments += liveComments;

      // Sales of premium tracks: about one in two thousand plays buys it.
      if (track.priceFil !== null) {
        const sales = Math.min(Math.round((trackPlays[t] ?? 0) / 2_000), 60);
        for (let s = 0; s < sales; s++) {
          const soldMs = track.publishedMs + random.next() * (nowMs - track.publishedMs);
          tables.purchases.push(
            copyLine([
              random.uuid(),
              track.id,
              creatorId,
              poolUser(random.int(0, poolSize - 1)),
              BigInt(track.priceFil * 2) * (ATTO_PER_FIL / 2n),
              at(soldMs),
            ]),
          );
        }
      }
    });

    // Tips: occasional ones over the whole period; the showcase's revenue creators get theirs
    // in the last 30 days, exactly the amount their profile names.
    if (profile.recentTipsFil !== undefined) {
      const parts = splitProportionally(profile.recentTipsFil, [1, 1, 1]);
      for (const fil of parts) {
        if (fil <= 0) continue;
        const tippedMs = nowMs - (1 + random.next() * 27) * DAY_MS;
        tables.tips.push(
          copyLine([
            random.uuid(),
            creatorId,
            poolUser(random.int(0, poolSize - 1)),
            BigInt(fil) * ATTO_PER_FIL,
            at(tippedMs),
          ]),
        );
      }
    } else if (index >= SHOWCASE.length && random.next() < 0.3) {
      const tipCount = random.int(1, 5);
      for (let k = 0; k < tipCount; k++) {
        const tippedMs = startMs + random.next() * (nowMs - startMs);
        const atto = BigInt(random.int(1, 100)) * (ATTO_PER_FIL / 10n);
        tables.tips.push(
          copyLine([random.uuid(), creatorId, poolUser(random.int(0, poolSize - 1)), atto, at(tippedMs)]),
        );
      }
    }

    plans.push({
      id: creatorId,
      walletAddress: wallet,
      stageName: profile.stageName,
      totalPlays: profile.plays,
      followers: profile.followers,
      likes,
      comments,
      tracksLast30Days: profile.recentTracks,
    });
  });
  return { plans, tables, totalPlays };
}

export async function seedCreatorDemo(
  sql: Sql,
  options: DemoSeedOptions,
): Promise<DemoSeedResult & { plans: DemoCreatorPlan[] }> {
  if (!Number.isSafeInteger(options.creators) || options.creators < 1) {
    throw new RangeError(`creators must be a positive integer, got ${options.creators}`);
  }
  const started = performance.now();
  const { plans, tables, totalPlays } = planCreatorDemo(options);
  const first = plans[0]!;
  const [existing] = await sql<{ n: number }[]>`
    select count(*)::int as n from creator.creators where id = ${first.id} or wallet_address = ${first.walletAddress}`;
  const counts = {
    creators: plans.length,
    users: tables.users.length,
    tracks: tables.tracks.length,
    playRows: tables.plays.length,
    totalPlays,
    follows: tables.follows.length,
    likes: tables.likes.length,
    comments: tables.comments.length,
    purchases: tables.purchases.length,
    tips: tables.tips.length,
  };
  const rows = Object.values(tables).reduce((n, lines: string[]) => n + lines.length, 0);
  if ((existing?.n ?? 0) > 0) {
    return { ...counts, rows: 0, durationMs: performance.now() - started, alreadySeeded: true, plans };
  }
  await sql.begin(async (tx) => {
    await copyRows(
      tx,
      'creator.users',
      ['id', 'username', 'email', 'wallet_address', 'created_at'],
      tables.users,
    );
    await copyRows(
      tx,
      'creator.creators',
      ['id', 'user_id', 'wallet_address', 'stage_name', 'verified', 'created_at'],
      tables.creators,
    );
    await copyRows(
      tx,
      'creator.tracks',
      [
        'id',
        'creator_id',
        'title',
        'filecoin_cid',
        'duration_seconds',
        'price_atto_fil',
        'published_at',
        'created_at',
      ],
      tables.tracks,
    );
    await copyRows(
      tx,
      'creator.plays',
      ['track_id', 'creator_id', 'user_id', 'played_at', 'play_count', 'listened_seconds'],
      tables.plays,
    );
    await copyRows(
      tx,
      'creator.follows',
      ['follower_id', 'creator_id', 'created_at', 'deleted_at'],
      tables.follows,
    );
    await copyRows(tx, 'creator.likes', ['user_id', 'track_id', 'created_at', 'deleted_at'], tables.likes);
    await copyRows(
      tx,
      'creator.comments',
      ['id', 'user_id', 'track_id', 'body', 'created_at', 'deleted_at'],
      tables.comments,
    );
    await copyRows(
      tx,
      'creator.track_purchases',
      ['id', 'track_id', 'creator_id', 'buyer_id', 'amount_atto_fil', 'purchased_at'],
      tables.purchases,
    );
    await copyRows(
      tx,
      'creator.tips',
      ['id', 'creator_id', 'from_user_id', 'amount_atto_fil', 'created_at'],
      tables.tips,
    );
  });
  return { ...counts, rows, durationMs: performance.now() - started, alreadySeeded: false, plans };
}

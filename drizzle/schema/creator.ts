/**
 * The creator metrics oracle's tables (Postgres schema `creator`): the StreamVault data model of
 * `streamvault-database.md` (users, creators, follows, tracks, playlists, plays, likes, comments,
 * milestones, sync logs, revenue distributions, daily stats), the track purchases and tips that
 * monthly revenue is computed from, the admin audit log, and the oracle's own bookkeeping
 * (coins, per-creator chain state).
 *
 * Amounts of FIL are attoFIL in numeric(78,0) (uint256 fits). User data is soft-deleted
 * (`deleted_at`), and every metric excludes soft-deleted rows; financial records (purchases,
 * tips, distributions) are never deleted, so revenue already earned stays counted.
 *
 * A `plays` row counts `play_count` plays: the app writes one row per play (count 1); bulk
 * imports and the demo seed write one row per track and day with that day's count, which keeps
 * realistic totals (millions of plays) at a few rows per track.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export const creator = pgSchema('creator');

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const i64 = (name: string) => bigint(name, { mode: 'number' });
const attoFil = (name: string) => numeric(name, { precision: 78, scale: 0, mode: 'bigint' });

export const users = creator.table(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    username: text('username').notNull(),
    email: text('email'),
    walletAddress: text('wallet_address'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
    deletedAt: tstz('deleted_at'),
  },
  (t) => [uniqueIndex('users_username_idx').on(t.username).where(sql`${t.deletedAt} is null`)],
);

/** A creator is a user with a stage name and the EVM address its metrics are published under. */
export const creators = creator.table(
  'creators',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    /** Lowercase 0x-prefixed hex. */
    walletAddress: text('wallet_address').notNull(),
    stageName: text('stage_name').notNull(),
    verified: boolean('verified').notNull().default(false),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
    deletedAt: tstz('deleted_at'),
  },
  (t) => [
    uniqueIndex('creators_wallet_idx').on(t.walletAddress),
    uniqueIndex('creators_user_idx').on(t.userId),
    check('creators_wallet_lowercase_hex', sql`${t.walletAddress} ~ '^0x[0-9a-f]{40}$'`),
  ],
);

export const follows = creator.table(
  'follows',
  {
    followerId: uuid('follower_id')
      .notNull()
      .references(() => users.id),
    creatorId: uuid('creator_id')
      .notNull()
      .references(() => creators.id),
    createdAt: tstz('created_at').notNull().defaultNow(),
    deletedAt: tstz('deleted_at'),
  },
  (t) => [
    primaryKey({ columns: [t.followerId, t.creatorId] }),
    index('follows_creator_idx').on(t.creatorId, t.createdAt),
  ],
);

export const tracks = creator.table(
  'tracks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    creatorId: uuid('creator_id')
      .notNull()
      .references(() => creators.id),
    title: text('title').notNull(),
    /** Content id of the audio on Filecoin. */
    filecoinCid: text('filecoin_cid'),
    durationSeconds: integer('duration_seconds').notNull().default(0),
    /** Set for premium tracks sold individually. */
    priceAttoFil: attoFil('price_atto_fil'),
    publishedAt: tstz('published_at').notNull().defaultNow(),
    createdAt: tstz('created_at').notNull().defaultNow(),
    deletedAt: tstz('deleted_at'),
  },
  (t) => [index('tracks_creator_published_idx').on(t.creatorId, t.publishedAt)],
);

export const playlists = creator.table(
  'playlists',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerId: uuid('owner_id')
      .notNull()
      .references(() => users.id),
    name: text('name').notNull(),
    isPublic: boolean('is_public').notNull().default(true),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
    deletedAt: tstz('deleted_at'),
  },
  (t) => [index('playlists_owner_idx').on(t.ownerId)],
);

export const playlistTracks = creator.table(
  'playlist_tracks',
  {
    playlistId: uuid('playlist_id')
      .notNull()
      .references(() => playlists.id),
    trackId: uuid('track_id')
      .notNull()
      .references(() => tracks.id),
    position: integer('position').notNull(),
    addedAt: tstz('added_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.playlistId, t.position] }),
    uniqueIndex('playlist_tracks_track_idx').on(t.playlistId, t.trackId),
  ],
);

export const plays = creator.table(
  'plays',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    trackId: uuid('track_id')
      .notNull()
      .references(() => tracks.id),
    /** The track's creator, kept on the row so per-creator totals need no join over plays. */
    creatorId: uuid('creator_id')
      .notNull()
      .references(() => creators.id),
    /** Null for anonymous listeners. */
    userId: uuid('user_id').references(() => users.id),
    playedAt: tstz('played_at').notNull().defaultNow(),
    playCount: integer('play_count').notNull().default(1),
    listenedSeconds: integer('listened_seconds'),
    /** Salted hash of IP and user agent ("anonymized", as the source requires); never the raw values. */
    clientHash: text('client_hash'),
    deletedAt: tstz('deleted_at'),
  },
  (t) => [
    index('plays_creator_played_idx').on(t.creatorId, t.playedAt),
    index('plays_track_idx').on(t.trackId),
    index('plays_played_idx').on(t.playedAt),
    check('plays_count_positive', sql`${t.playCount} > 0`),
  ],
);

export const likes = creator.table(
  'likes',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    trackId: uuid('track_id')
      .notNull()
      .references(() => tracks.id),
    createdAt: tstz('created_at').notNull().defaultNow(),
    deletedAt: tstz('deleted_at'),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.trackId] }),
    index('likes_track_idx').on(t.trackId, t.createdAt),
  ],
);

export const comments = creator.table(
  'comments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    trackId: uuid('track_id')
      .notNull()
      .references(() => tracks.id),
    body: text('body').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
    deletedAt: tstz('deleted_at'),
  },
  (t) => [index('comments_track_idx').on(t.trackId, t.createdAt)],
);

export const trackPurchases = creator.table(
  'track_purchases',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    trackId: uuid('track_id')
      .notNull()
      .references(() => tracks.id),
    creatorId: uuid('creator_id')
      .notNull()
      .references(() => creators.id),
    buyerId: uuid('buyer_id').references(() => users.id),
    amountAttoFil: attoFil('amount_atto_fil').notNull(),
    txHash: text('tx_hash'),
    purchasedAt: tstz('purchased_at').notNull().defaultNow(),
  },
  (t) => [
    index('track_purchases_creator_idx').on(t.creatorId, t.purchasedAt),
    check('track_purchases_amount_positive', sql`${t.amountAttoFil} > 0`),
  ],
);

export const tips = creator.table(
  'tips',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    creatorId: uuid('creator_id')
      .notNull()
      .references(() => creators.id),
    fromUserId: uuid('from_user_id').references(() => users.id),
    amountAttoFil: attoFil('amount_atto_fil').notNull(),
    message: text('message'),
    txHash: text('tx_hash'),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('tips_creator_idx').on(t.creatorId, t.createdAt),
    check('tips_amount_positive', sql`${t.amountAttoFil} > 0`),
  ],
);

/** Each milestone is recorded once per creator, whatever happens to the value afterwards. */
export const creatorMilestones = creator.table(
  'creator_milestones',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    creatorId: uuid('creator_id')
      .notNull()
      .references(() => creators.id),
    milestone: text('milestone').notNull(),
    kind: text('kind').notNull(),
    threshold: attoFil('threshold').notNull(),
    valueAtReach: attoFil('value_at_reach').notNull(),
    description: text('description').notNull(),
    reachedAt: tstz('reached_at').notNull().defaultNow(),
    syncRunId: uuid('sync_run_id'),
    /** When MilestoneReached went out on the event bus (an outbox: null until it did). */
    announcedAt: tstz('announced_at'),
  },
  (t) => [
    uniqueIndex('creator_milestones_creator_milestone_idx').on(t.creatorId, t.milestone),
    index('creator_milestones_reached_idx').on(t.reachedAt),
    index('creator_milestones_unannounced_idx').on(t.id).where(sql`${t.announcedAt} is null`),
  ],
);

/**
 * The creator coin launched for a creator: one per creator, names and symbols unique. The row
 * is written (status `pending`) before `launchCreatorCoin` is enqueued, which reserves the name
 * and symbol; the call's request id is per creator, so a second sync cannot launch twice.
 */
export const creatorCoins = creator.table(
  'creator_coins',
  {
    creatorId: uuid('creator_id')
      .primaryKey()
      .references(() => creators.id),
    name: text('name').notNull(),
    symbol: text('symbol').notNull(),
    initialSupply: attoFil('initial_supply').notNull(),
    requestId: text('request_id').notNull(),
    /** Raised each time a launch call fails for good, so the next try has a fresh request id. */
    attempt: integer('attempt').notNull().default(1),
    /** pending | launched | failed */
    status: text('status').notNull().default('pending'),
    coinAddress: text('coin_address'),
    txHash: text('tx_hash'),
    error: text('error'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    launchedAt: tstz('launched_at'),
  },
  (t) => [
    uniqueIndex('creator_coins_symbol_idx').on(t.symbol),
    uniqueIndex('creator_coins_name_idx').on(sql`lower(${t.name})`),
    uniqueIndex('creator_coins_request_idx').on(t.requestId),
    check('creator_coins_symbol_valid', sql`${t.symbol} ~ '^[A-Z0-9]{3,8}$'`),
    check('creator_coins_name_length', sql`char_length(${t.name}) between 1 and 32`),
  ],
);

/**
 * What the oracle last enqueued for a creator and what is confirmed on-chain. `diverged_since`
 * is set when the database's metrics first differ from the confirmed ones, cleared when they
 * match again: the staleness alarm reads it.
 */
export const creatorChainState = creator.table(
  'creator_chain_state',
  {
    creatorId: uuid('creator_id')
      .primaryKey()
      .references(() => creators.id),
    pendingFingerprint: text('pending_fingerprint'),
    pendingRequestId: text('pending_request_id'),
    pendingEnqueuedAt: tstz('pending_enqueued_at'),
    pendingTotalPlays: i64('pending_total_plays'),
    pendingFollowers: i64('pending_followers'),
    pendingScoreX100: integer('pending_score_x100'),
    pendingRevenueAttoFil: attoFil('pending_revenue_atto_fil'),
    /** Bumped when a call fails for good, so the same metrics get a fresh request id. */
    generation: integer('generation').notNull().default(0),
    confirmedFingerprint: text('confirmed_fingerprint'),
    confirmedTotalPlays: i64('confirmed_total_plays'),
    confirmedFollowers: i64('confirmed_followers'),
    confirmedScoreX100: integer('confirmed_score_x100'),
    confirmedRevenueAttoFil: attoFil('confirmed_revenue_atto_fil'),
    confirmedAt: tstz('confirmed_at'),
    confirmedTxHash: text('confirmed_tx_hash'),
    divergedSince: tstz('diverged_since'),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('creator_chain_state_pending_idx')
      .on(t.pendingRequestId)
      .where(sql`${t.pendingRequestId} is not null`),
    index('creator_chain_state_diverged_idx').on(t.divergedSince).where(sql`${t.divergedSince} is not null`),
  ],
);

/**
 * Every sync run writes one `SYNC_RUN` row, and one row per on-chain operation it started
 * (`UPDATE_METRICS`, `LAUNCH_COIN`), completed from the delivery engine's record with the
 * transaction hash, gas used, block, retries and error once the call has finished.
 */
export const oracleSyncLogs = creator.table(
  'oracle_sync_logs',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    runId: uuid('run_id').notNull(),
    /** SYNC_RUN | UPDATE_METRICS | LAUNCH_COIN | RECORD_MILESTONES | REVENUE_DISTRIBUTION */
    operation: text('operation').notNull(),
    creatorId: uuid('creator_id').references(() => creators.id),
    requestId: text('request_id'),
    /** running | enqueued | success | failed | partial | skipped */
    status: text('status').notNull(),
    txHash: text('tx_hash'),
    gasUsed: i64('gas_used'),
    blockNumber: i64('block_number'),
    retries: integer('retries').notNull().default(0),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    durationMs: integer('duration_ms'),
    details: jsonb('details').$type<Record<string, unknown>>(),
    createdAt: tstz('created_at').notNull().defaultNow(),
    completedAt: tstz('completed_at'),
  },
  (t) => [
    index('oracle_sync_logs_created_idx').on(t.createdAt),
    index('oracle_sync_logs_operation_idx').on(t.operation, t.createdAt),
    index('oracle_sync_logs_status_idx').on(t.status, t.createdAt),
    index('oracle_sync_logs_run_idx').on(t.runId),
    // One row per on-chain call: a second sync enqueueing the same request writes no second row.
    uniqueIndex('oracle_sync_logs_request_idx')
      .on(t.operation, t.requestId)
      .where(sql`${t.requestId} is not null`),
    index('oracle_sync_logs_creator_idx').on(t.creatorId, t.createdAt),
  ],
);

/** What a creator's coin holders are owed for one quarter; written once per (creator, quarter). */
export const revenueDistributions = creator.table(
  'revenue_distributions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    creatorId: uuid('creator_id')
      .notNull()
      .references(() => creators.id),
    /** "2026-Q3" */
    quarter: text('quarter').notNull(),
    periodStart: tstz('period_start').notNull(),
    periodEnd: tstz('period_end').notNull(),
    purchasesAttoFil: attoFil('purchases_atto_fil').notNull(),
    tipsAttoFil: attoFil('tips_atto_fil').notNull(),
    revenueAttoFil: attoFil('revenue_atto_fil').notNull(),
    holderShareBps: integer('holder_share_bps').notNull(),
    holderShareAttoFil: attoFil('holder_share_atto_fil').notNull(),
    /** recorded | paid */
    status: text('status').notNull().default('recorded'),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('revenue_distributions_creator_quarter_idx').on(t.creatorId, t.quarter),
    index('revenue_distributions_quarter_idx').on(t.quarter),
  ],
);

export const dailyStats = creator.table('daily_stats', {
  day: date('day', { mode: 'string' }).primaryKey(),
  plays: i64('plays').notNull().default(0),
  activeCreators: integer('active_creators').notNull().default(0),
  newUsers: integer('new_users').notNull().default(0),
  newFollows: integer('new_follows').notNull().default(0),
  likes: integer('likes').notNull().default(0),
  comments: integer('comments').notNull().default(0),
  tracksPublished: integer('tracks_published').notNull().default(0),
  revenueAttoFil: attoFil('revenue_atto_fil').notNull().default(sql`0`),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});

export const creatorDailyStats = creator.table(
  'creator_daily_stats',
  {
    creatorId: uuid('creator_id')
      .notNull()
      .references(() => creators.id),
    day: date('day', { mode: 'string' }).notNull(),
    plays: i64('plays').notNull().default(0),
    newFollowers: integer('new_followers').notNull().default(0),
    likes: integer('likes').notNull().default(0),
    comments: integer('comments').notNull().default(0),
    tracksPublished: integer('tracks_published').notNull().default(0),
    revenueAttoFil: attoFil('revenue_atto_fil').notNull().default(sql`0`),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.creatorId, t.day] }), index('creator_daily_stats_day_idx').on(t.day)],
);

/** Every administrative action (the source: "Audit Logging: All administrative actions logged"). */
export const adminAuditLog = creator.table(
  'admin_audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    details: jsonb('details').$type<Record<string, unknown>>(),
    /** The target as it was before the action (null: it did not exist). */
    before: jsonb('before'),
    /** The target as the action left it (null: it no longer exists). */
    after: jsonb('after'),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('admin_audit_log_action_idx').on(t.action, t.createdAt),
    index('admin_audit_log_target_idx').on(t.targetType, t.targetId, t.createdAt),
    index('admin_audit_log_created_idx').on(t.createdAt),
    index('admin_audit_log_actor_idx').on(t.actor, t.createdAt),
  ],
);

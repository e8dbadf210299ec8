/**
 * The attention oracle's tables (Postgres schema `attention`). Epoch ids are the unix time
 * of the UTC hour's start, in seconds (DESIGN.md section 5). user_hash is
 * keccak256(lowercase(username)) as 64 lowercase hex characters. Weights are integer
 * hundredths (presence 100, sub 1000, one bit 1, ...).
 */
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  json,
  numeric,
  pgSchema,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { i64, tstz, u64 } from './columns.ts';

export const attention = pgSchema('attention');

/** Operator configuration per channel: token group, category override, blocklist. */
export const channelConfig = attention.table('channel_config', {
  channel: text('channel').primaryKey(),
  tokenGroup: text('token_group').notNull().default('OTHER'),
  categoryOverride: text('category_override'),
  blocked: boolean('blocked').notNull().default(false),
  reason: text('reason'),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});

/** Channels discovery found; `tracked` is what the IRC worker joins. */
export const channels = attention.table(
  'channels',
  {
    channel: text('channel').primaryKey(),
    broadcasterId: text('broadcaster_id'),
    displayName: text('display_name'),
    gameName: text('game_name'),
    category: text('category').notNull().default('default'),
    tokenGroup: text('token_group').notNull().default('OTHER'),
    tracked: boolean('tracked').notNull().default(true),
    viewers: integer('viewers').notNull().default(0),
    followers: integer('followers').notNull().default(0),
    startedAt: tstz('started_at'),
    lastSeenLiveAt: tstz('last_seen_live_at'),
    offlineSince: tstz('offline_since'),
    addedAt: tstz('added_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [index('channels_tracked_idx').on(t.tracked)],
);

export const discoveryRuns = attention.table(
  'discovery_runs',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    mode: text('mode').notNull(),
    startedAt: tstz('started_at').notNull().defaultNow(),
    finishedAt: tstz('finished_at'),
    channelsSeen: integer('channels_seen').notNull().default(0),
    channelsAdded: integer('channels_added').notNull().default(0),
    channelsRemoved: integer('channels_removed').notNull().default(0),
    helixRequests: integer('helix_requests').notNull().default(0),
    outcome: text('outcome').notNull().default('running'),
    error: text('error'),
  },
  (t) => [index('discovery_runs_started_idx').on(t.startedAt)],
);

/** Every accepted event, keyed by its id, so a re-delivery changes nothing. */
export const rawEvents = attention.table(
  'raw_events',
  {
    eventId: text('event_id').primaryKey(),
    channel: text('channel').notNull(),
    userHash: text('user_hash').notNull(),
    kind: text('kind').notNull(),
    /**
     * The key that sent the event: an ingest API key's name, `irc` for the IRC worker, or
     * `unattributed` for events stored before events carried one. Voiding a key removes its
     * events from epochs not yet sealed.
     */
    keyId: text('key_id').notNull(),
    amount: i64('amount').notNull().default(1),
    /** The event's paid weight in hundredths (presence is added once per row, not per event). */
    weight: i64('weight').notNull().default(0),
    /** The epoch the event was credited to (the current one when its own was already sealed). */
    epoch: i64('epoch').notNull(),
    /** The epoch the event belongs to by its timestamp. */
    sourceEpoch: i64('source_epoch').notNull(),
    occurredAt: tstz('occurred_at').notNull(),
    receivedAt: tstz('received_at').notNull().defaultNow(),
  },
  // Every index here is paid on each ingested event, and the hot path reads raw events by id
  // only. Two cheap ones serve voiding a key (services/attention/ingest-key-void.ts): the key's events,
  // indexed for `POST /ingest` events alone (the IRC worker's, the bulk, pay nothing), and a
  // BRIN over the epoch, which rows arrive in the order of, a few pages for the whole table.
  (t) => [
    index('raw_events_key_idx').on(t.keyId, t.epoch).where(sql`${t.keyId} not in ('irc', 'unattributed')`),
    index('raw_events_epoch_brin').using('brin', t.epoch),
  ],
);

/** One row per (epoch, channel, viewer): the weight and per-signal counts so far. */
export const channelParticipation = attention.table(
  'channel_participation',
  {
    epoch: i64('epoch').notNull(),
    channel: text('channel').notNull(),
    userHash: text('user_hash').notNull(),
    firstSeen: tstz('first_seen').notNull(),
    weight: i64('weight').notNull().default(0),
    presence: integer('presence').notNull().default(0),
    subs: integer('subs').notNull().default(0),
    resubs: integer('resubs').notNull().default(0),
    gifts: integer('gifts').notNull().default(0),
    bits: i64('bits').notNull().default(0),
    raiders: i64('raiders').notNull().default(0),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.epoch, t.channel, t.userHash] }),
    index('channel_participation_user_idx').on(t.userHash),
  ],
);

/** user_hash → username; written in the same transaction as the participation it belongs to. */
export const userMapping = attention.table('user_mapping', {
  userHash: text('user_hash').primaryKey(),
  username: text('username').notNull(),
  firstSeen: tstz('first_seen').notNull().defaultNow(),
  lastSeen: tstz('last_seen').notNull().defaultNow(),
});

/**
 * Each signal kind per (epoch, channel, viewer), as the source's `user_signals` table kept
 * them. A view over channel_participation's per-signal columns: the writer updates one row per
 * viewer instead of one per signal kind, and the two can never disagree.
 */
export const userSignals = attention
  .view('user_signals', {
    epoch: i64('epoch').notNull(),
    channel: text('channel').notNull(),
    userHash: text('user_hash').notNull(),
    kind: text('kind').notNull(),
    amount: i64('amount').notNull(),
  })
  .as(
    sql`select cp.epoch, cp.channel, cp.user_hash, s.kind, s.amount
      from attention.channel_participation cp
      cross join lateral (values
        ('presence', cp.presence::bigint), ('sub', cp.subs::bigint), ('resub', cp.resubs::bigint),
        ('gift', cp.gifts::bigint), ('bits', cp.bits), ('raid', cp.raiders)
      ) as s(kind, amount)
      where s.amount > 0`,
  );

/** Opted-out viewers: dropped at ingest, excluded again at sealing. */
export const suppressionList = attention.table(
  'suppression_list',
  {
    userHash: text('user_hash').primaryKey(),
    reason: text('reason'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    /** admin (`POST /suppressions`) or viewer (the viewer's own opt-out, which they may lift). */
    requestedBy: text('requested_by').notNull().default('admin'),
  },
  (t) => [check('suppression_list_requested_by', sql`${t.requestedBy} in ('admin', 'viewer')`)],
);

/**
 * Amounts owed to a viewer that no published leaf pays yet (unbound, expired, unclaimed). The
 * amount is numeric, not bigint: it is a sum of credits each within MAX_AMOUNT (2^63 - 1), which
 * a bigint could not hold; a carry tree pays at most MAX_AMOUNT of it per epoch.
 */
export const carriedBalances = attention.table(
  'carried_balances',
  {
    userHash: text('user_hash').notNull(),
    tokenGroup: text('token_group').notNull(),
    amount: numeric('amount', { precision: 40, scale: 0 }).notNull().default(sql`0`),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userHash, t.tokenGroup] }),
    check('carried_balances_amount_nonnegative', sql`${t.amount} >= 0`),
  ],
);

/** The movements behind carried_balances, one row per credit or debit, for audit. */
export const carryLedger = attention.table(
  'carry_ledger',
  {
    // bigint: a row per viewer per tree and per returned leaf runs past 2^31 within years.
    id: i64('id').primaryKey().generatedAlwaysAsIdentity(),
    userHash: text('user_hash').notNull(),
    tokenGroup: text('token_group').notNull(),
    delta: u64('delta').notNull(),
    reason: text('reason').notNull(),
    /** What caused the movement, unique so that replaying it changes nothing. */
    sourceKey: text('source_key').notNull(),
    createdAt: tstz('created_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('carry_ledger_source_idx').on(t.sourceKey, t.userHash, t.tokenGroup)],
);

export const sealedEpochs = attention.table(
  'sealed_epochs',
  {
    epoch: i64('epoch').notNull(),
    channel: text('channel').notNull(),
    tokenGroup: text('token_group').notNull(),
    category: text('category').notNull(),
    participantCount: integer('participant_count').notNull(),
    totalWeight: i64('total_weight').notNull(),
    sealedAt: tstz('sealed_at').notNull().defaultNow(),
    /** When EpochSealed went on the bus for this channel (the outbox: null until then). */
    announcedAt: tstz('announced_at'),
  },
  (t) => [
    primaryKey({ columns: [t.epoch, t.channel] }),
    index('sealed_epochs_sealed_at_idx').on(t.sealedAt),
    index('sealed_epochs_unannounced_idx').on(t.epoch).where(sql`${t.announcedAt} is null`),
  ],
);

export const sealedParticipants = attention.table(
  'sealed_participants',
  {
    epoch: i64('epoch').notNull(),
    channel: text('channel').notNull(),
    /** Position in sealing order: first_seen ASC, user_hash ASC. */
    position: integer('position').notNull(),
    userHash: text('user_hash').notNull(),
    firstSeen: tstz('first_seen').notNull(),
    weight: i64('weight').notNull(),
    amount: u64('amount').notNull(),
  },
  // Every lookup names the epoch and channel (user_idx serves a viewer's row in them); an index
  // on user_hash alone was read by nothing and cost a quarter of sealing's time to maintain.
  (t) => [
    primaryKey({ columns: [t.epoch, t.channel, t.position] }),
    uniqueIndex('sealed_participants_user_idx').on(t.epoch, t.channel, t.userHash),
  ],
);

/** A tree is its root plus one versioned dump, not one row per leaf. */
export const merkleTrees = attention.table(
  'merkle_trees',
  {
    epoch: i64('epoch').notNull(),
    /** A Twitch login, `category:<category>:<group>` or `carry:<group>`. */
    channel: text('channel').notNull(),
    kind: text('kind').notNull(),
    tokenGroup: text('token_group').notNull(),
    format: text('format').notNull(),
    root: text('root').notNull(),
    leafCount: integer('leaf_count').notNull(),
    totalAmount: u64('total_amount').notNull(),
    /**
     * ClaimTree's dump as the builder wrote it: json, not jsonb, so storing it is a validation
     * of the text rather than a conversion, and reading it hands the text back as is. Stored
     * uncompressed (storage EXTERNAL, set in the migration): hex hashes and base58 keys do not
     * compress, and trying costs more than the bytes it would save.
     */
    dump: json('dump').notNull(),
    buildMs: integer('build_ms').notNull().default(0),
    builtAt: tstz('built_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.epoch, t.channel] })],
);

/**
 * Every tree decision the builder made for an (epoch, channel or pseudo-channel), empty trees
 * included (they are not stored in merkle_trees): what makes building trees idempotent, and
 * what the epochs API reports (leaves, carried, overflow).
 */
export const treeBuilds = attention.table(
  'tree_builds',
  {
    epoch: i64('epoch').notNull(),
    /** A Twitch login, `category:<category>:<group>` or `carry:<group>` (lowercase). */
    channel: text('channel').notNull(),
    /** channel | category | carry */
    kind: text('kind').notNull(),
    tokenGroup: text('token_group').notNull(),
    /** The category of a channel or category tree; null for carry trees. */
    category: text('category'),
    /** stored: a tree with leaves is in merkle_trees; empty: no bound viewer, nothing stored. */
    outcome: text('outcome').notNull(),
    /** Viewers considered (sealed participants, category viewers, carried balances). */
    candidates: integer('candidates').notNull(),
    leafCount: integer('leaf_count').notNull(),
    totalAmount: u64('total_amount').notNull(),
    /** Unbound viewers within capacity whose amounts became carried balances. */
    carriedCount: integer('carried_count').notNull(),
    carriedAmount: u64('carried_amount').notNull(),
    /** Viewers beyond capacity: no reward this epoch (sealed record kept). */
    overflowCount: integer('overflow_count').notNull(),
    buildMs: integer('build_ms').notNull().default(0),
    /** Whether the build ran over its time budget (MerkleBuildTimeout was raised). */
    timedOut: boolean('timed_out').notNull().default(false),
    builtAt: tstz('built_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.epoch, t.channel] }), index('tree_builds_kind_idx').on(t.kind, t.epoch)],
);

/**
 * One row per root to publish. Status: pending → queued (a publish message is on the FIFO
 * queue) → sent (signed; signature, blockhash lifetime and the signed bytes recorded before
 * the transaction goes out) → published | expired.
 */
export const publications = attention.table(
  'publications',
  {
    epoch: i64('epoch').notNull(),
    channel: text('channel').notNull(),
    tokenGroup: text('token_group').notNull().default('OTHER'),
    mint: text('mint'),
    mode: text('mode').notNull(),
    root: text('root').notNull(),
    status: text('status').notNull().default('pending'),
    signature: text('signature'),
    lastValidBlockHeight: i64('last_valid_block_height'),
    /** The signed transaction (base64), resent as is while its blockhash is valid. */
    signedTransaction: text('signed_transaction'),
    recentBlockhash: text('recent_blockhash'),
    attempts: integer('attempts').notNull().default(0),
    slot: i64('slot'),
    feeLamports: i64('fee_lamports'),
    error: text('error'),
    queuedAt: tstz('queued_at'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
    publishedAt: tstz('published_at'),
    /** When the root's amounts went back to carried balances (expired, or its ring slot reused). */
    returnedAt: tstz('returned_at'),
    /**
     * Program mode: the root this one overwrites in its ring slot, as read before signing and
     * recorded with the signature (DESIGN.md "No stranded amount"): its epoch id, its claimed
     * bitmap (hex) and the slot that read was at. Once this root's transaction is confirmed, the
     * replaced root's leaves neither in that bitmap nor claimed later (the channel's transaction
     * history after that slot) go back to carried balances. Null: the slot held no root.
     */
    replacesEpoch: i64('replaces_epoch'),
    replacesBitmap: text('replaces_bitmap'),
    replacesReadSlot: i64('replaces_read_slot'),
    /** When RootPublished went out on the event bus (an outbox: null until it did). */
    announcedAt: tstz('announced_at'),
  },
  (t) => [
    primaryKey({ columns: [t.epoch, t.channel] }),
    index('publications_status_idx').on(t.status, t.channel, t.epoch),
    index('publications_unannounced_idx')
      .on(t.publishedAt)
      .where(sql`${t.status} = 'published' and ${t.announcedAt} is null`),
  ],
);

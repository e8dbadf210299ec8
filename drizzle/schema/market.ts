/**
 * Token market services' tables (Postgres schema `market`): what the chain poller ingests
 * (tokens, pools, transactions, with the block hashes it saw for reorg detection), the price
 * oracle's history and TWAPs, analytics rollups and rankings, the token generator's credentials
 * and balances, and notifications. Token amounts and cumulative prices are uint256 on chain:
 * numeric(78, 0), read back as decimal strings. Block times are unix seconds.
 * Market users (EVM addresses) and how they sign in are in ./market-users.ts.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  numeric,
  pgSchema,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { i64, tstz } from './columns.ts';

export const market = pgSchema('market');

const u256 = (name: string) => numeric(name, { precision: 78, scale: 0 });
const decimal = (name: string) => numeric(name);

export const marketTokens = market.table(
  'tokens',
  {
    chainId: integer('chain_id').notNull(),
    address: text('address').notNull(),
    symbol: text('symbol'),
    name: text('name'),
    decimals: integer('decimals').notNull().default(18),
    /** The block the poller first saw the token in (its pool's creation); reorgs roll back above it. */
    firstSeenBlock: i64('first_seen_block').notNull(),
  },
  (t) => [primaryKey({ columns: [t.chainId, t.address] })],
);

export const marketPools = market.table(
  'pools',
  {
    chainId: integer('chain_id').notNull(),
    address: text('address').notNull(),
    token0: text('token0').notNull(),
    token1: text('token1').notNull(),
    /** The side priced in the other (the listed token); the other side is the quote token. */
    baseToken: text('base_token').notNull(),
    quoteToken: text('quote_token').notNull(),
    createdBlock: i64('created_block').notNull(),
    createdTx: text('created_tx').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.chainId, t.address] }),
    index('pools_base_idx').on(t.chainId, t.baseToken),
  ],
);

/** One row per pool event (swap, mint, burn); (chain, tx hash, log index) makes writes idempotent. */
export const marketTransactions = market.table(
  'transactions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    chainId: integer('chain_id').notNull(),
    poolAddress: text('pool_address').notNull(),
    txHash: text('tx_hash').notNull(),
    logIndex: integer('log_index').notNull(),
    blockNumber: i64('block_number').notNull(),
    blockHash: text('block_hash').notNull(),
    blockTimestamp: i64('block_timestamp').notNull(),
    kind: text('kind').notNull(),
    sender: text('sender').notNull(),
    recipient: text('recipient').notNull(),
    amount0In: u256('amount0_in').notNull().default('0'),
    amount1In: u256('amount1_in').notNull().default('0'),
    amount0Out: u256('amount0_out').notNull().default('0'),
    amount1Out: u256('amount1_out').notNull().default('0'),
  },
  (t) => [
    uniqueIndex('transactions_log_uq').on(t.chainId, t.txHash, t.logIndex),
    index('transactions_pool_time_idx').on(t.chainId, t.poolAddress, t.blockTimestamp),
    index('transactions_block_idx').on(t.chainId, t.blockNumber),
  ],
);

/** The hash of every block the poller read logs up to: a later mismatch is a reorg. */
export const chainBlocks = market.table(
  'chain_blocks',
  {
    chainId: integer('chain_id').notNull(),
    number: i64('number').notNull(),
    hash: text('hash').notNull(),
    timestamp: i64('timestamp').notNull(),
  },
  (t) => [primaryKey({ columns: [t.chainId, t.number] })],
);

/** How far the poller has read each contract's logs. */
export const chainCursors = market.table(
  'chain_cursors',
  {
    chainId: integer('chain_id').notNull(),
    contractAddress: text('contract_address').notNull(),
    kind: text('kind').notNull(),
    lastBlock: i64('last_block').notNull(),
    lastBlockHash: text('last_block_hash'),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.chainId, t.contractAddress] })],
);

/** Pool state at the end of each block that changed it, with the on-chain cumulative prices. */
export const priceFeeds = market.table(
  'price_feeds',
  {
    chainId: integer('chain_id').notNull(),
    poolAddress: text('pool_address').notNull(),
    blockNumber: i64('block_number').notNull(),
    blockTimestamp: i64('block_timestamp').notNull(),
    reserve0: u256('reserve0').notNull(),
    reserve1: u256('reserve1').notNull(),
    /** Price of token0 in token1 (and the reverse), as decimals, for display and history. */
    price0: decimal('price0').notNull(),
    price1: decimal('price1').notNull(),
    /** price{0,1}CumulativeLast (UQ112x112 × seconds) and the pool's blockTimestampLast. */
    price0Cumulative: u256('price0_cumulative').notNull(),
    price1Cumulative: u256('price1_cumulative').notNull(),
    cumulativeTimestamp: i64('cumulative_timestamp').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.chainId, t.poolAddress, t.blockNumber] }),
    index('price_feeds_time_idx').on(t.chainId, t.poolAddress, t.blockTimestamp),
  ],
);

export const twapCalculations = market.table(
  'twap_calculations',
  {
    chainId: integer('chain_id').notNull(),
    poolAddress: text('pool_address').notNull(),
    tokenAddress: text('token_address').notNull(),
    windowSeconds: integer('window_seconds').notNull(),
    startTimestamp: i64('start_timestamp').notNull(),
    endTimestamp: i64('end_timestamp').notNull(),
    /** The average price as UQ112x112 and as a decimal in the quote token. */
    twapX112: u256('twap_x112').notNull(),
    twap: decimal('twap').notNull(),
    computedAt: tstz('computed_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.chainId, t.poolAddress, t.tokenAddress, t.windowSeconds, t.endTimestamp] }),
  ],
);

/** Hourly rollup per pool: the rankings and volume routes read these, not raw transactions. */
export const volumeMetrics = market.table(
  'volume_metrics',
  {
    chainId: integer('chain_id').notNull(),
    poolAddress: text('pool_address').notNull(),
    bucketStart: i64('bucket_start').notNull(),
    baseToken: text('base_token').notNull(),
    baseVolume: u256('base_volume').notNull(),
    quoteVolume: u256('quote_volume').notNull(),
    trades: integer('trades').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.chainId, t.poolAddress, t.bucketStart] }),
    index('volume_metrics_base_idx').on(t.chainId, t.baseToken, t.bucketStart),
    index('volume_metrics_bucket_idx').on(t.chainId, t.bucketStart),
  ],
);

/** Reserves at the end of each hour bucket; TVL counts the quote side twice (both sides equal value). */
export const liquidityMetrics = market.table(
  'liquidity_metrics',
  {
    chainId: integer('chain_id').notNull(),
    poolAddress: text('pool_address').notNull(),
    bucketStart: i64('bucket_start').notNull(),
    reserve0: u256('reserve0').notNull(),
    reserve1: u256('reserve1').notNull(),
    tvlQuote: u256('tvl_quote').notNull(),
  },
  (t) => [primaryKey({ columns: [t.chainId, t.poolAddress, t.bucketStart] })],
);

/** The latest ranking of each kind, replaced in one transaction. */
export const marketRankings = market.table(
  'rankings',
  {
    kind: text('kind').notNull(),
    rank: integer('rank').notNull(),
    subject: text('subject').notNull(),
    score: decimal('score').notNull(),
    details: jsonb('details').notNull().default(sql`'{}'::jsonb`),
    computedAt: tstz('computed_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.rank] })],
);

// ---- token generator ----

/** Credentials as the AIR API last reported them; `revoked_at` is when it stopped being valid. */
export const marketCredentials = market.table(
  'credentials',
  {
    id: text('id').primaryKey(),
    holder: text('holder').notNull(),
    status: text('status').notNull(),
    tier: text('tier').notNull(),
    issuedAt: i64('issued_at').notNull(),
    expiresAt: i64('expires_at'),
    revokedAt: i64('revoked_at'),
    checkedAt: i64('checked_at').notNull(),
  },
  (t) => [index('credentials_holder_idx').on(t.holder)],
);

/** Every accrual computed: rate, the interval it covers and the total accrued at its end. */
export const emissionCalculations = market.table(
  'emission_calculations',
  {
    credentialId: text('credential_id').notNull(),
    periodEnd: i64('period_end').notNull(),
    ratePerSecond: u256('rate_per_second').notNull(),
    multiplierBps: integer('multiplier_bps').notNull(),
    accruedTotal: u256('accrued_total').notNull(),
    jobId: bigint('job_id', { mode: 'number' }),
  },
  (t) => [primaryKey({ columns: [t.credentialId, t.periodEnd] })],
);

export const claimableBalances = market.table(
  'claimable_balances',
  {
    credentialId: text('credential_id').primaryKey(),
    holder: text('holder').notNull(),
    accrued: u256('accrued').notNull().default('0'),
    claimed: u256('claimed').notNull().default('0'),
    accruedUntil: i64('accrued_until').notNull(),
  },
  (t) => [index('claimable_balances_holder_idx').on(t.holder)],
);

/** One row per claim; `request_id` makes a repeated request the same claim. */
export const tokenClaims = market.table(
  'claims',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id').notNull(),
    credentialId: text('credential_id').notNull(),
    holder: text('holder').notNull(),
    amount: u256('amount').notNull(),
    status: text('status').notNull(),
    txHash: text('tx_hash'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    mintedAt: tstz('minted_at'),
  },
  (t) => [
    uniqueIndex('claims_request_uq').on(t.requestId),
    index('claims_credential_idx').on(t.credentialId),
  ],
);

export const generationJobs = market.table('generation_jobs', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  startedAt: tstz('started_at').notNull().defaultNow(),
  finishedAt: tstz('finished_at'),
  status: text('status').notNull().default('running'),
  asOf: i64('as_of').notNull(),
  credentialsChecked: integer('credentials_checked').notNull().default(0),
  tokensAccrued: u256('tokens_accrued').notNull().default('0'),
  claimsMinted: integer('claims_minted').notNull().default(0),
  error: text('error'),
});

// ---- notifications ----

/** What a user wants to hear about: a trigger kind with its parameters (token, threshold). */
export const notificationSubscriptions = market.table(
  'notification_subscriptions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    trigger: text('trigger').notNull(),
    params: jsonb('params').notNull().default(sql`'{}'::jsonb`),
    /** What the trigger remembers between events: the last price seen, for alert crossings. */
    state: jsonb('state').notNull().default(sql`'{}'::jsonb`),
    active: boolean('active').notNull().default(true),
    createdAt: tstz('created_at').notNull().defaultNow(),
    /** SHA-256 of the IP address that created it: subscriptions made per source a day are capped. */
    sourceHash: text('source_hash'),
  },
  (t) => [
    index('notification_subscriptions_trigger_idx').on(t.trigger, t.active),
    index('notification_subscriptions_user_idx').on(t.userId, t.active),
    index('notification_subscriptions_source_idx').on(t.sourceHash, t.createdAt),
  ],
);

export const notificationPreferences = market.table('notification_preferences', {
  userId: text('user_id').primaryKey(),
  channels: jsonb('channels').notNull().default(sql`'["email"]'::jsonb`),
  /** Quiet hours as minutes after UTC midnight; a start after the end wraps past midnight. */
  quietStartMinute: integer('quiet_start_minute'),
  quietEndMinute: integer('quiet_end_minute'),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});

export const notificationTemplates = market.table(
  'notification_templates',
  {
    trigger: text('trigger').notNull(),
    channel: text('channel').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
  },
  (t) => [primaryKey({ columns: [t.trigger, t.channel] })],
);

/**
 * Outbox and history in one: one row per (user, channel, event), so an event notifies once. Status
 * `pending`, `sent`, `failed` (gave up after retries) or `skipped` (its contact stopped being
 * verified before it went out).
 */
export const notificationOutbox = market.table(
  'notification_outbox',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    userId: text('user_id').notNull(),
    channel: text('channel').notNull(),
    eventId: text('event_id').notNull(),
    trigger: text('trigger').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    notBefore: tstz('not_before').notNull().defaultNow(),
    /**
     * Where exactly this message goes, when it is not the user's current contact of its channel:
     * a verification goes to the contact being verified, and only there.
     */
    destination: text('destination'),
    lastError: text('last_error'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    sentAt: tstz('sent_at'),
  },
  (t) => [
    uniqueIndex('notification_outbox_event_uq').on(t.userId, t.channel, t.eventId),
    index('notification_outbox_user_idx').on(t.userId, t.createdAt),
    index('notification_outbox_status_idx').on(t.status, t.notBefore),
  ],
);

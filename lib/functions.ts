/**
 * Every Lambda of the system, in one place: where its code lives, what triggers it, and exactly what
 * it may touch. The stacks create a function from each entry whose `entry` file exists at synth time
 * and grant it what is listed here, nothing more.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PER_IP_LIMITS } from '../functions/api/contract/per-ip-limits.ts';
import type { SystemName, SystemOrCore } from './systems.ts';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Secrets Manager secrets created by the data stack. */
export type SecretName =
  | 'evmSigner'
  | 'solanaPublisher'
  | 'twitch'
  | 'ingestApiKeys'
  | 'adminTokens'
  | 'airApiKey'
  | 'webPush';
/**
 * The database login roles the migrations create (drizzle/migrations/0021_function_roles.sql), one
 * per function group: writers of one schema, read-only readers of one schema, and the health
 * check. Writers that enqueue oracle calls may also write the delivery schema.
 */
export const DATABASE_ROLES = [
  'oracle_attention',
  'oracle_attention_reader',
  'oracle_delivery',
  'oracle_creator',
  'oracle_creator_reader',
  'oracle_market',
  'oracle_market_reader',
  'oracle_health',
] as const;
export type DatabaseRole = (typeof DATABASE_ROLES)[number];
/** DynamoDB tables created by the data stack. */
export type TableName = 'idempotency' | 'rateLimits' | 'wsConnections';
/** SQS work queues created by the pipeline stack. */
export type QueueName = 'ingest' | 'publish' | 'oracleCalls' | 'notifications';
/** Events put on the EventBridge bus (DESIGN.md section 2). */
export type EventName =
  | 'PriceUpdated'
  | 'TokenMinted'
  | 'MilestoneReached'
  | 'EpochSealed'
  | 'RootPublished'
  | 'WalletRebound';

export type RouteAuth = 'none' | 'apiKey' | 'admin';

export interface HttpRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway path syntax: `/claims/{user}`. */
  readonly path: string;
  readonly auth: RouteAuth;
  /** Route-level throttle, on top of the stage-wide one. */
  readonly throttle?: { readonly rate: number; readonly burst: number };
}

export interface ScheduleSpec {
  /** PascalCase construct id of the schedule. */
  readonly id: string;
  /** EventBridge Scheduler expression, evaluated in UTC. */
  readonly expression: string;
  /** Payload given to the handler. */
  readonly input?: Record<string, unknown>;
  /** Delivery retries before the event goes to the schedule's DLQ. @default 3 */
  readonly retryAttempts?: number;
  /** An event older than this is not delivered (a fresh tick is due anyway). @default 1 hour */
  readonly maxEventAgeSeconds?: number;
}

export type Trigger =
  | { readonly kind: 'schedule'; readonly schedules: readonly ScheduleSpec[] }
  | {
      readonly kind: 'queue';
      readonly queue: QueueName;
      readonly batchSize: number;
      /** Standard queues only. */
      readonly maxBatchingWindowSeconds?: number;
      readonly maxConcurrency?: number;
    }
  | { readonly kind: 'http'; readonly routes: readonly HttpRoute[] }
  | { readonly kind: 'authorizer' }
  | { readonly kind: 'websocket'; readonly routes: readonly string[] }
  | { readonly kind: 'event'; readonly events: readonly EventName[] };

export interface FunctionSpec {
  /** PascalCase construct id, stable across deployments. */
  readonly name: string;
  /** The system it belongs to (lib/systems.ts); deployed only where the stage enables it. */
  readonly system: SystemOrCore;
  /**
   * Settings it reads (lib/systems.ts), of its own system, the core or a system its system
   * needs; each is put into its environment from the stage file, or its default.
   */
  readonly settings?: readonly string[];
  /** Repo-relative path of the handler module (exports `handler`). */
  readonly entry: string;
  readonly stack: 'pipeline' | 'api';
  readonly description: string;
  readonly trigger: Trigger;
  /** @default 512 */
  readonly memoryMb?: number;
  /** @default 30 */
  readonly timeoutSeconds?: number;
  /** Reaches Aurora through RDS Proxy: VPC placement, the DB client security group and the DB credentials. */
  readonly database?: boolean;
  /**
   * Only reads: goes to the cluster's readers through the proxy's read-only endpoint
   * (`DB_READER_HOST`) where the stage has a reader, to the writer otherwise. Needs `database`.
   */
  readonly databaseReader?: boolean;
  /**
   * The database role it connects as (required with `database`): the least its group needs,
   * never the owner of the tables, so row-level security applies to it.
   */
  readonly databaseRole?: DatabaseRole;
  readonly secrets?: readonly SecretName[];
  readonly tables?: readonly { readonly table: TableName; readonly access: 'read' | 'readWrite' }[];
  /** Queues whose attributes it reads (a health check); those of disabled systems are left out. */
  readonly observes?: readonly QueueName[];
  /** Queues it enqueues to. */
  readonly sends?: readonly QueueName[];
  /** Dead-letter queues it moves messages to itself (the delivery engine decides final failure). */
  readonly sendsToDeadLetter?: readonly QueueName[];
  readonly emits?: readonly EventName[];
  /** Publishes admin alerts to the SNS admin topic. */
  readonly alerts?: boolean;
  /** Sends user notifications by email (SES) and SMS (SNS). */
  readonly notifies?: boolean;
  /** Posts to WebSocket connections of the price stream. */
  readonly managesConnections?: boolean;
  /**
   * Checks messages that name this deployment (wallet binding): gets `API_ORIGIN`, the HTTP API's
   * endpoint.
   */
  readonly namesDeployment?: boolean;
  /**
   * Systems whose external dependencies it probes (a health check) where the stage enables them:
   * their settings and secrets are given to it only there, so a disabled system adds nothing.
   */
  readonly probes?: readonly {
    readonly system: SystemName;
    readonly settings: readonly string[];
    readonly secrets?: readonly SecretName[];
  }[];
  /**
   * Concurrent executions set aside for it, which are also the most it runs at once (Lambda's
   * reserved concurrency), in stages that apply reserved concurrency (lib/stage.ts). The pipeline
   * functions get one so that no flood elsewhere can throttle them; each public function gets one
   * as a cap, so that a flood of its routes cannot take the account's unreserved pool (README.md,
   * "Concurrency"). A queue consumer's reservation covers its event source's `maxConcurrency`.
   */
  readonly reservedConcurrency?: number;
  /** Async invocation retries (scheduled functions). @default 2 */
  readonly asyncRetryAttempts?: number;
}

const everyMinute = { retryAttempts: 2, maxEventAgeSeconds: 120 } as const;

export const FUNCTIONS: readonly FunctionSpec[] = [
  // --- pipeline: schedules ---
  {
    name: 'Discovery',
    entry: 'functions/scheduled/discovery/index.ts',
    stack: 'pipeline',
    system: 'attention',
    settings: ['TWITCH_HELIX_URL', 'TWITCH_AUTH_URL'],
    description: 'Channel discovery from Helix (daily) and the liveness pass (every 5 min)',
    trigger: {
      kind: 'schedule',
      schedules: [
        { id: 'DiscoveryDaily', expression: 'cron(0 0 * * ? *)', input: { mode: 'daily' } },
        {
          id: 'DiscoveryLiveness',
          expression: 'rate(5 minutes)',
          input: { mode: 'liveness' },
          retryAttempts: 2,
          maxEventAgeSeconds: 300,
        },
      ],
    },
    memoryMb: 512,
    timeoutSeconds: 120,
    database: true,
    databaseRole: 'oracle_attention',
    secrets: ['twitch'],
    // the shared Helix limiter (800 requests per minute) is counted in DynamoDB
    tables: [{ table: 'rateLimits', access: 'readWrite' }],
    asyncRetryAttempts: 0,
  },
  {
    name: 'Seal',
    entry: 'functions/scheduled/seal/index.ts',
    stack: 'pipeline',
    system: 'attention',
    settings: [
      'PUBLISH_MODE',
      'TOKEN_GROUP_MINTS',
      'ATTENTION_PROGRAM_ID',
      'BASE_UNITS_PER_WEIGHT',
      'CATEGORY_BASE_UNITS_PER_WEIGHT',
      'TREE_FORMAT',
      'TREE_CAPACITY',
      'TOKEN_GROUP_MAX_SHARDS',
    ],
    description: 'Seals every unsealed past epoch and builds its trees (hourly at :05)',
    trigger: { kind: 'schedule', schedules: [{ id: 'SealHourly', expression: 'cron(5 * * * ? *)' }] },
    memoryMb: 2048,
    timeoutSeconds: 600,
    database: true,
    databaseRole: 'oracle_attention',
    // WalletRebound: ended wallet bindings the bind route could not announce
    emits: ['EpochSealed', 'WalletRebound'],
    reservedConcurrency: 1,
  },
  {
    name: 'PublishRoots',
    entry: 'functions/scheduled/publish-roots/index.ts',
    stack: 'pipeline',
    system: 'attention',
    description:
      'Picks up to 50 sealed roots and enqueues one publish message per root; announces published ones (every minute)',
    trigger: {
      kind: 'schedule',
      schedules: [{ id: 'PublishRootsEveryMinute', expression: 'rate(1 minute)', ...everyMinute }],
    },
    timeoutSeconds: 55,
    database: true,
    databaseRole: 'oracle_attention',
    sends: ['publish'],
    emits: ['RootPublished'],
    asyncRetryAttempts: 0,
  },
  {
    name: 'DeliveryConfirmer',
    entry: 'functions/scheduled/delivery-confirmer/index.ts',
    stack: 'pipeline',
    system: 'delivery',
    settings: ['EVM_RPC_URL', 'EVM_CHAIN_ID', 'ORACLE_ALERT_CUTOFF'],
    description:
      'Reads receipts, replaces stuck transactions, retries due calls, decides final failure (every minute)',
    trigger: {
      kind: 'schedule',
      schedules: [{ id: 'DeliveryConfirmerEveryMinute', expression: 'rate(1 minute)', ...everyMinute }],
    },
    timeoutSeconds: 55,
    database: true,
    databaseRole: 'oracle_delivery',
    secrets: ['evmSigner'],
    sends: ['oracleCalls'],
    sendsToDeadLetter: ['oracleCalls'],
    alerts: true,
    asyncRetryAttempts: 0,
  },
  {
    name: 'CreatorSync',
    entry: 'functions/scheduled/creator-sync/index.ts',
    stack: 'pipeline',
    system: 'creator',
    settings: [
      'EVM_RPC_URL',
      'EVM_CHAIN_ID',
      'EVM_SIGNER_ADDRESS',
      'CREATOR_METRICS_MANAGER_ADDRESS',
      'CREATOR_TOKEN_FACTORY_ADDRESS',
      'ORACLE_MAX_RETRIES',
      'CREATOR_MILESTONES_PLAYS',
      'CREATOR_MILESTONES_FOLLOWERS',
      'CREATOR_MILESTONES_REVENUE_FIL',
      'COIN_LAUNCH_MIN_PLAYS',
      'COIN_LAUNCH_MIN_FOLLOWERS',
      'REVENUE_SHARING_MIN_FIL',
      'MARKET_CHAIN_ID',
      'CREATOR_COIN_QUOTE_TOKEN',
    ],
    description: 'Creator metrics, milestones and coin launches through the delivery engine (hourly)',
    trigger: { kind: 'schedule', schedules: [{ id: 'CreatorSyncHourly', expression: 'cron(0 * * * ? *)' }] },
    memoryMb: 1024,
    timeoutSeconds: 300,
    database: true,
    databaseRole: 'oracle_creator',
    sends: ['oracleCalls'],
    emits: ['MilestoneReached'],
  },
  {
    name: 'MarketPoller',
    entry: 'functions/scheduled/market-poller/index.ts',
    stack: 'pipeline',
    system: 'market',
    settings: [
      'EVM_RPC_URL',
      'MARKET_CHAIN_ID',
      'MARKET_FACTORY_ADDRESS',
      'MARKET_FACTORY_START_BLOCK',
      'MARKET_QUOTE_TOKEN',
      'MARKET_CONFIRMATIONS',
    ],
    description: 'Chain log poller and price updates (every minute)',
    trigger: {
      kind: 'schedule',
      schedules: [{ id: 'MarketPollerEveryMinute', expression: 'rate(1 minute)', ...everyMinute }],
    },
    timeoutSeconds: 55,
    database: true,
    databaseRole: 'oracle_market',
    sends: ['oracleCalls'],
    emits: ['PriceUpdated'],
    asyncRetryAttempts: 0,
  },
  {
    name: 'TokenGeneration',
    entry: 'functions/scheduled/token-generation/index.ts',
    stack: 'pipeline',
    system: 'market',
    settings: [
      'EVM_CHAIN_ID',
      'EVM_SIGNER_ADDRESS',
      'AIR_API_URL',
      'MARKET_REWARD_TOKEN',
      'MARKET_CHAIN_ID',
      'EMISSION_BASE_RATE_PER_SECOND',
      'EMISSION_TIER_MULTIPLIERS_BPS',
      'EMISSION_AUTO_MINT_MINIMUM',
      'ORACLE_MAX_RETRIES',
    ],
    description: 'Credential status, emission accrual and mint jobs (every 15 minutes)',
    trigger: {
      kind: 'schedule',
      schedules: [
        { id: 'TokenGenerationEvery15Minutes', expression: 'rate(15 minutes)', maxEventAgeSeconds: 900 },
      ],
    },
    timeoutSeconds: 300,
    database: true,
    databaseRole: 'oracle_market',
    secrets: ['airApiKey'],
    sends: ['oracleCalls'],
    emits: ['TokenMinted'],
  },
  // --- pipeline: queue consumers ---
  {
    name: 'IngestWriter',
    entry: 'functions/queue/ingest-writer/index.ts',
    stack: 'pipeline',
    system: 'attention',
    description: 'Writes ingest batches: raw events, participation and user mapping in one transaction',
    trigger: {
      kind: 'queue',
      queue: 'ingest',
      batchSize: 100,
      maxBatchingWindowSeconds: 5,
      maxConcurrency: 10,
    },
    memoryMb: 1024,
    timeoutSeconds: 60,
    database: true,
    databaseRole: 'oracle_attention',
    reservedConcurrency: 10,
  },
  {
    name: 'Publisher',
    entry: 'functions/queue/publisher/index.ts',
    stack: 'pipeline',
    system: 'attention',
    settings: [
      'PUBLISH_MODE',
      'SOLANA_RPC_URL',
      'TOKEN_GROUP_MINTS',
      'ATTENTION_PROGRAM_ID',
      'PRIORITY_FEE_MICROLAMPORTS',
    ],
    description: 'Publishes one root per message to Solana (publish FIFO queue)',
    trigger: { kind: 'queue', queue: 'publish', batchSize: 1, maxConcurrency: 5 },
    timeoutSeconds: 90,
    database: true,
    databaseRole: 'oracle_attention',
    secrets: ['solanaPublisher'],
    // re-enqueues a root whose blockhash expired, to be re-signed in order
    sends: ['publish'],
    emits: ['RootPublished'],
    reservedConcurrency: 5,
  },
  {
    name: 'OracleCalls',
    entry: 'functions/queue/oracle-calls/index.ts',
    stack: 'pipeline',
    system: 'delivery',
    settings: ['EVM_RPC_URL', 'EVM_CHAIN_ID', 'ORACLE_ALERT_CUTOFF'],
    description: 'Signs, records and sends oracle calls (oracle-calls FIFO queue, grouped by signer)',
    trigger: { kind: 'queue', queue: 'oracleCalls', batchSize: 10, maxConcurrency: 5 },
    timeoutSeconds: 60,
    database: true,
    databaseRole: 'oracle_delivery',
    secrets: ['evmSigner'],
    sends: ['oracleCalls'],
    sendsToDeadLetter: ['oracleCalls'],
    alerts: true,
    reservedConcurrency: 5,
  },
  {
    name: 'Notifications',
    entry: 'functions/queue/notifications/index.ts',
    stack: 'pipeline',
    system: 'core',
    settings: ['NOTIFICATIONS_EMAIL_FROM'],
    description: 'Delivers user notifications (email, SMS, push) with history and no duplicates',
    trigger: { kind: 'queue', queue: 'notifications', batchSize: 10, maxBatchingWindowSeconds: 2 },
    timeoutSeconds: 60,
    database: true,
    databaseRole: 'oracle_market',
    tables: [{ table: 'idempotency', access: 'readWrite' }],
    secrets: ['webPush'],
    notifies: true,
  },
  // --- api ---
  {
    name: 'Authorizer',
    entry: 'functions/api/authorizer/index.ts',
    stack: 'api',
    system: 'core',
    description: 'HTTP API authorizer: ingest API keys and admin tokens',
    trigger: { kind: 'authorizer' },
    memoryMb: 256,
    timeoutSeconds: 10,
    secrets: ['ingestApiKeys', 'adminTokens'],
  },
  {
    name: 'IngestApi',
    entry: 'functions/api/ingest/index.ts',
    stack: 'api',
    system: 'attention',
    settings: ['INGEST_KEY_EVENTS_PER_MINUTE', 'INGEST_KEY_EVENTS_PER_HOUR'],
    description: 'POST /ingest: validates events and enqueues them',
    trigger: {
      kind: 'http',
      routes: [{ method: 'POST', path: '/ingest', auth: 'apiKey', throttle: { rate: 200, burst: 400 } }],
    },
    memoryMb: 1024,
    timeoutSeconds: 29,
    sends: ['ingest'],
    tables: [{ table: 'rateLimits', access: 'readWrite' }],
  },
  {
    name: 'SuppressionsApi',
    entry: 'functions/api/suppressions/index.ts',
    stack: 'api',
    system: 'attention',
    description: "Opt-out: an admin's, and a viewer's own with their sign-in session (which they may lift)",
    trigger: {
      kind: 'http',
      routes: [
        { method: 'POST', path: '/suppressions', auth: 'admin' },
        { method: 'POST', path: '/suppressions/self', auth: 'none', throttle: { rate: 20, burst: 40 } },
        { method: 'DELETE', path: '/suppressions/self', auth: 'none', throttle: { rate: 20, burst: 40 } },
      ],
    },
    timeoutSeconds: 29,
    // a viewer's own opt-out is public: capped like the other public functions
    reservedConcurrency: 5,
    database: true,
    // announces the binding an opt-out ended (WalletRebound)
    emits: ['WalletRebound'],
    databaseRole: 'oracle_attention',
  },
  {
    name: 'IngestKeysApi',
    entry: 'functions/api/ingest-keys/index.ts',
    stack: 'api',
    system: 'attention',
    description:
      "POST /admin/ingest-keys/{keyId}/void: removes one ingest key's events from epochs not yet sealed",
    trigger: {
      kind: 'http',
      routes: [{ method: 'POST', path: '/admin/ingest-keys/{keyId}/void', auth: 'admin' }],
    },
    timeoutSeconds: 29,
    database: true,
    databaseRole: 'oracle_attention',
  },
  {
    name: 'ChannelsApi',
    entry: 'functions/api/admin-channels/index.ts',
    stack: 'api',
    system: 'attention',
    // the token groups a channel may be put in: MILO, CLS, OTHER and those given a mint
    settings: ['TOKEN_GROUP_MINTS'],
    description: 'Channel configuration (admin): token groups, category overrides, the blocklist; audited',
    trigger: {
      kind: 'http',
      routes: [
        { method: 'GET', path: '/admin/channels', auth: 'admin' },
        { method: 'PUT', path: '/admin/channels/{channel}', auth: 'admin' },
        { method: 'DELETE', path: '/admin/channels/{channel}', auth: 'admin' },
      ],
    },
    timeoutSeconds: 29,
    database: true,
    databaseRole: 'oracle_attention',
  },
  {
    name: 'WalletsApi',
    entry: 'functions/api/wallets/index.ts',
    stack: 'api',
    system: 'attention',
    settings: ['TWITCH_HELIX_URL', 'TWITCH_AUTH_URL', 'TWITCH_REDIRECT_URIS'],
    description:
      'Viewer sign-in with Twitch (authorization-code flow, our app credentials), signed wallet binding with a viewer session; the wallet bound for a user',
    trigger: {
      kind: 'http',
      routes: [
        { method: 'GET', path: '/auth/twitch/authorize', auth: 'none', throttle: { rate: 20, burst: 40 } },
        { method: 'POST', path: '/auth/twitch/session', auth: 'none', throttle: { rate: 20, burst: 40 } },
        { method: 'POST', path: '/wallets/bind', auth: 'none', throttle: { rate: 20, burst: 40 } },
        { method: 'GET', path: '/wallets/{user}', auth: 'none' },
      ],
    },
    timeoutSeconds: 29,
    database: true,
    databaseRole: 'oracle_attention',
    // the app's client id and secret: the code exchange, and the client id a token must carry
    secrets: ['twitch'],
    tables: [{ table: 'rateLimits', access: 'readWrite' }],
    // announces ended bindings (WalletRebound)
    emits: ['WalletRebound'],
    namesDeployment: true,
    reservedConcurrency: 20,
  },
  {
    name: 'ClaimsApi',
    entry: 'functions/api/claims/index.ts',
    stack: 'api',
    system: 'attention',
    settings: ['SOLANA_RPC_URL', 'TOKEN_GROUP_MINTS', 'ATTENTION_PROGRAM_ID', 'PUBLISH_MODE'],
    description: "Claims and proofs; a viewer's claims as transactions to sign",
    trigger: {
      kind: 'http',
      routes: [
        { method: 'GET', path: '/claims/{user}', auth: 'none' },
        {
          method: 'POST',
          path: '/claims/{user}/transactions',
          auth: 'none',
          throttle: { rate: 20, burst: 40 },
        },
        { method: 'GET', path: '/claims/{epoch}/{channel}/{user}', auth: 'none' },
      ],
    },
    memoryMb: 1024,
    timeoutSeconds: 29,
    database: true,
    databaseRole: 'oracle_attention_reader',
    reservedConcurrency: 50,
  },
  {
    name: 'EpochsApi',
    entry: 'functions/api/epochs/index.ts',
    stack: 'api',
    system: 'attention',
    description: 'Sealed epochs and their channels',
    trigger: {
      kind: 'http',
      routes: [
        { method: 'GET', path: '/epochs', auth: 'none' },
        { method: 'GET', path: '/epochs/{epoch}', auth: 'none' },
        { method: 'GET', path: '/epochs/{epoch}/channels/{channel}', auth: 'none' },
      ],
    },
    timeoutSeconds: 29,
    database: true,
    databaseRole: 'oracle_attention_reader',
    reservedConcurrency: 20,
  },
  {
    name: 'CreatorsApi',
    entry: 'functions/api/creators/index.ts',
    stack: 'api',
    system: 'creator',
    settings: [
      'EVM_RPC_URL',
      'EVM_CHAIN_ID',
      'CREATOR_METRICS_MANAGER_ADDRESS',
      'CREATOR_TOKEN_FACTORY_ADDRESS',
      'COIN_LAUNCH_MIN_PLAYS',
      'COIN_LAUNCH_MIN_FOLLOWERS',
      'MARKET_CHAIN_ID',
      'CREATOR_COIN_QUOTE_TOKEN',
    ],
    description: 'Creator metrics, milestones and coin; the creator sync logs and health (admin)',
    trigger: {
      kind: 'http',
      routes: [
        { method: 'GET', path: '/creators/{address}/metrics', auth: 'none' },
        { method: 'GET', path: '/creators/{address}/milestones', auth: 'none' },
        { method: 'GET', path: '/creators/{address}/coin', auth: 'none' },
        { method: 'GET', path: '/admin/sync-logs', auth: 'admin' },
        { method: 'GET', path: '/admin/sync-health', auth: 'admin' },
      ],
    },
    timeoutSeconds: 29,
    database: true,
    databaseRole: 'oracle_creator_reader',
    reservedConcurrency: 20,
  },
  {
    name: 'AdminOracleCallsApi',
    entry: 'functions/api/admin-oracle-calls/index.ts',
    stack: 'api',
    system: 'delivery',
    description: 'Oracle call history, retry and admin alerts',
    trigger: {
      kind: 'http',
      routes: [
        { method: 'GET', path: '/admin/oracle-calls', auth: 'admin' },
        { method: 'GET', path: '/admin/oracle-calls/{id}', auth: 'admin' },
        { method: 'POST', path: '/admin/oracle-calls/{id}/retry', auth: 'admin' },
        { method: 'GET', path: '/admin/alerts', auth: 'admin' },
      ],
    },
    timeoutSeconds: 29,
    database: true,
    databaseRole: 'oracle_delivery',
    sends: ['oracleCalls'],
  },
  {
    name: 'MarketPrices',
    entry: 'functions/api/market/prices/index.ts',
    stack: 'api',
    system: 'market',
    settings: ['MARKET_CHAIN_ID'],
    description: 'Current price of a token',
    trigger: { kind: 'http', routes: [{ method: 'GET', path: '/api/prices/{tokenAddress}', auth: 'none' }] },
    timeoutSeconds: 29,
    database: true,
    databaseRole: 'oracle_market_reader',
    reservedConcurrency: 20,
  },
  {
    name: 'MarketTwap',
    entry: 'functions/api/market/twap/index.ts',
    stack: 'api',
    system: 'market',
    settings: ['MARKET_CHAIN_ID'],
    description: 'TWAP of a token over a window',
    trigger: {
      kind: 'http',
      routes: [{ method: 'GET', path: '/api/twap/{tokenAddress}/{window}', auth: 'none' }],
    },
    timeoutSeconds: 29,
    database: true,
    databaseRole: 'oracle_market_reader',
    reservedConcurrency: 20,
  },
  {
    name: 'AnalyticsOverview',
    entry: 'functions/api/market/analytics-overview/index.ts',
    stack: 'api',
    system: 'market',
    settings: ['MARKET_CHAIN_ID'],
    description: 'Market analytics overview',
    trigger: { kind: 'http', routes: [{ method: 'GET', path: '/api/analytics/overview', auth: 'none' }] },
    timeoutSeconds: 29,
    database: true,
    databaseReader: true,
    databaseRole: 'oracle_market_reader',
    reservedConcurrency: 10,
  },
  {
    name: 'AnalyticsRankings',
    entry: 'functions/api/market/analytics-rankings/index.ts',
    stack: 'api',
    system: 'market',
    settings: ['MARKET_CHAIN_ID'],
    description: 'Token and credential rankings',
    trigger: {
      kind: 'http',
      routes: [{ method: 'GET', path: '/api/analytics/tokens/rankings', auth: 'none' }],
    },
    timeoutSeconds: 29,
    database: true,
    databaseReader: true,
    databaseRole: 'oracle_market_reader',
    reservedConcurrency: 10,
  },
  {
    name: 'AnalyticsTrends',
    entry: 'functions/api/market/analytics-trends/index.ts',
    stack: 'api',
    system: 'market',
    settings: ['MARKET_CHAIN_ID'],
    description: 'Market trends: price change over 1 h, 24 h and 7 d, volume trends, top movers',
    trigger: { kind: 'http', routes: [{ method: 'GET', path: '/api/analytics/trends', auth: 'none' }] },
    timeoutSeconds: 29,
    database: true,
    databaseReader: true,
    databaseRole: 'oracle_market_reader',
    reservedConcurrency: 10,
  },
  {
    name: 'AnalyticsVolume',
    entry: 'functions/api/market/analytics-volume/index.ts',
    stack: 'api',
    system: 'market',
    settings: ['MARKET_CHAIN_ID'],
    description: 'Volume and liquidity of a token',
    trigger: {
      kind: 'http',
      routes: [{ method: 'GET', path: '/api/analytics/volume/{tokenAddress}', auth: 'none' }],
    },
    timeoutSeconds: 29,
    database: true,
    databaseReader: true,
    databaseRole: 'oracle_market_reader',
    reservedConcurrency: 10,
  },
  {
    name: 'Graphql',
    entry: 'functions/api/market/graphql/index.ts',
    stack: 'api',
    system: 'market',
    settings: ['MARKET_CHAIN_ID'],
    description: 'POST /graphql over the analytics data (depth and cost limited)',
    trigger: {
      kind: 'http',
      routes: [{ method: 'POST', path: '/graphql', auth: 'none', throttle: { rate: 50, burst: 100 } }],
    },
    timeoutSeconds: 29,
    database: true,
    databaseReader: true,
    databaseRole: 'oracle_market_reader',
    reservedConcurrency: 20,
  },
  {
    name: 'GenerateClaim',
    entry: 'functions/api/market/generate-claim/index.ts',
    stack: 'api',
    system: 'market',
    settings: [
      'EVM_CHAIN_ID',
      'EVM_SIGNER_ADDRESS',
      'MARKET_REWARD_TOKEN',
      'MARKET_CHAIN_ID',
      'EMISSION_BASE_RATE_PER_SECOND',
      'EMISSION_TIER_MULTIPLIERS_BPS',
      'EMISSION_AUTO_MINT_MINIMUM',
      'EMISSION_CLAIM_MINIMUM',
      'EMISSION_CLAIM_COOLDOWN_SECONDS',
      'ORACLE_MAX_RETRIES',
    ],
    description: "Claims and mints what a credential accrued, for its holder's session",
    trigger: {
      kind: 'http',
      routes: [
        {
          method: 'POST',
          path: '/api/generate/claim/{credentialId}',
          auth: 'none',
          throttle: { rate: 20, burst: 40 },
        },
      ],
    },
    timeoutSeconds: 29,
    database: true,
    databaseRole: 'oracle_market',
    sends: ['oracleCalls'],
    reservedConcurrency: 10,
  },
  {
    name: 'GenerateClaimable',
    entry: 'functions/api/market/generate-claimable/index.ts',
    stack: 'api',
    system: 'market',
    settings: ['MARKET_CHAIN_ID', 'EMISSION_BASE_RATE_PER_SECOND', 'EMISSION_TIER_MULTIPLIERS_BPS'],
    description: 'Claimable balance of an address',
    trigger: {
      kind: 'http',
      routes: [{ method: 'GET', path: '/api/generate/claimable/{address}', auth: 'none' }],
    },
    timeoutSeconds: 29,
    database: true,
    databaseRole: 'oracle_market_reader',
    reservedConcurrency: 10,
  },
  {
    name: 'GenerateStats',
    entry: 'functions/api/market/generate-stats/index.ts',
    stack: 'api',
    system: 'market',
    settings: ['MARKET_CHAIN_ID', 'EMISSION_BASE_RATE_PER_SECOND', 'EMISSION_TIER_MULTIPLIERS_BPS'],
    description: 'Token generation statistics',
    trigger: { kind: 'http', routes: [{ method: 'GET', path: '/api/generate/stats', auth: 'none' }] },
    timeoutSeconds: 29,
    database: true,
    databaseRole: 'oracle_market_reader',
    reservedConcurrency: 10,
  },
  {
    name: 'NotificationsSubscribe',
    entry: 'functions/api/market/notifications-subscribe/index.ts',
    stack: 'api',
    system: 'core',
    settings: [
      'NOTIFICATIONS_MAX_SUBSCRIPTIONS_PER_USER',
      'NOTIFICATIONS_MAX_SUBSCRIPTIONS_PER_IP_PER_DAY',
      'NOTIFICATIONS_VERIFICATIONS_PER_USER_PER_DAY',
      'NOTIFICATIONS_VERIFICATIONS_PER_IP_PER_DAY',
      'NOTIFICATIONS_VERIFY_EMAIL_URL',
    ],
    description:
      "The signed-in user's subscriptions: subscribe (sends verifications of new contacts), unsubscribe, list",
    trigger: {
      kind: 'http',
      routes: [
        {
          method: 'POST',
          path: '/api/notifications/subscribe',
          auth: 'none',
          throttle: { rate: 20, burst: 40 },
        },
        {
          method: 'POST',
          path: '/api/notifications/unsubscribe',
          auth: 'none',
          throttle: { rate: 20, burst: 40 },
        },
        { method: 'GET', path: '/api/notifications/subscriptions', auth: 'none' },
      ],
    },
    timeoutSeconds: 29,
    database: true,
    databaseRole: 'oracle_market',
    reservedConcurrency: 10,
    sends: ['notifications'],
  },
  {
    name: 'NotificationsVerify',
    entry: 'functions/api/market/notifications-verify/index.ts',
    stack: 'api',
    system: 'core',
    description: 'Double opt-in of market users: email confirmation page and link, SMS code',
    trigger: {
      kind: 'http',
      routes: [
        { method: 'GET', path: '/api/notifications/verify/email', auth: 'none' },
        {
          method: 'POST',
          path: '/api/notifications/verify/email',
          auth: 'none',
          throttle: { rate: 20, burst: 40 },
        },
        {
          method: 'POST',
          path: '/api/notifications/verify/sms',
          auth: 'none',
          throttle: { rate: 20, burst: 40 },
        },
      ],
    },
    timeoutSeconds: 29,
    database: true,
    databaseRole: 'oracle_market',
    reservedConcurrency: 10,
  },
  {
    name: 'NotificationsPreferences',
    entry: 'functions/api/market/notifications-preferences/index.ts',
    stack: 'api',
    system: 'core',
    description: 'Sets notification preferences and quiet hours',
    trigger: {
      kind: 'http',
      routes: [
        {
          method: 'POST',
          path: '/api/notifications/preferences',
          auth: 'none',
          throttle: { rate: 20, burst: 40 },
        },
      ],
    },
    timeoutSeconds: 29,
    database: true,
    databaseRole: 'oracle_market',
    reservedConcurrency: 10,
  },
  {
    name: 'NotificationsHistory',
    entry: 'functions/api/market/notifications-history/index.ts',
    stack: 'api',
    system: 'core',
    description: 'Notification history of a user',
    trigger: {
      kind: 'http',
      routes: [{ method: 'GET', path: '/api/notifications/history/{userId}', auth: 'none' }],
    },
    timeoutSeconds: 29,
    database: true,
    databaseRole: 'oracle_market_reader',
    reservedConcurrency: 10,
  },
  {
    name: 'MarketSignIn',
    entry: 'functions/api/market/sign-in/index.ts',
    stack: 'api',
    system: 'core',
    settings: [
      'MARKET_SIWE_DOMAIN',
      'MARKET_SIWE_URI',
      'MARKET_SIWE_CHAIN_ID',
      'MARKET_SESSION_TTL_SECONDS',
      'MARKET_SIGN_IN_NONCES_PER_IP',
    ],
    description: 'Sign-In with Ethereum for market users: nonces, sessions, sign-out',
    trigger: {
      kind: 'http',
      routes: [
        { method: 'POST', path: '/api/auth/nonce', auth: 'none', throttle: { rate: 20, burst: 40 } },
        { method: 'POST', path: '/api/auth/session', auth: 'none', throttle: { rate: 20, burst: 40 } },
        { method: 'DELETE', path: '/api/auth/session', auth: 'none' },
      ],
    },
    timeoutSeconds: 29,
    database: true,
    databaseRole: 'oracle_market',
    reservedConcurrency: 10,
  },
  {
    name: 'HealthApi',
    entry: 'functions/api/health/index.ts',
    stack: 'api',
    system: 'core',
    description:
      'GET /health: dependencies up/down, cached per container; GET /admin/health: latency and errors (admin)',
    trigger: {
      kind: 'http',
      routes: [
        { method: 'GET', path: '/health', auth: 'none' },
        { method: 'GET', path: '/admin/health', auth: 'admin' },
      ],
    },
    memoryMb: 256,
    timeoutSeconds: 10,
    database: true,
    databaseRole: 'oracle_health',
    // its queue check reads each queue's attributes (the ingest queue only where attention runs)
    observes: ['ingest', 'notifications'],
    // the market's AIR API and the chain its factory is on, where the market runs
    probes: [
      {
        system: 'market',
        settings: ['AIR_API_URL', 'MARKET_FACTORY_ADDRESS', 'EVM_RPC_URL'],
        secrets: ['airApiKey'],
      },
    ],
    reservedConcurrency: 10,
  },
  {
    name: 'AdminAuditApi',
    entry: 'functions/api/admin-audit/index.ts',
    stack: 'api',
    system: 'core',
    description: 'GET /admin/audit: the admin audit log (who changed what, before and after)',
    trigger: { kind: 'http', routes: [{ method: 'GET', path: '/admin/audit', auth: 'admin' }] },
    memoryMb: 256,
    timeoutSeconds: 29,
    database: true,
    // reads the audit log, which lives in the creator schema
    databaseRole: 'oracle_creator_reader',
  },
  {
    name: 'OpenApiDocument',
    entry: 'functions/api/openapi/index.ts',
    stack: 'api',
    system: 'core',
    description:
      'GET /openapi.json: the OpenAPI document of the HTTP API, generated from the route contracts',
    trigger: { kind: 'http', routes: [{ method: 'GET', path: '/openapi.json', auth: 'none' }] },
    memoryMb: 256,
    timeoutSeconds: 10,
    reservedConcurrency: 5,
  },
  {
    name: 'WsPrices',
    entry: 'functions/api/ws-prices/index.ts',
    stack: 'api',
    system: 'market',
    description: 'WebSocket /ws/prices: connect, disconnect, subscribe by token, heartbeat',
    trigger: {
      kind: 'websocket',
      routes: ['$connect', '$disconnect', '$default', 'subscribe', 'unsubscribe', 'ping'],
    },
    memoryMb: 256,
    timeoutSeconds: 10,
    tables: [{ table: 'wsConnections', access: 'readWrite' }],
    managesConnections: true,
    reservedConcurrency: 20,
  },
  {
    name: 'WsBroadcast',
    entry: 'functions/api/ws-broadcast/index.ts',
    stack: 'api',
    system: 'market',
    description: 'Pushes PriceUpdated events to the subscribed WebSocket connections',
    trigger: { kind: 'event', events: ['PriceUpdated'] },
    timeoutSeconds: 30,
    tables: [{ table: 'wsConnections', access: 'readWrite' }],
    managesConnections: true,
  },
];

/** The custom resource that applies the database migrations on deploy (data stack). */
export const MIGRATE_ENTRY = 'functions/custom-resource/migrate/index.ts';

/** An HTTP route's API Gateway route key: `POST /wallets/bind`. */
export function routeKeyOf(route: Pick<HttpRoute, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}

/**
 * The tables a function is granted: those it lists, and the rate-limit table where one of its
 * routes has a per-IP limit (functions/api/contract/per-ip-limits.ts), counted by its handler.
 */
export function tablesOf(spec: FunctionSpec): NonNullable<FunctionSpec['tables']> {
  const listed = spec.tables ?? [];
  const limited =
    spec.trigger.kind === 'http' &&
    spec.trigger.routes.some((route) => PER_IP_LIMITS[routeKeyOf(route)] !== undefined);
  return limited && !listed.some((t) => t.table === 'rateLimits')
    ? [...listed, { table: 'rateLimits', access: 'readWrite' }]
    : listed;
}

export function entryPath(spec: Pick<FunctionSpec, 'entry'>, root = REPO_ROOT): string {
  return join(root, spec.entry);
}

/**
 * The specs, once every entry file exists. A function whose entry is missing (a renamed or deleted
 * folder) fails synth, naming it, instead of silently leaving the deployment.
 */
export function requireEntries<T extends Pick<FunctionSpec, 'name' | 'entry'>>(
  specs: readonly T[],
  root = REPO_ROOT,
): readonly T[] {
  const missing = specs.filter((spec) => !existsSync(entryPath(spec, root)));
  if (missing.length > 0) {
    const list = missing.map((spec) => `${spec.name} (${spec.entry})`).join(', ');
    throw new Error(
      `Entry file missing for ${list}: restore it or remove the function from lib/functions.ts`,
    );
  }
  return specs;
}

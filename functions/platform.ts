/**
 * What every entry point is built on: the configuration and the clients made from it (the
 * database, queues, the event bus, secrets, Twitch, rate limits). A Lambda builds one platform per
 * container (functions/handlers.ts); the local runtime builds one for all its handlers and gives
 * it the pieces it runs itself (`PlatformParts`); a test builds its own. Nothing here is module
 * state: two platforms share no client, and closing one closes only what it opened.
 *
 * Every client loads on first use (functions/lazy-ports.ts): the database driver and drizzle, the
 * AWS SDK clients (SQS, EventBridge, Secrets Manager, DynamoDB) and the tree hasher's keccak. A
 * function's cold start evaluates none of them; the first call that needs one loads it.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DbHandle } from '../layers/shared/src/adapters/db/client.ts';
import { InProcessEventBus } from '../layers/shared/src/adapters/events/in-process-event-bus.ts';
import { HelixClient } from '../layers/shared/src/adapters/twitch/helix-client.ts';
import { loadTwitchCredentials } from '../layers/shared/src/adapters/twitch/twitch-credentials.ts';
import type { Config } from '../layers/shared/src/config.ts';
import { ConfigError, DependencyError } from '../layers/shared/src/errors.ts';
import { loadMarketConfig, type MarketConfig } from '../layers/shared/src/market-config.ts';
import type { EventBus } from '../layers/shared/src/ports/event-bus.ts';
import type { RateLimiter } from '../layers/shared/src/ports/rate-limiter.ts';
import type { SecretStore } from '../layers/shared/src/ports/secret-store.ts';
import type { WorkQueue } from '../layers/shared/src/ports/work-queue.ts';
import type { TreeHasher } from '../layers/shared/src/services/attention/tree-hashing.ts';
import { NotificationQueueBus } from '../layers/shared/src/services/market/notification-queue-bus.ts';
import {
  lazyEventBus,
  lazyRateLimiter,
  lazySecretsManagerStore,
  lazyTreeHasher,
  lazyWorkQueue,
  loadOnce,
  localEndpoint,
} from './lazy-ports.ts';

export { isPlatformSetting, type RequiredConfig, requireConfig } from './required-config.ts';

/** Hashes on this thread (services/attention/tree-hashing.ts), loaded by the first tree. */
const inThread = lazyTreeHasher(async () => {
  const { inThreadTreeHasher } = await import('../layers/shared/src/services/attention/tree-hashing.ts');
  return inThreadTreeHasher;
});

export interface Platform<C extends Config = Config> {
  readonly config: C;
  /** The market settings (market-config.ts), parsed on first use. */
  readonly market: MarketConfig;
  /** One pool, opened on first use; a failed open is not kept, so the next call tries again. */
  database(): Promise<DbHandle>;
  readonly secrets: SecretStore;
  /** The queue at `url`; `name` is the variable that should have named it (a ConfigError when unset). */
  queue(url: string | undefined, name: string, deadLetterUrl?: string): WorkQueue;
  eventBus(): EventBus;
  /**
   * The Twitch Helix client: its app token and rate limiter outlive an invocation. The app
   * credentials come from TWITCH_SECRET_ARN; a caller that only validates user tokens
   * (/oauth2/validate needs no app token) may go without them.
   */
  twitchHelix(appCredentials: 'required' | 'optional'): Promise<HelixClient>;
  /** Where the seal function hashes trees: its own thread, unless the runtime gave it workers. */
  readonly treeHasher: TreeHasher;
  /** The per-IP and per-key counters (RATE_LIMIT_TABLE). */
  rateLimiter(): RateLimiter;
  /** Closes what this platform opened (never a part it was given). */
  close(): Promise<void>;
}

/** Pieces a runtime or a test runs itself; what is not given is built from the configuration. */
export interface PlatformParts {
  readonly database?: DbHandle;
  readonly secrets?: SecretStore;
  readonly treeHasher?: TreeHasher;
  readonly eventBus?: EventBus;
  readonly rateLimiter?: RateLimiter;
  readonly market?: MarketConfig;
  /** Where the market settings are read from when `market` is not given (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

export function createPlatform<C extends Config>(config: C, parts: PlatformParts = {}): Platform<C> {
  const given = parts.database === undefined ? undefined : Promise.resolve(parts.database);
  let market: MarketConfig | undefined = parts.market;
  let secrets: SecretStore | undefined = parts.secrets;
  let sqs: SQSClient | undefined;
  const queues = new Map<string, WorkQueue>();
  let bus: EventBus | undefined = parts.eventBus;
  let limiter: RateLimiter | undefined = parts.rateLimiter;

  const secretStore = (): SecretStore => {
    secrets ??= lazySecretsManagerStore(config);
    return secrets;
  };
  const opened = loadOnce(() =>
    import('../layers/shared/src/adapters/db/database-access.ts').then(({ openDatabase }) =>
      openDatabase(config, secretStore()),
    ),
  );
  const helix = loadOnce(async () => {
    const secretId = config.TWITCH_SECRET_ARN;
    const credentials =
      secretId === undefined
        ? { clientId: '', clientSecret: '' }
        : await loadTwitchCredentials(secretStore(), secretId);
    return new HelixClient({
      ...credentials,
      authUrl: config.TWITCH_AUTH_URL,
      helixUrl: config.TWITCH_HELIX_URL,
    });
  });

  const platform: Platform<C> = {
    config,
    get market() {
      market ??= loadMarketConfig(parts.env ?? process.env);
      return market;
    },
    get secrets() {
      return secretStore();
    },
    treeHasher: parts.treeHasher ?? inThread,

    database() {
      return given ?? opened();
    },

    queue(url, name, deadLetterUrl) {
      if (url === undefined) throw new ConfigError(`${name} is required`);
      let existing = queues.get(url);
      if (existing === undefined) {
        existing = lazyWorkQueue(url, async () => {
          const { SqsWorkQueue, sqsClient } = await import(
            '../layers/shared/src/adapters/aws/sqs-work-queue.ts'
          );
          const endpoint = config.SQS_ENDPOINT;
          sqs ??= sqsClient({ region: config.AWS_REGION, ...(endpoint === undefined ? {} : { endpoint }) });
          return new SqsWorkQueue({ queueUrl: url, deadLetterQueueUrl: deadLetterUrl ?? url, client: sqs });
        });
        queues.set(url, existing);
      }
      return existing;
    },

    // EventBridge where a bus is configured (AWS); else the notifications queue, which is where the
    // bus's rule would deliver (the local runtime); else in-process.
    eventBus() {
      if (bus !== undefined) return bus;
      const busName = config.EVENT_BUS_NAME;
      if (busName !== undefined) {
        bus = lazyEventBus(async () => {
          const [{ EventBridgeClient }, { EventBridgeBus }] = await Promise.all([
            import('@aws-sdk/client-eventbridge'),
            import('../layers/shared/src/adapters/aws/eventbridge-bus.ts'),
          ]);
          return new EventBridgeBus(
            new EventBridgeClient({ region: config.AWS_REGION, ...localEndpoint(config.EVENTS_ENDPOINT) }),
            busName,
          );
        });
      } else if (config.NOTIFICATIONS_QUEUE_URL !== undefined) {
        bus = new NotificationQueueBus(
          platform.queue(config.NOTIFICATIONS_QUEUE_URL, 'NOTIFICATIONS_QUEUE_URL'),
        );
      } else {
        bus = new InProcessEventBus();
      }
      return bus;
    },

    twitchHelix(appCredentials) {
      if (config.TWITCH_SECRET_ARN === undefined && appCredentials === 'required') {
        return Promise.reject(new DependencyError('TWITCH_SECRET_ARN is not set'));
      }
      return helix();
    },

    rateLimiter() {
      if (limiter === undefined) {
        const table = config.RATE_LIMIT_TABLE;
        if (table === undefined) throw new ConfigError('RATE_LIMIT_TABLE is required');
        limiter = lazyRateLimiter(async () => {
          const { DynamoDbRateLimiter, dynamoDbClient } = await import(
            '../layers/shared/src/adapters/aws/dynamodb-rate-limiter.ts'
          );
          return new DynamoDbRateLimiter(
            dynamoDbClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT }),
            table,
          );
        });
      }
      return limiter;
    },

    async close() {
      // Only the pool this platform opened; a given database is its giver's to close.
      const pool = opened.forget();
      sqs?.destroy();
      sqs = undefined;
      queues.clear();
      helix.forget();
      if (pool !== undefined) await (await pool.catch(() => undefined))?.close();
    },
  };
  return platform;
}

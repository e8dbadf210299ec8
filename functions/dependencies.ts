/**
 * What the entry points need, built once per container from the configuration: the database,
 * queues, secrets, rate limits. Lambdas and the local runtime get the same objects; only the
 * endpoints in the environment differ.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgeBus } from '../layers/shared/src/adapters/aws/eventbridge-bus.ts';
import { SqsWorkQueue, sqsClient } from '../layers/shared/src/adapters/aws/sqs-work-queue.ts';
import type { DbHandle } from '../layers/shared/src/adapters/db/client.ts';
import { openDatabase } from '../layers/shared/src/adapters/db/database-access.ts';
import { InProcessEventBus } from '../layers/shared/src/adapters/events/in-process-event-bus.ts';
import { HelixClient } from '../layers/shared/src/adapters/twitch/helix-client.ts';
import { loadTwitchCredentials } from '../layers/shared/src/adapters/twitch/twitch-credentials.ts';
import { config } from '../layers/shared/src/config.ts';
import { ConfigError, DependencyError } from '../layers/shared/src/errors.ts';
import { marketConfig } from '../layers/shared/src/market-config.ts';
import { powertoolsTelemetry } from '../layers/shared/src/observability.ts';
import type { EventBus } from '../layers/shared/src/ports/event-bus.ts';
import type { WorkQueue } from '../layers/shared/src/ports/work-queue.ts';
import type { SchedulerDeps } from '../layers/shared/src/services/attention/publication-scheduler.ts';
import { inThreadTreeHasher, type TreeHasher } from '../layers/shared/src/services/attention/tree-hashing.ts';
import { NotificationQueueBus } from '../layers/shared/src/services/market/notification-queue-bus.ts';
import type { Platform } from './platform.ts';
import { rateLimiter, resetRateLimiter } from './rate-limiter.ts';
import { secretStore, useSecretStore } from './secret-store.ts';

export { rateLimiter } from './rate-limiter.ts';
export { secretStore, useSecretStore } from './secret-store.ts';

let db: Promise<DbHandle> | undefined;
let sqs: ReturnType<typeof sqsClient> | undefined;
const queues = new Map<string, WorkQueue>();
let bus: EventBus | undefined;
let helix: Promise<HelixClient> | undefined;
let hasher: TreeHasher | undefined;
let legacy: Platform | undefined;

/**
 * The module-level clients below as a Platform, for the entry points not yet built with the
 * handler factories (functions/handlers.ts). Replaced whenever a piece is, so what composition
 * modules memoise per platform is rebuilt with it.
 */
export function legacyPlatform(): Platform {
  legacy ??= {
    get config() {
      return config();
    },
    get market() {
      return marketConfig();
    },
    database,
    get secrets() {
      return secretStore();
    },
    queue,
    eventBus,
    twitchHelix,
    get treeHasher() {
      return treeHasher();
    },
    rateLimiter,
    close: resetDependencies,
  };
  return legacy;
}

/** The database: DATABASE_URL, or DB_HOST with the credentials secret (adapters/db/database-access.ts). */
export function database(): Promise<DbHandle> {
  db ??= openDatabase(config(), secretStore());
  db.catch(() => {
    db = undefined;
  });
  return db;
}

/**
 * Replaces the database (the local runtime gives each handler its own function's role,
 * local/function-databases.ts); `undefined` goes back to the configuration.
 */
export function useDatabase(handle: DbHandle | undefined): void {
  legacy = undefined;
  db = handle === undefined ? undefined : Promise.resolve(handle);
}

export function queue(url: string | undefined, name: string, deadLetterUrl?: string): WorkQueue {
  if (url === undefined) throw new ConfigError(`${name} is required`);
  let existing = queues.get(url);
  if (existing === undefined) {
    const endpoint = config().SQS_ENDPOINT;
    sqs ??= sqsClient({ region: config().AWS_REGION, ...(endpoint === undefined ? {} : { endpoint }) });
    existing = new SqsWorkQueue({ queueUrl: url, deadLetterQueueUrl: deadLetterUrl ?? url, client: sqs });
    queues.set(url, existing);
  }
  return existing;
}

export function ingestQueue(): WorkQueue {
  return queue(config().INGEST_QUEUE_URL, 'INGEST_QUEUE_URL');
}

export function publishQueue(): WorkQueue {
  return queue(config().PUBLISH_QUEUE_URL, 'PUBLISH_QUEUE_URL');
}

/** What the publication scheduler needs: the database, the publish queue and the event bus. */
export async function schedulerDeps(): Promise<SchedulerDeps> {
  const { sql } = await database();
  return { sql, queue: publishQueue(), events: eventBus(), telemetry: powertoolsTelemetry };
}

/**
 * The domain event bus: EventBridge where a bus is configured (AWS); else the notifications
 * queue, which is where the bus's rule would deliver (the local runtime); else in-process.
 */
export function eventBus(): EventBus {
  if (bus !== undefined) return bus;
  const c = config();
  if (c.EVENT_BUS_NAME !== undefined) {
    const endpoint = c.EVENTS_ENDPOINT;
    bus = new EventBridgeBus(
      new EventBridgeClient({
        region: c.AWS_REGION,
        ...(endpoint === undefined
          ? {}
          : { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
      }),
      c.EVENT_BUS_NAME,
    );
  } else if (c.NOTIFICATIONS_QUEUE_URL !== undefined) {
    bus = new NotificationQueueBus(queue(c.NOTIFICATIONS_QUEUE_URL, 'NOTIFICATIONS_QUEUE_URL'));
  } else {
    bus = new InProcessEventBus();
  }
  return bus;
}

/** Replaces the event bus (tests); `undefined` goes back to the configuration. */
export function useEventBus(replacement: EventBus | undefined): void {
  legacy = undefined;
  bus = replacement;
}

/**
 * The Twitch Helix client, one per container: its app token and rate limiter outlive an
 * invocation. The app credentials come from TWITCH_SECRET_ARN; a caller that only validates
 * user tokens (/oauth2/validate needs no app token) may go without them.
 */
export function twitchHelix(appCredentials: 'required' | 'optional'): Promise<HelixClient> {
  const c = config();
  const secretId = c.TWITCH_SECRET_ARN;
  if (secretId === undefined && appCredentials === 'required') {
    return Promise.reject(new DependencyError('TWITCH_SECRET_ARN is not set'));
  }
  helix ??= (async () => {
    const credentials =
      secretId === undefined
        ? { clientId: '', clientSecret: '' }
        : await loadTwitchCredentials(secretStore(), secretId);
    return new HelixClient({ ...credentials, authUrl: c.TWITCH_AUTH_URL, helixUrl: c.TWITCH_HELIX_URL });
  })();
  helix.catch(() => {
    helix = undefined;
  });
  return helix;
}

/** Where the seal function hashes trees: its own thread, unless a runtime gave it workers. */
export function treeHasher(): TreeHasher {
  return hasher ?? inThreadTreeHasher;
}

/** Lets the local runtime hash trees on worker threads (local/tree-hash-pool.ts). */
export function useTreeHasher(replacement: TreeHasher | undefined): void {
  legacy = undefined;
  hasher = replacement;
}

/** Drops every cached client (the local runtime between runs, tests). */
export async function resetDependencies(): Promise<void> {
  const handle = db;
  db = undefined;
  legacy = undefined;
  useSecretStore(undefined);
  sqs = undefined;
  resetRateLimiter();
  bus = undefined;
  helix = undefined;
  hasher = undefined;
  queues.clear();
  if (handle !== undefined) await (await handle.catch(() => undefined))?.close();
}

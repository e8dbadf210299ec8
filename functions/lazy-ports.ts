/**
 * Ports whose adapter is loaded on first use. A Lambda bundle is one ES module, and esbuild
 * evaluates a module reached only through `import()` when that import runs: the AWS SDK client
 * behind a port (SQS, EventBridge, Secrets Manager, DynamoDB) is then evaluated by the first call
 * that needs it, and a function that never makes one spends no cold start on it
 * (`npm run bench cold-start`). Each stand-in answers every call of the port by its adapter,
 * loaded once; a failed load is not kept, so the next call tries again.
 */
import type { Config } from '../layers/shared/src/config.ts';
import { SECRET_STORE_MAX_AGE_MS } from '../layers/shared/src/key-change-budget.ts';
import type { EventBus } from '../layers/shared/src/ports/event-bus.ts';
import type { RateLimiter } from '../layers/shared/src/ports/rate-limiter.ts';
import type { SecretStore } from '../layers/shared/src/ports/secret-store.ts';
import type { WorkQueue } from '../layers/shared/src/ports/work-queue.ts';
import type { TreeHasher } from '../layers/shared/src/services/attention/tree-hashing.ts';

/** A load run once (`loadOnce`): call it for the result; `forget` lets the next call load again. */
export interface Loaded<T> {
  (): Promise<T>;
  /**
   * Drops the load, if one was started (a platform closing), and hands it back so the caller can
   * close what it opened; the next call loads afresh.
   */
  forget(): Promise<T> | undefined;
}

/** `load` run once, its promise shared by every caller until it fails or is forgotten. */
export function loadOnce<T>(load: () => Promise<T>): Loaded<T> {
  let loaded: Promise<T> | undefined;
  const get = () => {
    if (loaded === undefined) {
      const attempt = load();
      loaded = attempt;
      // Only this attempt is dropped: a later one (after `forget`) is kept.
      attempt.catch(() => {
        if (loaded === attempt) loaded = undefined;
      });
    }
    return loaded;
  };
  return Object.assign(get, {
    forget() {
      const dropped = loaded;
      loaded = undefined;
      return dropped;
    },
  });
}

/** The queue at `url`; its name is the URL's last segment, as the SQS adapter names it. */
export function lazyWorkQueue(url: string, load: () => Promise<WorkQueue>): WorkQueue {
  const queue = loadOnce(load);
  return {
    name: url.split('/').pop() ?? url,
    send: async (message) => (await queue()).send(message),
    sendBatch: async (messages) => (await queue()).sendBatch(messages),
    receive: async (options) => (await queue()).receive(options),
    delete: async (receiptHandle) => (await queue()).delete(receiptHandle),
    deleteBatch: async (receiptHandles) => (await queue()).deleteBatch(receiptHandles),
    sendToDeadLetter: async (message, received) => (await queue()).sendToDeadLetter(message, received),
    receiveDeadLetters: async (options) => (await queue()).receiveDeadLetters(options),
    deleteDeadLetter: async (receiptHandle) => (await queue()).deleteDeadLetter(receiptHandle),
  };
}

export function lazyEventBus(load: () => Promise<EventBus>): EventBus {
  const bus = loadOnce(load);
  return { publish: async (event) => (await bus()).publish(event) };
}

export function lazySecretStore(load: () => Promise<SecretStore>): SecretStore {
  const store = loadOnce(load);
  return { getSecret: async (id) => (await store()).getSecret(id) };
}

/**
 * Secrets Manager behind a lazy store: every platform's (the authorizer's secrets-only one too).
 * The authorizer's keys are read through it: their 60 s change budget counts its cache.
 */
export function lazySecretsManagerStore(
  config: Pick<Config, 'AWS_REGION' | 'SECRETS_ENDPOINT'>,
): SecretStore {
  return lazySecretStore(async () => {
    const [{ SecretsManagerClient }, { SecretsManagerStore }] = await Promise.all([
      import('@aws-sdk/client-secrets-manager'),
      import('../layers/shared/src/adapters/aws/secrets-manager-store.ts'),
    ]);
    return new SecretsManagerStore(
      new SecretsManagerClient({ region: config.AWS_REGION, ...localEndpoint(config.SECRETS_ENDPOINT) }),
      { maxAgeMs: SECRET_STORE_MAX_AGE_MS },
    );
  });
}

/** A local stand-in endpoint takes any credentials; on AWS the role's are used. */
export function localEndpoint(endpoint: string | undefined) {
  return endpoint === undefined
    ? {}
    : { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}

export function lazyRateLimiter(load: () => Promise<RateLimiter>): RateLimiter {
  const limiter = loadOnce(load);
  return {
    hit: async (key, limit, windowSeconds, nowMs, cost) =>
      (await limiter()).hit(key, limit, windowSeconds, nowMs, cost),
    hitEach: async (key, windows, nowMs, cost) => (await limiter()).hitEach(key, windows, nowMs, cost),
  };
}

export function lazyTreeHasher(load: () => Promise<TreeHasher>): TreeHasher {
  const hasher = loadOnce(load);
  return { hash: async (job) => (await hasher()).hash(job) };
}

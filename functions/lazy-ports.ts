/**
 * Ports whose adapter is loaded on first use. A Lambda bundle is one ES module, and esbuild
 * evaluates a module reached only through `import()` when that import runs: the AWS SDK client
 * behind a port (SQS, EventBridge, Secrets Manager, DynamoDB) is then evaluated by the first call
 * that needs it, and a function that never makes one spends no cold start on it
 * (`npm run bench cold-start`). Each stand-in answers every call of the port by its adapter,
 * loaded once; a failed load is not kept, so the next call tries again.
 */
import type { EventBus } from '../layers/shared/src/ports/event-bus.ts';
import type { RateLimiter } from '../layers/shared/src/ports/rate-limiter.ts';
import type { SecretStore } from '../layers/shared/src/ports/secret-store.ts';
import type { WorkQueue } from '../layers/shared/src/ports/work-queue.ts';
import type { TreeHasher } from '../layers/shared/src/services/attention/tree-hashing.ts';

/** `load` run once, its promise shared by every caller until it fails. */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    if (loaded === undefined) {
      const attempt = load();
      loaded = attempt;
      attempt.catch(() => {
        if (loaded === attempt) loaded = undefined;
      });
    }
    return loaded;
  };
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

/**
 * The authorizer's factory: the shared handler shape (functions/handler-entry.ts) on a platform
 * that holds only the configuration and the secret store, which is all an authorizer reads. Kept
 * apart from functions/handlers.ts so the authorizer's bundle carries no database client, queue
 * or event bus SDK: it runs before every protected request, so its cold start is on their path.
 * The Secrets Manager client loads with the first key read, as on every other platform.
 */
import type { APIGatewayRequestAuthorizerEventV2, Context } from 'aws-lambda';
import { DependencyError } from '../layers/shared/src/errors.ts';
import type { SecretStore } from '../layers/shared/src/ports/secret-store.ts';
import {
  type Dependencies,
  type Entry,
  type EntryOptions,
  entry,
  invokeWith,
  type PlatformMaker,
  type Requirement,
} from './handler-entry.ts';
import { lazySecretsManagerStore } from './lazy-ports.ts';
import type { Platform } from './platform.ts';

const secretsOnly: PlatformMaker = (config) => {
  let secrets: SecretStore | undefined;
  const none = (what: string) => () => {
    throw new DependencyError(`the authorizer has no ${what}`);
  };
  const platform: Platform = {
    config,
    get market(): never {
      throw new DependencyError('the authorizer has no market settings');
    },
    get secrets() {
      secrets ??= lazySecretsManagerStore(config);
      return secrets;
    },
    database: () => Promise.reject(new DependencyError('the authorizer has no database')),
    queue: none('queue'),
    eventBus: none('event bus'),
    twitchHelix: () => Promise.reject(new DependencyError('the authorizer has no Twitch client')),
    get treeHasher(): never {
      throw new DependencyError('the authorizer hashes no trees');
    },
    rateLimiter: none('rate limiter'),
    close: async () => {},
  };
  return platform;
};

/**
 * An HTTP API Lambda authorizer (simple responses). Errors are not shaped: one that cannot read its
 * keys throws, since API Gateway caches a refusal for the credential but never an error.
 */
export function authorizer<D, R, K extends Requirement = never>(
  dependencies: Dependencies<K, D>,
  handle: (event: APIGatewayRequestAuthorizerEventV2, deps: D, context: Context) => Promise<R>,
  options: EntryOptions<K> = {},
): Entry<APIGatewayRequestAuthorizerEventV2, R, D> {
  return entry('authorizer', dependencies, options, invokeWith(handle), secretsOnly);
}

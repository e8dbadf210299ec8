/**
 * Secrets Manager, one client per container. Kept apart from ./dependencies.ts so that a function
 * that only reads secrets (the authorizer) bundles no database, queue or chain client.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerStore } from '../layers/shared/src/adapters/aws/secrets-manager-store.ts';
import { config } from '../layers/shared/src/config.ts';
import { SECRET_STORE_MAX_AGE_MS } from '../layers/shared/src/key-change-budget.ts';
import type { SecretStore } from '../layers/shared/src/ports/secret-store.ts';

let secrets: SecretStore | undefined;

export function secretStore(): SecretStore {
  if (secrets === undefined) {
    const endpoint = config().SECRETS_ENDPOINT;
    secrets = new SecretsManagerStore(
      new SecretsManagerClient({
        region: config().AWS_REGION,
        ...(endpoint === undefined
          ? {}
          : { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
      }),
      // The authorizer's keys are read through this store: their 60 s budget counts its cache.
      { maxAgeMs: SECRET_STORE_MAX_AGE_MS },
    );
  }
  return secrets;
}

/** Replaces the secret store (the local runtime keeps generated keys in memory); `undefined` drops it. */
export function useSecretStore(store: SecretStore | undefined): void {
  secrets = store;
}

/** The SecretStore port on AWS Secrets Manager: each secret read once per container, then cached. */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import type { SecretStore } from '../../ports/secret-store.ts';
import { parseSecret } from '../../secret-value.ts';

export class SecretsManagerStore implements SecretStore {
  readonly #cache = new Map<string, Promise<string>>();

  constructor(private readonly client: SecretsManagerClient = new SecretsManagerClient({})) {}

  getSecret(id: string): Promise<string> {
    let value = this.#cache.get(id);
    if (value === undefined) {
      value = this.client.send(new GetSecretValueCommand({ SecretId: id })).then((out) => {
        if (out.SecretString === undefined) throw new Error(`secret ${id} has no string value`);
        return out.SecretString;
      });
      // A failed read is not cached: the next invocation tries again.
      value.catch(() => this.#cache.delete(id));
      this.#cache.set(id, value);
    }
    return value;
  }
}

/** Secrets given in memory: the local runtime (anvil's dev key) and tests. */
export class StaticSecretStore implements SecretStore {
  constructor(private readonly secrets: Readonly<Record<string, string>>) {}

  async getSecret(id: string): Promise<string> {
    const value = this.secrets[id];
    if (value === undefined) throw new Error(`unknown secret ${id}`);
    return value;
  }
}

/** An EVM key secret is either the hex key or JSON `{ "privateKey": "0x..." }`. */
export function privateKeyFromSecret(secret: string): string {
  const trimmed = secret.trim();
  if (trimmed.startsWith('{')) {
    return parseSecret(trimmed, z.object({ privateKey: z.string().min(1) }), 'the EVM signer secret')
      .privateKey;
  }
  return trimmed;
}

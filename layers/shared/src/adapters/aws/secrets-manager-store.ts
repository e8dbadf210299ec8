/**
 * The SecretStore port on AWS Secrets Manager. A value read is kept for `maxAgeMs`, so a
 * container reads each secret at most that often however many callers ask, and a changed
 * secret is seen within that time (keys and tokens: DESIGN.md section 2). A failed read is not
 * kept.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import type { SecretStore } from '../../ports/secret-store.ts';
import { parseSecret } from '../../secret-value.ts';

export class SecretsManagerStore implements SecretStore {
  readonly #cache = new Map<string, { readonly at: number; readonly value: Promise<string> }>();

  constructor(
    private readonly client: SecretsManagerClient = new SecretsManagerClient({}),
    private readonly options: {
      /** How long a value read is given out again before the secret is read anew. @default 10 s */
      readonly maxAgeMs?: number;
      /** @default Date.now */
      readonly now?: () => number;
    } = {},
  ) {}

  getSecret(id: string): Promise<string> {
    const now = (this.options.now ?? Date.now)();
    const cached = this.#cache.get(id);
    if (cached !== undefined && now - cached.at < (this.options.maxAgeMs ?? 10_000)) {
      return cached.value;
    }
    const value = this.client.send(new GetSecretValueCommand({ SecretId: id })).then((out) => {
      if (out.SecretString === undefined) throw new Error(`secret ${id} has no string value`);
      return out.SecretString;
    });
    const entry = { at: now, value };
    // A failed read is not kept: the next caller reads again.
    value.catch(() => {
      if (this.#cache.get(id) === entry) this.#cache.delete(id);
    });
    this.#cache.set(id, entry);
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

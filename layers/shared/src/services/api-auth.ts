/**
 * Ingest API keys and admin tokens. Both live in Secrets Manager as JSON (`{"keys": [...]}`
 * or a bare array), are read once per cold start, compared in constant time on their SHA-256,
 * and never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { SecretStore } from '../ports/secret-store.ts';
import { parseSecretJson } from '../secret-value.ts';

export type Credential = 'ingest' | 'admin';

export class KeyRing {
  private digests: Promise<Buffer[]> | undefined;

  constructor(
    private readonly secrets: SecretStore,
    private readonly secretId: string,
  ) {}

  async accepts(presented: string | undefined): Promise<boolean> {
    if (presented === undefined || presented.length === 0 || presented.length > 512) return false;
    this.digests ??= this.load();
    const digest = sha256(presented);
    let match = false;
    for (const known of await this.digests) {
      // No early exit: every key is compared, so timing says nothing about which one matched.
      if (timingSafeEqual(known, digest)) match = true;
    }
    return match;
  }

  private async load(): Promise<Buffer[]> {
    const raw = parseSecretJson(await this.secrets.getSecret(this.secretId), `secret ${this.secretId}`);
    // Accepted shapes: ["k1", "k2"], {"keys": ["k1", "k2"]}, or {"primary": "k1", "rotating": "k2"}
    // (every string value is a key, so a key can be rotated by adding a name, then removing the old one).
    const keys = Array.isArray(raw)
      ? raw
      : typeof raw === 'object' && raw !== null && Array.isArray((raw as { keys?: unknown }).keys)
        ? ((raw as { keys: unknown[] }).keys as unknown[])
        : typeof raw === 'object' && raw !== null
          ? Object.values(raw)
          : undefined;
    if (keys === undefined)
      throw new Error(`secret ${this.secretId} must hold a JSON array or object of keys`);
    return keys.filter((k): k is string => typeof k === 'string' && k.length > 0).map(sha256);
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** The credential a request presents: `x-api-key`, or `Authorization: Bearer <token>`. */
export function presentedCredential(headers: Record<string, string | undefined>): string | undefined {
  let apiKey: string | undefined;
  let authorization: string | undefined;
  for (const [key, value] of Object.entries(headers)) {
    const lower = key.toLowerCase();
    if (lower === 'x-api-key') apiKey = value;
    else if (lower === 'authorization') authorization = value;
  }
  if (apiKey !== undefined && apiKey !== '') return apiKey;
  const match = authorization === undefined ? null : /^Bearer\s+(.+)$/i.exec(authorization);
  return match?.[1];
}

/**
 * Ingest API keys and admin tokens. Both live in Secrets Manager as JSON (`{"keys": [...]}`
 * or a bare array), compared in constant time on their SHA-256, and never logged.
 *
 * DESIGN.md section 2: a key or token removed from its secret stops working within 60 s
 * (../key-change-budget.ts says where the time goes), and a failed read is never cached.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { KEY_RING_MAX_AGE_MS } from '../key-change-budget.ts';
import { logger } from '../observability.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import { parseSecretJson } from '../secret-value.ts';

export type Credential = 'ingest' | 'admin';

/**
 * While the secret cannot be read, keys read this recently stay in force (a Secrets Manager
 * blip must not lock everyone out); older ones do not, so a removed key cannot live on for long.
 */
export const KEY_RING_STALE_IF_ERROR_MS = 5 * 60_000;
/** After a failed read, requests wait this long before the next read is tried. */
const RETRY_AFTER_FAILURE_MS = 2_000;

export interface KeyRingOptions {
  /** @default KEY_RING_MAX_AGE_MS */
  readonly maxAgeMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

interface LoadedKeys {
  readonly at: number;
  readonly digests: readonly Buffer[];
}

export class KeyRing {
  #loaded: LoadedKeys | undefined;
  #loading: Promise<LoadedKeys> | undefined;
  #failedAt: number | undefined;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(
    private readonly secrets: SecretStore,
    private readonly secretId: string,
    options: KeyRingOptions = {},
  ) {
    this.#maxAgeMs = options.maxAgeMs ?? KEY_RING_MAX_AGE_MS;
    this.#now = options.now ?? Date.now;
  }

  async accepts(presented: string | undefined): Promise<boolean> {
    if (presented === undefined || presented.length === 0 || presented.length > 512) return false;
    const digests = await this.#current();
    const digest = sha256(presented);
    let match = false;
    for (const known of digests) {
      // No early exit: every key is compared, so timing says nothing about which one matched.
      if (timingSafeEqual(known, digest)) match = true;
    }
    return match;
  }

  /** The keys to check against: fresh enough, read again, or (while reads fail) recent enough. */
  async #current(): Promise<readonly Buffer[]> {
    const now = this.#now();
    const loaded = this.#loaded;
    if (loaded !== undefined && now - loaded.at < this.#maxAgeMs) return loaded.digests;
    const usable = loaded !== undefined && now - loaded.at < KEY_RING_STALE_IF_ERROR_MS ? loaded : undefined;
    if (
      usable !== undefined &&
      this.#failedAt !== undefined &&
      now - this.#failedAt < RETRY_AFTER_FAILURE_MS
    ) {
      return usable.digests;
    }
    // One read at a time; a failed one is dropped, so the next request reads again.
    this.#loading ??= this.#load(now).finally(() => {
      this.#loading = undefined;
    });
    try {
      const fresh = await this.#loading;
      this.#loaded = fresh;
      this.#failedAt = undefined;
      return fresh.digests;
    } catch (error) {
      this.#failedAt = this.#now();
      if (usable === undefined) throw error;
      logger.warn('keys could not be read again; the keys read before stay in force', {
        secretId: this.secretId,
        readAt: new Date(usable.at).toISOString(),
        error: (error as Error).message,
      });
      return usable.digests;
    }
  }

  async #load(now: number): Promise<LoadedKeys> {
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
    return {
      at: now,
      digests: keys.filter((k): k is string => typeof k === 'string' && k.length > 0).map(sha256),
    };
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

/**
 * Ingest API keys and admin tokens. Both live in Secrets Manager as JSON, compared in constant
 * time on their SHA-256, and never logged. Each key has a name (its property in the secret's
 * object, `key-<position>` in an array): the authorizer hands the name on to the route, which
 * stores events with it and writes it into audit logs; the key itself goes nowhere.
 *
 * DESIGN.md section 2: a key or token removed from its secret stops working within 60 s
 * (../key-change-budget.ts says where the time goes), and a failed read is never cached.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { RESERVED_KEY_IDS } from '../../core/attention/signals.ts';
import { KEY_RING_MAX_AGE_MS } from '../../key-change-budget.ts';
import type { SecretStore } from '../../ports/secret-store.ts';
import type { Telemetry } from '../../ports/telemetry.ts';
import { parseSecretJson } from '../../secret-value.ts';

export type Credential = 'ingest' | 'admin';

/** What a key may be called: safe in a URL, a log line and the request context. */
export const CREDENTIAL_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * What the authorizer tells the route about an accepted request (API Gateway puts it in
 * `requestContext.authorizer.lambda`): which kind of credential, and its name, never the key.
 */
export interface CredentialContext {
  readonly credential: Credential;
  readonly credentialName: string;
}

/**
 * While the secret cannot be read, keys read this recently stay in force (a Secrets Manager
 * blip must not lock everyone out); older ones do not, so a removed key cannot live on for long.
 */
export const KEY_RING_STALE_IF_ERROR_MS = 5 * 60_000;
/** After a failed read, requests wait this long before the next read is tried. */
const RETRY_AFTER_FAILURE_MS = 2_000;

/** Where the keys are read, and who hears of a key ignored or of keys kept through a failed read. */
export interface KeyRingDeps {
  readonly secrets: SecretStore;
  readonly telemetry: Telemetry;
}

export interface KeyRingOptions {
  /** @default KEY_RING_MAX_AGE_MS */
  readonly maxAgeMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

interface NamedDigest {
  readonly name: string;
  readonly digest: Buffer;
}

interface LoadedKeys {
  readonly at: number;
  readonly digests: readonly NamedDigest[];
}

export class KeyRing {
  #loaded: LoadedKeys | undefined;
  #loading: Promise<LoadedKeys> | undefined;
  #failedAt: number | undefined;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  constructor(
    private readonly deps: KeyRingDeps,
    private readonly secretId: string,
    options: KeyRingOptions = {},
  ) {
    this.#maxAgeMs = options.maxAgeMs ?? KEY_RING_MAX_AGE_MS;
    this.#now = options.now ?? Date.now;
  }

  async accepts(presented: string | undefined): Promise<boolean> {
    return (await this.identify(presented)) !== undefined;
  }

  /** The name of the key `presented` is, or undefined when it is none of them. */
  async identify(presented: string | undefined): Promise<string | undefined> {
    if (presented === undefined || presented.length === 0 || presented.length > 512) return undefined;
    const digests = await this.#current();
    const digest = sha256(presented);
    let match: string | undefined;
    for (const known of digests) {
      // No early exit: every key is compared, so timing says nothing about which one matched.
      if (timingSafeEqual(known.digest, digest) && match === undefined) match = known.name;
    }
    return match;
  }

  /** The keys to check against: fresh enough, read again, or (while reads fail) recent enough. */
  async #current(): Promise<readonly NamedDigest[]> {
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
      this.deps.telemetry.warn('keys could not be read again; the keys read before stay in force', {
        secretId: this.secretId,
        readAt: new Date(usable.at).toISOString(),
        error: (error as Error).message,
      });
      return usable.digests;
    }
  }

  async #load(now: number): Promise<LoadedKeys> {
    const raw = parseSecretJson(await this.deps.secrets.getSecret(this.secretId), `secret ${this.secretId}`);
    // Accepted shapes: {"primary": "k1", "rotating": "k2"} (every string value is a key, named by
    // its property, so a key can be rotated by adding a name, then removing the old one), or
    // ["k1", "k2"] and {"keys": ["k1", "k2"]}, whose keys are named by position: key-0, key-1.
    const list = Array.isArray(raw)
      ? raw
      : typeof raw === 'object' && raw !== null && Array.isArray((raw as { keys?: unknown }).keys)
        ? ((raw as { keys: unknown[] }).keys as unknown[])
        : undefined;
    const entries =
      list !== undefined
        ? list.map((key, i) => [`key-${i}`, key] as const)
        : typeof raw === 'object' && raw !== null
          ? Object.entries(raw)
          : undefined;
    if (entries === undefined)
      throw new Error(`secret ${this.secretId} must hold a JSON array or object of keys`);
    const digests: NamedDigest[] = [];
    entries.forEach(([name, key], position) => {
      if (typeof key !== 'string' || key.length === 0) return;
      if (!CREDENTIAL_NAME.test(name) || RESERVED_KEY_IDS.has(name)) {
        // Only the position: a name that breaks the rules may be anything, even a pasted key.
        this.deps.telemetry.warn(
          'a key is ignored: its name must be 1–64 of A-Z, a-z, 0-9, _, . and -, not irc or unattributed',
          {
            secretId: this.secretId,
            position,
          },
        );
        return;
      }
      digests.push({ name, digest: sha256(key) });
    });
    return { at: now, digests };
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * The authorizer's decision for a route that needs `needs`: an ingest key comes in `x-api-key`,
 * an admin token as `Authorization: Bearer <token>`, and neither counts in the other's place.
 * Undefined when the request is refused.
 */
export async function authorize(
  rings: Readonly<Record<Credential, KeyRing>>,
  needs: Credential,
  headers: Readonly<Record<string, string | undefined>>,
): Promise<CredentialContext | undefined> {
  const wanted = needs === 'ingest' ? 'x-api-key' : 'authorization';
  const presented = presentedCredential(
    Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() === wanted)),
  );
  const credentialName = await rings[needs].identify(presented);
  return credentialName === undefined ? undefined : { credential: needs, credentialName };
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

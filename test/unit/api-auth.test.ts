import { describe, expect, it } from 'vitest';
import { StaticSecretStore } from '../../layers/shared/src/adapters/aws/secrets-manager-store.ts';
import {
  AUTHORIZER_CACHE_SECONDS,
  KEY_CHANGE_DEADLINE_SECONDS,
  KEY_RING_MAX_AGE_MS,
  SECRET_STORE_MAX_AGE_MS,
} from '../../layers/shared/src/key-change-budget.ts';
import type { SecretStore } from '../../layers/shared/src/ports/secret-store.ts';
import {
  SILENT_TELEMETRY,
  type Telemetry,
  type TelemetryFields,
} from '../../layers/shared/src/ports/telemetry.ts';
import {
  authorize,
  KEY_RING_STALE_IF_ERROR_MS,
  KeyRing,
  presentedCredential,
} from '../../layers/shared/src/services/platform/api-auth.ts';

/** A key ring's dependencies: `secrets`, and telemetry nobody reads unless the test gives its own. */
const ringDeps = (secrets: SecretStore, telemetry: Telemetry = SILENT_TELEMETRY) => ({ secrets, telemetry });

/** Telemetry that keeps the warnings it is given. */
function warnings(): Telemetry & {
  readonly warned: { message: string; fields: TelemetryFields | undefined }[];
} {
  const warned: { message: string; fields: TelemetryFields | undefined }[] = [];
  return { ...SILENT_TELEMETRY, warn: (message, fields) => warned.push({ message, fields }), warned };
}

describe('KeyRing', () => {
  it.each([
    ['an array', JSON.stringify(['key-one', 'key-two'])],
    ['{"keys": [...]}', JSON.stringify({ keys: ['key-one', 'key-two'] })],
    ['named keys', JSON.stringify({ primary: 'key-one', rotating: 'key-two' })],
  ])('accepts every key of a secret holding %s and nothing else', async (_shape, secret) => {
    const ring = new KeyRing(ringDeps(new StaticSecretStore({ keys: secret })), 'keys');
    expect(await ring.accepts('key-one')).toBe(true);
    expect(await ring.accepts('key-two')).toBe(true);
    expect(await ring.accepts('key-three')).toBe(false);
    expect(await ring.accepts('')).toBe(false);
    expect(await ring.accepts(undefined)).toBe(false);
  });
});

describe('presentedCredential', () => {
  it('reads x-api-key or a bearer token, in any header case', () => {
    expect(presentedCredential({ 'X-Api-Key': 'abc' })).toBe('abc');
    expect(presentedCredential({ authorization: 'Bearer tok-1' })).toBe('tok-1');
    expect(presentedCredential({ Authorization: 'Basic xyz' })).toBeUndefined();
    expect(presentedCredential({})).toBeUndefined();
  });
});

describe('KeyRing reloading', () => {
  /** A secret store whose value the test changes, and which fails while `down`. */
  class ChangingStore {
    reads = 0;
    down = false;
    constructor(public value: string) {}
    async getSecret(): Promise<string> {
      this.reads++;
      if (this.down) throw new Error('Secrets Manager unavailable');
      return this.value;
    }
  }

  it('reads the secret again once its keys are older than maxAgeMs, and not before', async () => {
    let now = 0;
    const store = new ChangingStore(JSON.stringify({ primary: 'key-one', old: 'key-two' }));
    const ring = new KeyRing(ringDeps(store), 'keys', { maxAgeMs: 20_000, now: () => now });
    expect(await ring.accepts('key-two')).toBe(true);
    store.value = JSON.stringify({ primary: 'key-one' });
    now = 19_999;
    expect(await ring.accepts('key-two')).toBe(true);
    expect(store.reads).toBe(1);
    now = 20_000;
    expect(await ring.accepts('key-two')).toBe(false);
    expect(await ring.accepts('key-one')).toBe(true);
    expect(store.reads).toBe(2);
  });

  it('keeps recent keys while the secret cannot be read, and retries the read', async () => {
    let now = 0;
    const store = new ChangingStore(JSON.stringify({ primary: 'key-one' }));
    const telemetry = warnings();
    const ring = new KeyRing(ringDeps(store, telemetry), 'keys', { maxAgeMs: 20_000, now: () => now });
    expect(await ring.accepts('key-one')).toBe(true);
    store.down = true;
    now = 30_000;
    expect(await ring.accepts('key-one')).toBe(true);
    expect(telemetry.warned).toEqual([
      {
        message: 'keys could not be read again; the keys read before stay in force',
        fields: {
          secretId: 'keys',
          readAt: new Date(0).toISOString(),
          error: 'Secrets Manager unavailable',
        },
      },
    ]);
    // Within the pause after a failure, no read is tried.
    now = 31_000;
    expect(await ring.accepts('key-one')).toBe(true);
    expect(store.reads).toBe(2);
    store.down = false;
    store.value = JSON.stringify({ primary: 'key-three' });
    now = 33_000;
    expect(await ring.accepts('key-one')).toBe(false);
    expect(await ring.accepts('key-three')).toBe(true);
  });

  it('fails closed once the keys it has are too old to trust, and recovers on the next good read', async () => {
    let now = 0;
    const store = new ChangingStore(JSON.stringify({ primary: 'key-one' }));
    const ring = new KeyRing(ringDeps(store), 'keys', { now: () => now });
    expect(await ring.accepts('key-one')).toBe(true);
    store.down = true;
    now = KEY_RING_STALE_IF_ERROR_MS;
    await expect(ring.accepts('key-one')).rejects.toThrow('Secrets Manager unavailable');
    store.down = false;
    now += 5_000;
    expect(await ring.accepts('key-one')).toBe(true);
  });

  it('spends no more than the 60 s deadline in the gateway, key ring and secret store caches', () => {
    expect(
      AUTHORIZER_CACHE_SECONDS * 1000 + KEY_RING_MAX_AGE_MS + SECRET_STORE_MAX_AGE_MS,
    ).toBeLessThanOrEqual(KEY_CHANGE_DEADLINE_SECONDS * 1000);
  });
});

describe('key names', () => {
  it('names each key by its property, or by its position in an array', async () => {
    const named = new KeyRing(
      ringDeps(new StaticSecretStore({ keys: JSON.stringify({ 'partner-a': 'k1', 'b.2': 'k2' }) })),
      'keys',
    );
    expect(await named.identify('k1')).toBe('partner-a');
    expect(await named.identify('k2')).toBe('b.2');
    expect(await named.identify('k3')).toBeUndefined();
    const listed = new KeyRing(
      ringDeps(new StaticSecretStore({ keys: JSON.stringify({ keys: ['k1', 'k2'] }) })),
      'keys',
    );
    expect(await listed.identify('k2')).toBe('key-1');
  });

  it('ignores a key whose name breaks the rules or is taken by the IRC worker or unattributed events', async () => {
    const telemetry = warnings();
    const ring = new KeyRing(
      ringDeps(
        new StaticSecretStore({
          keys: JSON.stringify({
            'has space': 'k1',
            irc: 'k2',
            unattributed: 'k3',
            ['x'.repeat(65)]: 'k4',
            ok: 'k5',
          }),
        }),
        telemetry,
      ),
      'keys',
    );
    for (const key of ['k1', 'k2', 'k3', 'k4']) expect(await ring.identify(key)).toBeUndefined();
    expect(await ring.identify('k5')).toBe('ok');
    // Each ignored key is reported by its position only: neither its name nor the key goes out.
    expect(telemetry.warned.map((w) => w.fields)).toEqual(
      [0, 1, 2, 3].map((position) => ({ secretId: 'keys', position })),
    );
    expect(telemetry.warned.every((w) => w.message.startsWith('a key is ignored'))).toBe(true);
  });

  it('authorizes an ingest key only from x-api-key and an admin token only as a bearer token', async () => {
    const rings = {
      ingest: new KeyRing(
        ringDeps(new StaticSecretStore({ i: JSON.stringify({ partner: 'ingest-1' }) })),
        'i',
      ),
      admin: new KeyRing(ringDeps(new StaticSecretStore({ a: JSON.stringify({ oncall: 'admin-1' }) })), 'a'),
    };
    expect(await authorize(rings, 'ingest', { 'X-Api-Key': 'ingest-1' })).toEqual({
      credential: 'ingest',
      credentialName: 'partner',
    });
    expect(await authorize(rings, 'ingest', { authorization: 'Bearer ingest-1' })).toBeUndefined();
    expect(await authorize(rings, 'admin', { Authorization: 'Bearer admin-1' })).toEqual({
      credential: 'admin',
      credentialName: 'oncall',
    });
    expect(await authorize(rings, 'admin', { 'x-api-key': 'admin-1' })).toBeUndefined();
  });
});

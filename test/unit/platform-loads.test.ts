/**
 * The platform's own lazily opened clients (functions/platform.ts): the database pool and the
 * Twitch client load on first use through `loadOnce`, so a failed load is tried again rather than
 * kept, and closing the platform closes the pool it opened once, never a database it was given.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createPlatform } from '../../functions/platform.ts';
import type { DbHandle } from '../../layers/shared/src/adapters/db/client.ts';
import { loadConfig } from '../../layers/shared/src/config.ts';
import type { SecretStore } from '../../layers/shared/src/ports/secret-store.ts';

const pools = vi.hoisted(() => ({ opened: 0, closed: 0, failures: 0 }));

vi.mock('../../layers/shared/src/adapters/db/database-access.ts', () => ({
  openDatabase: async () => {
    pools.opened += 1;
    if (pools.failures > 0) {
      pools.failures -= 1;
      throw new Error('the database is unreachable');
    }
    return {
      sql: {},
      close: async () => {
        pools.closed += 1;
      },
    } as unknown as DbHandle;
  },
}));

const config = loadConfig({
  DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
  TWITCH_SECRET_ARN: 'twitch',
});

beforeEach(() => {
  Object.assign(pools, { opened: 0, closed: 0, failures: 0 });
});

describe('database()', () => {
  it('tries a failed open again on the next call, then shares the pool', async () => {
    pools.failures = 1;
    const platform = createPlatform(config);
    await expect(platform.database()).rejects.toThrow('the database is unreachable');
    const [a, b] = await Promise.all([platform.database(), platform.database()]);
    expect(a).toBe(b);
    expect(await platform.database()).toBe(a);
    expect(pools.opened).toBe(2);
  });

  it('close() after a load closes the pool once, and a later call opens a new one', async () => {
    const platform = createPlatform(config);
    const first = await platform.database();
    await platform.close();
    await platform.close();
    expect(pools.closed).toBe(1);
    expect(await platform.database()).not.toBe(first);
    expect(pools.opened).toBe(2);
  });

  it('close() before any load, or after a failed one, closes nothing', async () => {
    const platform = createPlatform(config);
    await platform.close();
    pools.failures = 1;
    await expect(platform.database()).rejects.toThrow();
    await platform.close();
    expect(pools.closed).toBe(0);
  });

  it('a given database is answered as it is, and never closed by the platform', async () => {
    const given = { sql: {}, close: vi.fn(async () => {}) } as unknown as DbHandle;
    const platform = createPlatform(config, { database: given });
    expect(await platform.database()).toBe(given);
    await platform.close();
    expect(given.close).not.toHaveBeenCalled();
    expect(await platform.database()).toBe(given);
    expect(pools.opened).toBe(0);
  });
});

describe('twitchHelix()', () => {
  it('reads the app credentials again after a failed read, then keeps the client', async () => {
    let reads = 0;
    const secrets: SecretStore = {
      getSecret: async () => {
        reads += 1;
        if (reads === 1) throw new Error('Secrets Manager is unreachable');
        return JSON.stringify({ clientId: 'id', clientSecret: 'secret' });
      },
    };
    const platform = createPlatform(config, { secrets });
    await expect(platform.twitchHelix('required')).rejects.toThrow('Secrets Manager is unreachable');
    const client = await platform.twitchHelix('required');
    expect(await platform.twitchHelix('optional')).toBe(client);
    expect(reads).toBe(2);
  });

  it('refuses to build an app client without TWITCH_SECRET_ARN, and reads nothing', async () => {
    const getSecret = vi.fn(async () => '{}');
    const platform = createPlatform(loadConfig({}), { secrets: { getSecret } });
    await expect(platform.twitchHelix('required')).rejects.toThrow('TWITCH_SECRET_ARN is not set');
    expect(getSecret).not.toHaveBeenCalled();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../functions/platform.ts';
import { epochOfMs } from '../../layers/shared/src/core/attention/signals.ts';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import { writeIngestBatch } from '../../layers/shared/src/services/attention/ingest-writer.ts';
import { bindWalletDirect } from '../../layers/shared/src/services/attention/wallet-binding.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { RecordingBus } from '../fixtures/event-bus.ts';
import { makeEvent } from '../fixtures/events.ts';
import { platformFromEnv } from '../fixtures/platform.ts';
import { makeWallet } from '../fixtures/wallet-binding-client.ts';

let t: TestDatabase;
let handler: (event: unknown) => Promise<{
  epochs: { epoch: number; seal: { sealed: unknown[] } }[];
  failed: unknown[];
  announced: number;
  rebindingsAnnounced: number;
}>;

let platform: Platform;

/** The bus the handler announces on. */
const bus = new RecordingBus();

beforeAll(async () => {
  t = await createTestDatabase();
  Object.assign(process.env, { ORACLE_MODE: 'local', DATABASE_URL: t.url, LOG_LEVEL: 'SILENT' });
  platform = platformFromEnv({ eventBus: bus });
  handler = (await import('../../functions/scheduled/seal/index.ts')).handler.on(platform);
});

afterAll(async () => {
  await platform.close();
  await t.close();
});

describe('scheduled sealing', () => {
  it('seals every due epoch and leaves the open one, then finds nothing left to do', async () => {
    const nowMs = Date.now();
    const twoHoursAgo = nowMs - 2 * 3_600_000;
    await writeIngestBatch(
      t.sql,
      [makeEvent({ user: 'alice_1', ts: twoHoursAgo }), makeEvent({ user: 'bob_2', ts: nowMs })],
      new Date(twoHoursAgo),
    );
    const first = await handler({});
    expect(first.epochs.map((e) => e.epoch)).toEqual([epochOfMs(twoHoursAgo)]);
    expect(first.epochs[0]?.seal.sealed).toHaveLength(1);
    expect(first.announced).toBe(1);
    expect(bus.events).toMatchObject([
      { type: 'EpochSealed', epoch: epochOfMs(twoHoursAgo), channels: 1, participants: 1 },
    ]);
    expect(await handler({})).toEqual({ epochs: [], failed: [], announced: 0, rebindingsAnnounced: 0 });
    expect(bus.events).toHaveLength(1);
  });

  it('seals even while the bus is down, and announces on the next run', async () => {
    bus.events.length = 0;
    const epochMs = Date.now() - 5 * 3_600_000;
    await writeIngestBatch(t.sql, [makeEvent({ user: 'carol_3', ts: epochMs })], new Date(epochMs));
    bus.down = true;
    const sealed = await handler({});
    expect(sealed.epochs.map((e) => e.epoch)).toEqual([epochOfMs(epochMs)]);
    expect(sealed.announced).toBe(0);
    bus.down = false;
    expect((await handler({})).announced).toBe(1);
    expect(bus.events).toMatchObject([{ type: 'EpochSealed', epoch: epochOfMs(epochMs) }]);
  });

  it('announces the wallet rebindings no binding request could announce', async () => {
    bus.events.length = 0;
    const before = makeWallet();
    const after = makeWallet();
    await bindWalletDirect(t.sql, 'dave_4', before.address, new Date(Date.now() - 60_000));
    // Ended while nothing announced it (the bind route's bus was down).
    await bindWalletDirect(t.sql, 'dave_4', after.address, new Date());
    expect((await handler({})).rebindingsAnnounced).toBe(1);
    expect(bus.ofType('WalletRebound')).toEqual([
      expect.objectContaining({
        userHash: userHash('dave_4'),
        previousWallet: before.address,
        wallet: after.address,
      }),
    ]);
    expect((await handler({})).rebindingsAnnounced).toBe(0);
  });

  it('refuses an epoch that is not a number', async () => {
    await expect(handler({ epoch: 'today' })).rejects.toThrow(/epoch must be a number/);
  });
});

/**
 * The recovery dashboard's daily snapshot (issue 18, item 5; attention-oracle.md): carried
 * balances, what binding recovered of them, mapping and binding coverage, and the overflow past the
 * shard cap, on a day built through the real sealing and tree building, taken as the 01:00 UTC
 * schedule takes it, through the function and as the function's database role.
 */
import { randomBytes } from 'node:crypto';
import bs58 from 'bs58';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoveryWindow } from '../../layers/shared/src/core/attention/recovery-day.ts';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import { METRIC } from '../../layers/shared/src/metric-names.ts';
import { SILENT_TELEMETRY } from '../../layers/shared/src/ports/telemetry.ts';
import { writeIngestBatch } from '../../layers/shared/src/services/attention/ingest-writer.ts';
import {
  listRecoverySnapshots,
  takeRecoverySnapshot,
} from '../../layers/shared/src/services/attention/recovery-snapshot.ts';
import { finalizeEpoch } from '../../layers/shared/src/services/attention/sealing.ts';
import { bindWalletDirect } from '../../layers/shared/src/services/attention/wallet-binding.ts';
import { testAttentionSettings } from '../fixtures/attention-settings.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { BASE_EPOCH_MS, HOUR_MS, makeEvent } from '../fixtures/events.ts';
import { connectAsFunction, type FunctionConnection } from '../fixtures/function-database.ts';
import { platformFromEnv } from '../fixtures/platform.ts';
import { recordingTelemetry } from '../fixtures/telemetry.ts';

// 2026-01-01, 10:00 and 11:00 UTC.
const DAY = '2026-01-01';
const E1 = BASE_EPOCH_MS / 1000;
const E2 = E1 + 3600;
/** Each epoch sealed and built at 5 minutes past the next hour, as the hourly schedule does. */
const sealedAt = (epoch: number) => new Date((epoch + 3600 + 300) * 1000);
// Two places a channel: one tree of two leaves, and no second shard.
const settings = testAttentionSettings({ capacity: 2, maxShards: { OTHER: 1 }, baseUnitsPerWeight: 1000n });
const wallet = () => bs58.encode(randomBytes(32));

let t: TestDatabase;
let role: FunctionConnection;

beforeAll(async () => {
  t = await createTestDatabase();
  role = await connectAsFunction(t, 'RecoverySnapshot');
  // Epoch 1 in one channel, in sealing order: a viewer bound beforehand (a leaf), one not yet
  // bound (carried), and two beyond the channel's two places (overflow, one with 100 bits).
  await bindWalletDirect(t.sql, 'rec_bound', wallet(), new Date(BASE_EPOCH_MS - HOUR_MS));
  await writeIngestBatch(
    t.sql,
    [
      makeEvent({ user: 'rec_bound', ts: BASE_EPOCH_MS + 1000 }),
      makeEvent({ user: 'rec_later', ts: BASE_EPOCH_MS + 2000 }),
      makeEvent({ user: 'rec_over_a', ts: BASE_EPOCH_MS + 3000 }),
      makeEvent({ user: 'rec_over_b', ts: BASE_EPOCH_MS + 4000 }),
      makeEvent({ user: 'rec_over_b', kind: 'bits', amount: 100, ts: BASE_EPOCH_MS + 5000 }),
    ],
    new Date(BASE_EPOCH_MS + 30 * 60_000),
  );
  await finalizeEpoch({ telemetry: SILENT_TELEMETRY, sql: t.sql, settings }, E1, sealedAt(E1));
  // rec_later binds during epoch 2, whose carry tree then pays what epoch 1 carried for them; a
  // newcomer of epoch 2 is not bound and is carried in turn.
  await bindWalletDirect(t.sql, 'rec_later', wallet(), new Date(BASE_EPOCH_MS + HOUR_MS + 60_000));
  await writeIngestBatch(
    t.sql,
    [makeEvent({ user: 'rec_new', ts: BASE_EPOCH_MS + HOUR_MS + 1000 })],
    new Date(BASE_EPOCH_MS + HOUR_MS + 30 * 60_000),
  );
  await finalizeEpoch({ telemetry: SILENT_TELEMETRY, sql: t.sql, settings }, E2, sealedAt(E2));
  // The ledger dates its movements by the database clock: put them when the hourly runs made them.
  for (const epoch of [E1, E2]) {
    await t.sql`update attention.carry_ledger set created_at = ${sealedAt(epoch).toISOString()}::timestamptz
      where source_key like ${`seal:${epoch}:%`} or source_key like ${`carry:${epoch}:%`}`;
  }
  // One participant's mapping lost (the source's 421,757 orphaned records).
  await t.sql`delete from attention.user_mapping where user_hash = ${userHash('rec_over_a')}`;
});

afterAll(async () => {
  await role?.close();
  await t?.close();
});

const at = (iso: string) => new Date(iso);

describe('the recovery snapshot', () => {
  it('counts carried balances, recovery by binding, coverage and overflow of the day', async () => {
    const recorder = recordingTelemetry();
    const snapshot = await takeRecoverySnapshot(
      role.sql,
      recoveryWindow(DAY, at('2026-01-02T01:00:00Z')),
      recorder.telemetry,
    );

    expect(snapshot).toMatchObject({
      day: DAY,
      asOf: '2026-01-02T01:00:00.000Z',
      complete: true,
      // rec_new's presence (1000 base units in the channel tree, 10 in the category tree) waits;
      // rec_later's, as much, was paid by epoch 2's carry tree.
      carried: { viewers: 1, amount: '1010' },
      recovered: { viewers: 1, amount: '1010', orphanedViewers: 2, returnedViewers: 1, rate: 50 },
      // Five viewers sealed; four mapped; rec_bound and rec_later bound by the end of the day.
      coverage: { participants: 5, mapped: 4, bound: 2, mapping: 80, binding: 40 },
      // rec_over_a (1000) and rec_over_b (1000 + 100 bits = 2000) beyond the two places.
      overflow: {
        sealedParticipations: 5,
        sealedAmount: '6000',
        participations: 2,
        amount: '3000',
        participationShare: 40,
        amountShare: 50,
      },
    });
    // The dashboard's and the alarms' metrics, by the names lib/stacks/monitoring-stack.ts reads.
    expect(recorder.metrics).toEqual([
      { name: METRIC.recoveryCarriedViewers, unit: 'Count', value: 1 },
      { name: METRIC.recoveryCarriedAmount, unit: 'Count', value: 1010 },
      { name: METRIC.recoveredViewers, unit: 'Count', value: 1 },
      { name: METRIC.recoveredAmount, unit: 'Count', value: 1010 },
      { name: METRIC.recoveryRate, unit: 'Percent', value: 50 },
      { name: METRIC.dailyMappingCoverage, unit: 'Percent', value: 80 },
      { name: METRIC.dailyBindingCoverage, unit: 'Percent', value: 40 },
      { name: METRIC.dailyOverflowShare, unit: 'Percent', value: 40 },
      { name: METRIC.dailyOverflowAmount, unit: 'Count', value: 3000 },
    ]);
  });

  it('taken again for the same day, replaces its row with the same numbers', async () => {
    const close = at('2026-01-02T01:00:00Z');
    const first = await takeRecoverySnapshot(role.sql, recoveryWindow(DAY, close), SILENT_TELEMETRY);
    const again = await takeRecoverySnapshot(
      role.sql,
      recoveryWindow(DAY, at('2026-01-05T12:00:00Z')),
      SILENT_TELEMETRY,
    );
    const { takenAt: _first, ...numbers } = first;
    const { takenAt: _again, ...numbersAgain } = again;
    expect(numbersAgain).toEqual(numbers);
    const rows = await t.sql`select 1 from attention.recovery_snapshots where day = ${DAY}`;
    expect(rows).toHaveLength(1);
  });

  it('counts what happened by its time while the day is open, and the day before stays apart', async () => {
    // At 11:30, epoch 1's trees (built 11:05) are in and epoch 2's are not: nothing recovered yet.
    const open = await takeRecoverySnapshot(
      role.sql,
      recoveryWindow(DAY, at('2026-01-01T11:30:00Z')),
      SILENT_TELEMETRY,
    );
    expect(open).toMatchObject({
      complete: false,
      carried: { viewers: 1, amount: '1010' },
      recovered: { viewers: 0, amount: '0', orphanedViewers: 1, returnedViewers: 0, rate: 0 },
    });
    const before = await takeRecoverySnapshot(
      role.sql,
      recoveryWindow('2025-12-31', at('2026-01-02T01:00:00Z')),
      SILENT_TELEMETRY,
    );
    expect(before).toMatchObject({
      carried: { viewers: 0, amount: '0' },
      recovered: { viewers: 0, amount: '0', rate: null },
      coverage: { participants: 0, mapping: null, binding: null },
      overflow: { sealedParticipations: 0, participationShare: null },
    });
    // Taken again once the day is over, the open row is replaced by the whole day's.
    await takeRecoverySnapshot(role.sql, recoveryWindow(DAY, at('2026-01-02T01:00:00Z')), SILENT_TELEMETRY);
    const listed = await listRecoverySnapshots(t.sql, { from: '2025-12-01', to: '2026-01-31' });
    expect(listed.map((s) => [s.day, s.complete, s.recovered.amount])).toEqual([
      [DAY, true, '1010'],
      ['2025-12-31', true, '0'],
    ]);
  });

  it('is read by the admin route as a reader that cannot change a snapshot', async () => {
    const reader = await connectAsFunction(t, 'RecoveryApi');
    try {
      expect(await listRecoverySnapshots(reader.sql, { from: DAY, to: DAY })).toHaveLength(1);
      await expect(
        reader.sql`update attention.recovery_snapshots set carried_viewers = 0`,
      ).rejects.toMatchObject({
        code: '42501',
      });
    } finally {
      await reader.close();
    }
  });

  it('the 01:00 UTC function takes the day asked for and refuses a day that is not a date', async () => {
    Object.assign(process.env, { ORACLE_MODE: 'local', LOG_LEVEL: 'SILENT', DATABASE_URL: t.url });
    const platform = platformFromEnv();
    const handler = (await import('../../functions/scheduled/recovery-snapshot/index.ts')).handler.on(
      platform,
    );
    await expect(handler({ day: DAY })).resolves.toMatchObject({
      day: DAY,
      complete: true,
      recovered: { viewers: 1, amount: '1010' },
    });
    await expect(handler({ day: '2026-02-30' })).rejects.toThrow(/calendar date as YYYY-MM-DD/);
    await expect(handler({ day: 20260101 })).rejects.toThrow(/must be a string/);
    await platform.close();
  });
});

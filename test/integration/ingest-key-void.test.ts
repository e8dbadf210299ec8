import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import { ValidationError } from '../../layers/shared/src/errors.ts';
import { SILENT_TELEMETRY } from '../../layers/shared/src/ports/telemetry.ts';
import { voidIngestKey } from '../../layers/shared/src/services/attention/ingest-key-void.ts';
import { writeIngestBatch } from '../../layers/shared/src/services/attention/ingest-writer.ts';
import { sealEpoch } from '../../layers/shared/src/services/attention/sealing.ts';
import { testAttentionSettings } from '../fixtures/attention-settings.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { BASE_EPOCH_MS, makeEvent } from '../fixtures/events.ts';

const EPOCH = BASE_EPOCH_MS / 1000;
const NEXT = EPOCH + 3600;
const at = (epoch: number, minute: number) => epoch * 1000 + minute * 60_000;

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.sql`truncate attention.raw_events, attention.channel_participation, attention.user_mapping,
    attention.sealed_epochs, attention.sealed_participants`;
});

async function participation(epoch: number, user: string) {
  const [row] = await t.sql<
    { weight: string; presence: number; subs: number; bits: string; raiders: string; first_seen: string }[]
  >`
    select weight::text, presence, subs, bits::text, raiders::text,
      to_char(first_seen at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') as first_seen from attention.channel_participation
    where epoch = ${epoch} and channel = 'somechannel' and user_hash = ${userHash(user)}`;
  return row;
}

describe('voiding an ingest key', () => {
  it("takes the key's part out of each viewer's participation and restores the first event left", async () => {
    await writeIngestBatch(
      t.sql,
      [
        makeEvent({ user: 'mixed_fan', kind: 'raid', amount: 500, ts: at(EPOCH, 1), keyId: 'leaked' }),
        makeEvent({ user: 'mixed_fan', kind: 'bits', amount: 40, ts: at(EPOCH, 2), keyId: 'leaked' }),
        makeEvent({ user: 'mixed_fan', kind: 'sub', ts: at(EPOCH, 7), keyId: 'partner' }),
        makeEvent({ user: 'mixed_fan', kind: 'presence', ts: at(EPOCH, 9), keyId: 'irc' }),
        makeEvent({ user: 'only_leaked', kind: 'bits', amount: 900, ts: at(EPOCH, 3), keyId: 'leaked' }),
      ],
      new Date(at(EPOCH, 30)),
    );
    expect(await participation(EPOCH, 'mixed_fan')).toMatchObject({ weight: String(100 + 5000 + 40 + 1000) });

    const result = await voidIngestKey(t.sql, 'leaked', 'oncall');

    expect(result).toEqual({
      keyId: 'leaked',
      epochChannels: 1,
      eventsRemoved: 3,
      participationRowsDeleted: 1,
      participationRowsRecomputed: 1,
      eventsLeftInSealedEpochs: 0,
    });
    // What the partner's sub and the IRC worker's presence alone would have written.
    expect(await participation(EPOCH, 'mixed_fan')).toEqual({
      weight: '1100',
      presence: 1,
      subs: 1,
      bits: '0',
      raiders: '0',
      first_seen: new Date(at(EPOCH, 7)).toISOString().slice(0, 19),
    });
    expect(await participation(EPOCH, 'only_leaked')).toBeUndefined();
    const left = await t.sql`select key_id from attention.raw_events order by key_id`;
    expect(left).toEqual([{ key_id: 'irc' }, { key_id: 'partner' }]);
  });

  it('leaves sealed epochs as they were sealed and counts what it left there; voiding again changes nothing', async () => {
    await writeIngestBatch(
      t.sql,
      [
        makeEvent({ user: 'early_fan', kind: 'bits', amount: 70, ts: at(EPOCH, 5), keyId: 'leaked' }),
        makeEvent({ user: 'late_fan', kind: 'bits', amount: 80, ts: at(NEXT, 5), keyId: 'leaked' }),
      ],
      new Date(at(NEXT, 10)),
    );
    await sealEpoch(
      { telemetry: SILENT_TELEMETRY, sql: t.sql, settings: testAttentionSettings() },
      EPOCH,
      new Date(at(NEXT, 10)),
    );
    const sealedBefore = await t.sql`select user_hash, weight from attention.sealed_participants`;

    expect(await voidIngestKey(t.sql, 'leaked', 'oncall')).toMatchObject({
      epochChannels: 1,
      eventsRemoved: 1,
      participationRowsDeleted: 1,
      eventsLeftInSealedEpochs: 1,
    });
    expect(await t.sql`select user_hash, weight from attention.sealed_participants`).toEqual(sealedBefore);
    expect(await participation(EPOCH, 'early_fan')).toMatchObject({ bits: '70' });
    expect(await participation(NEXT, 'late_fan')).toBeUndefined();
    expect(await voidIngestKey(t.sql, 'leaked', 'oncall')).toMatchObject({
      eventsRemoved: 0,
      eventsLeftInSealedEpochs: 1,
    });
  });

  it("refuses the IRC worker's key and the unattributed events", async () => {
    await expect(voidIngestKey(t.sql, 'irc', 'oncall')).rejects.toThrow(ValidationError);
    await expect(voidIngestKey(t.sql, 'unattributed', 'oncall')).rejects.toThrow(ValidationError);
  });

  it("finds a key's events through its partial index, not a read of every event", async () => {
    const plan = await t.sql.begin(async (tx) => {
      await tx`set local enable_seqscan = off`;
      return tx.unsafe(
        `explain select distinct epoch, channel from attention.raw_events
         where key_id = $1 and key_id not in ('irc', 'unattributed')`,
        ['leaked'],
      );
    });
    expect(plan.map((r) => Object.values(r)[0]).join('\n')).toContain('raw_events_key_idx');
  });
});

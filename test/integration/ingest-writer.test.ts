import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KeyedEvent } from '../../layers/shared/src/core/attention/signals.ts';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import { writeIngestBatch } from '../../layers/shared/src/services/attention/ingest-writer.ts';
import { suppressUser } from '../../layers/shared/src/services/attention/suppression.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { BASE_EPOCH_MS, HOUR_MS, makeEvent } from '../fixtures/events.ts';

const EPOCH = BASE_EPOCH_MS / 1000;
const NOW = new Date(BASE_EPOCH_MS + 30 * 60_000);

describe('ingest writer', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.sql`truncate attention.raw_events, attention.channel_participation, attention.user_mapping, attention.suppression_list, attention.sealed_epochs`;
  });

  async function participation(user: string) {
    return t.sql<
      {
        epoch: string;
        weight: string;
        presence: number;
        subs: number;
        gifts: string;
        bits: string;
        first_seen: string;
      }[]
    >`
      select epoch::text, weight::text, presence, subs, gifts::text, bits::text, first_seen
      from attention.channel_participation where user_hash = ${userHash(user)} order by epoch`;
  }

  it('weighs presence once per epoch and adds paid signals in hundredths', async () => {
    await writeIngestBatch(
      t.sql,
      [
        makeEvent({ user: 'alice_1', kind: 'presence' }),
        makeEvent({ user: 'alice_1', kind: 'presence' }),
        makeEvent({ user: 'alice_1', kind: 'sub' }),
        makeEvent({ user: 'alice_1', kind: 'bits', amount: 250 }),
        makeEvent({ user: 'alice_1', kind: 'gift', amount: 3 }),
      ],
      NOW,
    );
    const [row] = await participation('alice_1');
    // presence 100 (once) + sub 1000 + 250 bits × 1 + 3 gifts × 500
    expect(row).toMatchObject({ weight: '2850', presence: 2, subs: 1, gifts: '3', bits: '250' });
  });

  it('stores each event with the key that sent it, and a re-delivery under another key changes nothing', async () => {
    const fromPartner = makeEvent({ id: 'evt-partner', user: 'alice_1', kind: 'sub', keyId: 'partner' });
    await writeIngestBatch(t.sql, [fromPartner, makeEvent({ id: 'evt-irc', user: 'bob_2' })], NOW);
    await writeIngestBatch(t.sql, [{ ...fromPartner, keyId: 'other' }], NOW);
    const rows = await t.sql`select event_id, key_id from attention.raw_events order by event_id`;
    expect(rows).toEqual([
      { event_id: 'evt-irc', key_id: 'irc' },
      { event_id: 'evt-partner', key_id: 'partner' },
    ]);
  });

  it('writes the username mapping with every participation row', async () => {
    await writeIngestBatch(t.sql, [makeEvent({ user: 'bob_the_viewer', kind: 'raid', amount: 40 })], NOW);
    const mapping =
      await t.sql`select username from attention.user_mapping where user_hash = ${userHash('bob_the_viewer')}`;
    expect(mapping).toEqual([{ username: 'bob_the_viewer' }]);
    const [row] = await participation('bob_the_viewer');
    expect(row?.weight).toBe('500'); // presence 100 + 40 raiders × 10
  });

  it('changes nothing when the same batch is delivered again', async () => {
    const batch = [
      makeEvent({ user: 'carol_x', kind: 'sub' }),
      makeEvent({ user: 'carol_x', kind: 'bits', amount: 5 }),
    ];
    const first = await writeIngestBatch(t.sql, batch, NOW);
    const second = await writeIngestBatch(t.sql, batch, NOW);
    expect(first).toMatchObject({ accepted: 2, duplicates: 0 });
    expect(second).toMatchObject({ accepted: 0, duplicates: 2 });
    const [row] = await participation('carol_x');
    expect(row?.weight).toBe('1105');
  });

  it('keeps the earliest first_seen whatever order the events arrive in', async () => {
    await writeIngestBatch(t.sql, [makeEvent({ user: 'dave_y', ts: BASE_EPOCH_MS + 50 * 60_000 })], NOW);
    await writeIngestBatch(t.sql, [makeEvent({ user: 'dave_y', ts: BASE_EPOCH_MS + 5 * 60_000 })], NOW);
    const [row] = await participation('dave_y');
    expect(new Date(String(row?.first_seen)).toISOString()).toBe(
      new Date(BASE_EPOCH_MS + 5 * 60_000).toISOString(),
    );
  });

  it('drops events of suppressed viewers', async () => {
    await suppressUser(t.sql, 'eve_optout', 'asked', 'oncall');
    const result = await writeIngestBatch(
      t.sql,
      [makeEvent({ user: 'eve_optout' }), makeEvent({ user: 'frank_ok' })],
      NOW,
    );
    expect(result).toMatchObject({ accepted: 1, suppressed: 1 });
    expect(await participation('eve_optout')).toEqual([]);
    expect(
      await t.sql`select 1 from attention.user_mapping where user_hash = ${userHash('eve_optout')}`,
    ).toHaveLength(0);
  });

  it('credits an event for a sealed epoch to the current epoch and counts it', async () => {
    await t.sql`insert into attention.sealed_epochs (epoch, channel, token_group, category, participant_count, total_weight)
      values (${EPOCH - 3600}, 'somechannel', 'OTHER', 'default', 0, 0)`;
    const lateEvent = makeEvent({ user: 'gina_late', ts: BASE_EPOCH_MS - HOUR_MS + 60_000 });
    const result = await writeIngestBatch(t.sql, [lateEvent], NOW);
    expect(result.late).toBe(1);
    const rows = await participation('gina_late');
    expect(rows.map((r) => r.epoch)).toEqual([String(EPOCH)]);
  });

  it('opt-out deletes mapping and unsealed participation but keeps what was sealed', async () => {
    await writeIngestBatch(
      t.sql,
      [makeEvent({ user: 'hank_h', ts: BASE_EPOCH_MS - HOUR_MS + 1000 }), makeEvent({ user: 'hank_h' })],
      new Date(BASE_EPOCH_MS - HOUR_MS + 2000),
    );
    await t.sql`insert into attention.sealed_epochs (epoch, channel, token_group, category, participant_count, total_weight)
      values (${EPOCH - 3600}, 'somechannel', 'OTHER', 'default', 1, 100)`;
    const result = await suppressUser(t.sql, 'hank_h', undefined, 'oncall');
    expect(result).toMatchObject({ participationRowsDeleted: 1, mappingDeleted: true });
    expect((await participation('hank_h')).map((r) => r.epoch)).toEqual([String(EPOCH - 3600)]);
  });

  it('never leaves a participation row of a non-suppressed viewer without its mapping', async () => {
    const users = ['user_aaa', 'user_bbb', 'user_ccc', 'user_ddd', 'user_eee'];
    const eventArb = fc.record({
      user: fc.constantFrom(...users),
      channel: fc.constantFrom('chan_one', 'chan_two'),
      kind: fc.constantFrom('presence', 'sub', 'resub', 'gift', 'bits', 'raid' as const),
      amount: fc.integer({ min: 1, max: 500 }),
      minute: fc.integer({ min: 0, max: 59 }),
      hour: fc.integer({ min: -1, max: 0 }),
    });
    const step = fc.oneof(
      fc.record({
        type: fc.constant('batch' as const),
        events: fc.array(eventArb, { minLength: 1, maxLength: 20 }),
        redeliver: fc.boolean(),
        crash: fc.boolean(),
      }),
      fc.record({ type: fc.constant('optout' as const), user: fc.constantFrom(...users) }),
      fc.record({ type: fc.constant('seal' as const), channel: fc.constantFrom('chan_one', 'chan_two') }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        await t.sql`truncate attention.raw_events, attention.channel_participation, attention.user_mapping, attention.suppression_list, attention.sealed_epochs`;
        for (const s of steps) {
          if (s.type === 'batch') {
            const batch: KeyedEvent[] = s.events.map((e, i) =>
              makeEvent({
                id: `${e.user}-${e.kind}-${e.minute}-${e.hour}-${i}`,
                user: e.user,
                channel: e.channel,
                kind: e.kind,
                amount: e.amount,
                ts: BASE_EPOCH_MS + e.hour * HOUR_MS + e.minute * 60_000,
              }),
            );
            if (s.crash) {
              // A writer that dies mid-batch: its transaction rolls back and SQS delivers the batch again.
              await t.sql
                .begin(async (tx) => {
                  await tx`select 1`;
                  throw new Error('crash');
                })
                .catch(() => undefined);
            }
            await writeIngestBatch(t.sql, batch, NOW);
            if (s.redeliver) await writeIngestBatch(t.sql, batch, NOW);
          } else if (s.type === 'optout') {
            await suppressUser(t.sql, s.user, undefined, 'oncall');
          } else {
            await t.sql`insert into attention.sealed_epochs (epoch, channel, token_group, category, participant_count, total_weight)
              values (${EPOCH - 3600}, ${s.channel}, 'OTHER', 'default', 0, 0) on conflict do nothing`;
          }
        }
        const orphans = await t.sql`
          select cp.user_hash from attention.channel_participation cp
          left join attention.user_mapping um using (user_hash)
          where um.user_hash is null
            and not exists (select 1 from attention.suppression_list s where s.user_hash = cp.user_hash)`;
        expect(orphans).toEqual([]);
        const suppressedUnsealed = await t.sql`
          select 1 from attention.channel_participation cp
          join attention.suppression_list s using (user_hash)
          where not exists (select 1 from attention.sealed_epochs se where se.epoch = cp.epoch and se.channel = cp.channel)`;
        expect(suppressedUnsealed).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });
});

import { randomBytes } from 'node:crypto';
import bs58 from 'bs58';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KeyedEvent } from '../../layers/shared/src/core/attention/signals.ts';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import { ClaimTree, fromHex, verifyClaim } from '../../layers/shared/src/core/merkle/index.ts';
import { METRIC } from '../../layers/shared/src/metric-names.ts';
import {
  SILENT_TELEMETRY,
  type Telemetry,
  type TelemetryFields,
} from '../../layers/shared/src/ports/telemetry.ts';
import type { AttentionSettings } from '../../layers/shared/src/services/attention/attention-settings.ts';
import { CHANNEL_TREES_PER_TRANSACTION } from '../../layers/shared/src/services/attention/channel-trees.ts';
import { writeIngestBatch } from '../../layers/shared/src/services/attention/ingest-writer.ts';
import {
  announceSealedEpochs,
  finalizeEpoch,
  sealDueEpochs,
  sealEpoch,
} from '../../layers/shared/src/services/attention/sealing.ts';
import { suppressUser } from '../../layers/shared/src/services/attention/suppression.ts';
import {
  buildEpochTrees,
  epochTreesPending,
} from '../../layers/shared/src/services/attention/tree-builder.ts';
import { bindWalletDirect } from '../../layers/shared/src/services/attention/wallet-binding.ts';
import { WorkerTreeHasher } from '../../local/tree-hash-pool.ts';
import { testAttentionSettings } from '../fixtures/attention-settings.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { RecordingBus } from '../fixtures/event-bus.ts';
import { BASE_EPOCH_MS, HOUR_MS, makeEvent } from '../fixtures/events.ts';

const EPOCH = BASE_EPOCH_MS / 1000;
const DURING = new Date(BASE_EPOCH_MS + 30 * 60_000);
const AFTER = new Date(BASE_EPOCH_MS + HOUR_MS + 10 * 60_000);
const BOUND_BEFORE = new Date(BASE_EPOCH_MS - HOUR_MS);

const SETTINGS = testAttentionSettings({ baseUnitsPerWeight: 1000n, categoryBaseUnitsPerWeight: 0n });

const wallet = () => bs58.encode(randomBytes(32));
const login = (i: number) => `viewer_${String(i).padStart(4, '0')}`;

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());
beforeEach(async () => {
  await t.sql`truncate attention.raw_events, attention.channel_participation, attention.user_mapping,
    attention.suppression_list, attention.sealed_epochs, attention.sealed_participants, attention.merkle_trees,
    attention.tree_builds, attention.publications, attention.carried_balances, attention.carry_ledger,
    attention.wallet_bindings, attention.channel_config, attention.channels`;
});

const deps = (settings: Partial<AttentionSettings> = {}) => ({
  sql: t.sql,
  telemetry: SILENT_TELEMETRY,
  settings: { ...SETTINGS, ...settings },
});

async function sealedRows(epoch = EPOCH) {
  return t.sql<{ channel: string; position: number; user_hash: string; weight: string; amount: string }[]>`
    select channel, position, user_hash, weight::text, amount::text from attention.sealed_participants
    where epoch = ${epoch} order by channel, position`;
}

async function roots(epoch = EPOCH) {
  return t.sql<{ channel: string; root: string }[]>`
    select channel, root from attention.merkle_trees where epoch = ${epoch} order by channel`;
}

async function balance(user: string, group = 'OTHER'): Promise<bigint> {
  const [row] = await t.sql<{ amount: string }[]>`
    select amount::text from attention.carried_balances where user_hash = ${userHash(user)} and token_group = ${group}`;
  return BigInt(row?.amount ?? '0');
}

describe('sealing', () => {
  it('freezes participants in first_seen, user_hash order with floored amounts and the channel standing at sealing', async () => {
    await t.sql`insert into attention.channel_config (channel, token_group, category_override) values ('somechannel', 'MILO', 'music')`;
    const sameTime = BASE_EPOCH_MS + 120_000;
    await writeIngestBatch(
      t.sql,
      [
        makeEvent({ user: 'late_viewer', ts: BASE_EPOCH_MS + 600_000 }),
        makeEvent({ user: 'tie_b_viewer', ts: sameTime }),
        makeEvent({ user: 'tie_a_viewer', ts: sameTime }),
        makeEvent({ user: 'early_viewer', ts: BASE_EPOCH_MS + 1000, kind: 'bits', amount: 3 }),
      ],
      DURING,
    );
    const result = await sealEpoch(deps({ baseUnitsPerWeight: 150n }), EPOCH, AFTER);
    expect(result.sealed).toEqual([
      { channel: 'somechannel', tokenGroup: 'MILO', category: 'music', participants: 4, totalWeight: 403 },
    ]);
    const rows = await sealedRows();
    const ties = [userHash('tie_a_viewer'), userHash('tie_b_viewer')].sort();
    expect(rows.map((r) => r.user_hash)).toEqual([
      userHash('early_viewer'),
      ...ties,
      userHash('late_viewer'),
    ]);
    expect(rows.map((r) => r.position)).toEqual([0, 1, 2, 3]);
    // early_viewer: presence 100 + 3 bits = 103 hundredths × 150 / 100 = 154.5 → 154
    expect(rows[0]).toMatchObject({ weight: '103', amount: '154' });
  });

  it('changes nothing when the same epoch is sealed and its trees built again', async () => {
    await writeIngestBatch(t.sql, [makeEvent({ user: 'alice_1' }), makeEvent({ user: 'bob_2' })], DURING);
    await bindWalletDirect(t.sql, 'alice_1', wallet(), BOUND_BEFORE);
    const first = await finalizeEpoch(deps(), EPOCH, AFTER);
    expect(first.seal.sealed).toHaveLength(1);
    const before = { rows: await sealedRows(), roots: await roots(), carried: await balance('bob_2') };
    const second = await finalizeEpoch(deps(), EPOCH, new Date(AFTER.getTime() + HOUR_MS));
    expect(second.seal).toMatchObject({ sealed: [], alreadySealed: 1 });
    expect(second.trees.trees).toEqual([]);
    expect({ rows: await sealedRows(), roots: await roots(), carried: await balance('bob_2') }).toEqual(
      before,
    );
    expect(before.carried).toBe(1000n);
  });

  it('produces the same rows and roots whatever order the events were written in', async () => {
    const viewers = Array.from({ length: 24 }, (_, i) => login(i));
    const wallets = new Map(viewers.map((v) => [v, wallet()]));
    const events: KeyedEvent[] = viewers.flatMap((user, i) => [
      // Several viewers share a first_seen, so the user_hash tiebreak decides.
      makeEvent({ id: `p-${user}`, user, ts: BASE_EPOCH_MS + (i % 5) * 1000 }),
      ...(i % 3 === 0
        ? [makeEvent({ id: `b-${user}`, user, kind: 'bits', amount: i + 1, ts: BASE_EPOCH_MS + 9000 })]
        : []),
      ...(i % 4 === 0
        ? [makeEvent({ id: `o-${user}`, user, channel: 'otherchannel', ts: BASE_EPOCH_MS + 50 })]
        : []),
    ]);
    let reference: unknown;
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(events, { minLength: events.length }),
        fc.integer({ min: 1, max: 8 }),
        async (order, batches) => {
          await t.sql`truncate attention.raw_events, attention.channel_participation, attention.user_mapping,
          attention.sealed_epochs, attention.sealed_participants, attention.merkle_trees, attention.tree_builds,
          attention.publications, attention.carried_balances, attention.carry_ledger, attention.wallet_bindings`;
          for (const [i, user] of viewers.entries()) {
            if (i % 2 === 0) await bindWalletDirect(t.sql, user, wallets.get(user) as string, BOUND_BEFORE);
          }
          const size = Math.ceil(order.length / batches);
          for (let i = 0; i < order.length; i += size)
            await writeIngestBatch(t.sql, order.slice(i, i + size), DURING);
          await finalizeEpoch({ ...deps({ capacity: 16 }), concurrency: 2 }, EPOCH, AFTER);
          const snapshot = { rows: await sealedRows(), roots: await roots() };
          reference ??= snapshot;
          expect(snapshot).toEqual(reference);
        },
      ),
      { numRuns: 8 },
    );
  });

  it('never includes a suppressed user in a sealed epoch', async () => {
    await writeIngestBatch(
      t.sql,
      [makeEvent({ user: 'stays_here' }), makeEvent({ user: 'opts_out_1' })],
      DURING,
    );
    await suppressUser(t.sql, 'opts_out_1', undefined, 'oncall');
    // A row written before the opt-out and not deleted with it must still be left out at sealing.
    await t.sql`insert into attention.channel_participation (epoch, channel, user_hash, first_seen, weight, presence)
      values (${EPOCH}, 'somechannel', ${userHash('opts_out_1')}, ${DURING.toISOString()}::timestamptz, 100, 1)`;
    await finalizeEpoch(deps(), EPOCH, AFTER);
    const rows = await sealedRows();
    expect(rows.map((r) => r.user_hash)).toEqual([userHash('stays_here')]);
  });

  it('seals every due epoch with unsealed participation, and not the open one', async () => {
    await writeIngestBatch(t.sql, [makeEvent({ user: 'alice_1' })], DURING);
    await writeIngestBatch(
      t.sql,
      [makeEvent({ user: 'alice_1', ts: BASE_EPOCH_MS + HOUR_MS + 60_000 })],
      AFTER,
    );
    const result = await sealDueEpochs(deps(), AFTER);
    expect(result.epochs.map((e) => e.epoch)).toEqual([EPOCH]);
    const later = await sealDueEpochs(deps(), new Date(AFTER.getTime() + HOUR_MS));
    expect(later.epochs.map((e) => e.epoch)).toEqual([EPOCH + 3600]);
    await expect(sealEpoch(deps(), EPOCH + 7200, AFTER)).rejects.toThrow(/is not over yet/);
  });
});

describe('trees', () => {
  it('gives bound viewers within capacity leaves, carries the unbound and rewards no one beyond capacity', async () => {
    const events = Array.from({ length: 6 }, (_, i) =>
      makeEvent({ user: login(i), ts: BASE_EPOCH_MS + i * 1000 }),
    );
    await writeIngestBatch(t.sql, events, DURING);
    const wallets = [wallet(), wallet(), wallet()];
    await bindWalletDirect(t.sql, login(0), wallets[0] as string, BOUND_BEFORE);
    await bindWalletDirect(t.sql, login(2), wallets[1] as string, BOUND_BEFORE);
    await bindWalletDirect(t.sql, login(5), wallets[2] as string, BOUND_BEFORE); // beyond capacity
    // Bound after the build: counts as unbound for this epoch.
    await bindWalletDirect(t.sql, login(3), wallet(), new Date(AFTER.getTime() + 1000));
    // One tree of 4: the cap is 4 places, so the last two participants overflow.
    const reported: { kind: string; name: string; value?: unknown; fields?: TelemetryFields | undefined }[] =
      [];
    const telemetry: Telemetry = {
      info: (name, fields) => reported.push({ kind: 'info', name, fields }),
      warn: (name, fields) => reported.push({ kind: 'warn', name, fields }),
      error: (name, fields) => reported.push({ kind: 'error', name, fields }),
      metric: (name, unit, value) => reported.push({ kind: unit, name, value }),
    };
    const result = await finalizeEpoch(
      { ...deps({ capacity: 4, maxShards: { OTHER: 1 } }), telemetry },
      EPOCH,
      AFTER,
    );
    // Overflow with shards means the cap is too low: the ShardOverflow alarm's metric counts it,
    // through the telemetry the tree services were given.
    expect(reported).toContainEqual({ kind: 'Count', name: METRIC.shardOverflow, value: 2 });
    expect(reported).toContainEqual({
      kind: 'warn',
      name: 'participants beyond the shard cap get no reward this epoch; raise TOKEN_GROUP_MAX_SHARDS',
      fields: {
        epoch: EPOCH,
        channel: 'somechannel',
        tokenGroup: 'OTHER',
        overflow: 2,
        maxShards: 1,
        capacity: 4,
      },
    });
    expect(reported).toContainEqual({ kind: 'Percent', name: METRIC.overflowShare, value: (2 / 6) * 100 });

    const channelTree = result.trees.trees.find((tr) => tr.channel === 'somechannel');
    expect(channelTree).toMatchObject({
      outcome: 'stored',
      leaves: 2,
      carried: 2,
      overflow: 2,
      totalAmount: '2000',
      carriedAmount: '2000',
    });
    const [stored] = await t.sql<{ dump: unknown; root: string }[]>`
      select dump, root from attention.merkle_trees where epoch = ${EPOCH} and channel = 'somechannel'`;
    const tree = ClaimTree.load(stored?.dump, {
      check: 'full',
      expectedRoot: fromHex(stored?.root as string, 'root'),
    });
    expect([0, 1].map((p) => tree.claim(p).id)).toEqual([userHash(login(0)), userHash(login(2))]);
    expect([0, 1].map((p) => tree.claim(p).index)).toEqual([0, 1]);
    expect(bs58.encode(tree.claim(1).claimer)).toBe(wallets[1]);
    for (const p of [0, 1]) {
      expect(verifyClaim(tree.root, tree.claim(p), tree.proof(p), { format: 'claim-v1' })).toBe(true);
    }
    expect(await balance(login(1))).toBe(1000n);
    expect(await balance(login(3))).toBe(1000n);
    expect(await balance(login(4))).toBe(0n);
    expect(await balance(login(5))).toBe(0n);
    // The overflowed viewer's sealed record is kept.
    expect((await sealedRows()).map((r) => r.user_hash)).toContain(userHash(login(5)));
    const [shape] =
      await t.sql`select json_typeof(dump) as type, dump->>'format' as format from attention.merkle_trees where channel = 'somechannel'`;
    expect(shape).toEqual({ type: 'object', format: 'eo-merkle-v2' });
    // Stored as the builder wrote it and uncompressed: json with EXTERNAL storage, not jsonb.
    const [column] = await t.sql`
      select format_type(atttypid, atttypmod) as type, attstorage as storage from pg_attribute
      where attrelid = 'attention.merkle_trees'::regclass and attname = 'dump'`;
    expect(column).toEqual({ type: 'json', storage: 'e' });
    const [publication] =
      await t.sql`select status, mode, token_group, root from attention.publications where channel = 'somechannel'`;
    expect(publication).toMatchObject({
      status: 'pending',
      mode: 'memo',
      token_group: 'OTHER',
      root: stored?.root,
    });
  });

  it('stores no tree when no participant is bound, and carries every amount', async () => {
    await writeIngestBatch(
      t.sql,
      [makeEvent({ user: 'alice_1' }), makeEvent({ user: 'bob_2', kind: 'sub' })],
      DURING,
    );
    const result = await finalizeEpoch(deps(), EPOCH, AFTER);
    expect(result.trees.trees.find((tr) => tr.channel === 'somechannel')).toMatchObject({
      outcome: 'empty',
      leaves: 0,
      carried: 2,
    });
    expect(await roots()).toEqual([]);
    expect(await balance('bob_2')).toBe(11_000n);
  });

  it('pays carried balances of bound viewers in the next carry tree, once, by bind time', async () => {
    await writeIngestBatch(t.sql, [makeEvent({ user: 'alice_1' }), makeEvent({ user: 'bob_2' })], DURING);
    await finalizeEpoch(deps(), EPOCH, AFTER);
    expect(await balance('alice_1')).toBe(1000n);
    const later = new Date(AFTER.getTime() + HOUR_MS);
    await bindWalletDirect(t.sql, 'bob_2', wallet(), new Date(AFTER.getTime() + 1000));
    await bindWalletDirect(t.sql, 'alice_1', wallet(), new Date(AFTER.getTime() + 2000));
    await writeIngestBatch(
      t.sql,
      [makeEvent({ user: 'carol_3', ts: BASE_EPOCH_MS + HOUR_MS + 1000 })],
      later,
    );
    const next = await finalizeEpoch(deps(), EPOCH + 3600, new Date(later.getTime() + HOUR_MS));
    expect(next.trees.trees.find((tr) => tr.channel === 'carry:other')).toMatchObject({
      outcome: 'stored',
      leaves: 2,
      totalAmount: '2000',
    });
    const [carry] = await t.sql<
      { dump: unknown }[]
    >`select dump from attention.merkle_trees where channel = 'carry:other'`;
    const tree = ClaimTree.load(carry?.dump, { check: 'full' });
    expect([tree.claim(0).id, tree.claim(1).id]).toEqual([userHash('bob_2'), userHash('alice_1')]);
    expect(await balance('alice_1')).toBe(0n);
    expect(await balance('bob_2')).toBe(0n);
    // Built again for the same epoch: no second debit, no second tree.
    await buildEpochTrees(deps(), EPOCH + 3600, new Date(later.getTime() + 2 * HOUR_MS));
    const ledger =
      await t.sql`select delta::text from attention.carry_ledger where user_hash = ${userHash('alice_1')} order by id`;
    expect(ledger.map((r) => r.delta)).toEqual(['1000', '-1000']);
  });

  it('builds a category tree per category and token group over its channels with summed weights', async () => {
    await t.sql`insert into attention.channel_config (channel, token_group, category_override)
      values ('music_one', 'MILO', 'music'), ('music_two', 'MILO', 'music'), ('crypto_one', 'MILO', 'crypto')`;
    await writeIngestBatch(
      t.sql,
      [
        makeEvent({ channel: 'music_one', user: 'alice_1', ts: BASE_EPOCH_MS + 5000 }),
        makeEvent({ channel: 'music_two', user: 'alice_1', ts: BASE_EPOCH_MS + 9000, kind: 'sub' }),
        makeEvent({ channel: 'music_two', user: 'bob_2', ts: BASE_EPOCH_MS + 1000 }),
        makeEvent({ channel: 'crypto_one', user: 'carol_3' }),
      ],
      DURING,
    );
    await bindWalletDirect(t.sql, 'alice_1', wallet(), BOUND_BEFORE);
    await bindWalletDirect(t.sql, 'bob_2', wallet(), BOUND_BEFORE);
    const result = await finalizeEpoch(deps({ categoryBaseUnitsPerWeight: 10n }), EPOCH, AFTER);
    const music = result.trees.trees.find((tr) => tr.channel === 'category:music:milo');
    expect(music).toMatchObject({
      kind: 'category',
      tokenGroup: 'MILO',
      outcome: 'stored',
      leaves: 2,
      published: true,
    });
    const [row] = await t.sql<
      { dump: unknown }[]
    >`select dump from attention.merkle_trees where channel = 'category:music:milo'`;
    const tree = ClaimTree.load(row?.dump, { check: 'full' });
    // bob first (earliest first_seen); alice: 100 + (100 + 1000) hundredths × 10 / 100 = 120
    expect([tree.claim(0).id, tree.claim(1).id]).toEqual([userHash('bob_2'), userHash('alice_1')]);
    expect(tree.claim(1).amount).toBe(120n);
    expect(await balance('carol_3', 'MILO')).toBe(1000n + 10n);
  });

  it('computes category trees but does not publish them while category units are 0', async () => {
    await writeIngestBatch(t.sql, [makeEvent({ user: 'alice_1' })], DURING);
    await bindWalletDirect(t.sql, 'alice_1', wallet(), BOUND_BEFORE);
    await finalizeEpoch(deps(), EPOCH, AFTER);
    const trees =
      await t.sql`select channel, total_amount::text from attention.merkle_trees order by channel`;
    expect(trees).toEqual([
      { channel: 'category:default:other', total_amount: '0' },
      { channel: 'somechannel', total_amount: '1000' },
    ]);
    const published = await t.sql`select channel from attention.publications order by channel`;
    expect(published).toEqual([{ channel: 'somechannel' }]);
  });

  it('refuses a channel whose amounts pass 2^63 - 1 rather than clamp them, and seals the others of its batch', async () => {
    // 10^9 units per weight: two viewers of 6 × 10^9 weight are 6 × 10^18 each, 1.2 × 10^19 together.
    const heavy = (user: string) =>
      Array.from({ length: 60 }, (_, i) =>
        makeEvent({
          channel: 'heavy_chan',
          user,
          kind: 'raid',
          amount: 1_000_000_000,
          ts: BASE_EPOCH_MS + i,
        }),
      );
    await writeIngestBatch(
      t.sql,
      [...heavy('raider_one'), ...heavy('raider_two'), makeEvent({ channel: 'light_chan', user: 'alice_1' })],
      DURING,
    );
    const result = await sealEpoch(deps({ baseUnitsPerWeight: 1_000_000_000n }), EPOCH, AFTER);
    expect(result.sealed.map((c) => c.channel)).toEqual(['light_chan']);
    expect(result.failed).toEqual([
      {
        epoch: EPOCH,
        channel: 'heavy_chan',
        stage: 'seal',
        reason: expect.stringMatching(/amounts past 9223372036854775807 .*total 12000000002000000000/),
      },
    ]);
    expect(await t.sql`select channel from attention.sealed_epochs`).toEqual([{ channel: 'light_chan' }]);
    const waiting = await t.sql`select 1 from attention.channel_participation where channel = 'heavy_chan'`;
    expect(waiting).toHaveLength(2);
  });

  it('seals the other channels of a batch when one fails to seal, and seals that one on the next run', async () => {
    await writeIngestBatch(
      t.sql,
      ['chan_a', 'chan_b', 'chan_c'].map((channel) => makeEvent({ channel, user: 'alice_1' })),
      DURING,
    );
    await t.sql`create function attention.fail_seal() returns trigger language plpgsql
      as $$ begin raise exception 'injected failure for %', new.channel; end $$`;
    await t.sql`create trigger fail_seal before insert on attention.sealed_epochs
      for each row when (new.channel = 'chan_b') execute function attention.fail_seal()`;
    let first: Awaited<ReturnType<typeof sealEpoch>>;
    try {
      first = await sealEpoch(deps(), EPOCH, AFTER);
    } finally {
      await t.sql`drop trigger fail_seal on attention.sealed_epochs`;
      await t.sql`drop function attention.fail_seal()`;
    }
    expect(first.sealed.map((c) => c.channel)).toEqual(['chan_a', 'chan_c']);
    expect(first.failed).toMatchObject([
      { channel: 'chan_b', stage: 'seal', reason: 'injected failure for chan_b' },
    ]);
    expect((await sealEpoch(deps(), EPOCH, AFTER)).sealed.map((c) => c.channel)).toEqual(['chan_b']);
  });

  it('refuses a tree whose amount does not fit a u64 leaf, rather than store a wrapped one, and builds the others', async () => {
    await writeIngestBatch(t.sql, [makeEvent({ user: 'alice_1' })], DURING);
    await bindWalletDirect(t.sql, 'alice_1', wallet(), BOUND_BEFORE);
    const result = await finalizeEpoch(deps({ categoryBaseUnitsPerWeight: 10n ** 20n }), EPOCH, AFTER);
    expect(result.trees.failed).toEqual([
      {
        epoch: EPOCH,
        channel: 'category:default:other',
        stage: 'tree',
        reason: expect.stringMatching(/amounts past 9223372036854775807 \(one of 100000000000000000000/),
      },
    ]);
    const stored = await t.sql`select channel from attention.merkle_trees where kind = 'category'`;
    expect(stored).toEqual([]);
    // Not decided: the next run tries it again.
    expect(await t.sql`select 1 from attention.tree_builds where channel = 'category:default:other'`).toEqual(
      [],
    );
    expect(await roots()).toEqual([{ channel: 'somechannel', root: expect.stringMatching(/^0x/) }]);
  });

  it('publishes in program mode only groups with a mint, and leaves their carried balances waiting', async () => {
    const mint = 'So11111111111111111111111111111111111111112';
    await t.sql`insert into attention.channel_config (channel, token_group) values ('milo_chan', 'MILO')`;
    await writeIngestBatch(
      t.sql,
      [
        makeEvent({ channel: 'milo_chan', user: 'alice_1' }),
        makeEvent({ user: 'alice_1' }),
        makeEvent({ user: 'bob_2' }),
      ],
      DURING,
    );
    await bindWalletDirect(t.sql, 'alice_1', wallet(), BOUND_BEFORE);
    const result = await finalizeEpoch(
      deps({ publishMode: 'program', mints: { MILO: { mint } } }),
      EPOCH,
      AFTER,
    );
    const publications = await t.sql`select channel, mint, mode from attention.publications order by channel`;
    expect(publications).toEqual([{ channel: 'milo_chan', mint, mode: 'program' }]);
    expect(result.trees.trees.find((tr) => tr.channel === 'carry:other')).toMatchObject({
      outcome: 'skipped',
    });
    expect(await balance('bob_2')).toBe(1000n);
  });

  it('records a build over its time budget and raises the timeout alert, keeping the tree', async () => {
    await writeIngestBatch(t.sql, [makeEvent({ user: 'alice_1' })], DURING);
    await bindWalletDirect(t.sql, 'alice_1', wallet(), BOUND_BEFORE);
    await finalizeEpoch(deps({ channelBudgetMs: -1 }), EPOCH, AFTER);
    const [build] =
      await t.sql`select timed_out, outcome from attention.tree_builds where channel = 'somechannel'`;
    expect(build).toEqual({ timed_out: true, outcome: 'stored' });
  });
});

describe('channel trees built in batches', () => {
  // Enough channels for three transactions of trees; four viewers each out of 30, the even
  // ones bound, so every tree has leaves and carried amounts.
  const CHANNELS = 2 * CHANNEL_TREES_PER_TRANSACTION + 5;
  const channel = (c: number) => `chan_${String(c).padStart(3, '0')}`;
  const viewersOf = (c: number) => [0, 1, 2, 3].map((v) => login((c * 3 + v) % 30));

  async function writeChannels(): Promise<void> {
    const events = Array.from({ length: CHANNELS }, (_, c) =>
      viewersOf(c).map((user, v) => makeEvent({ channel: channel(c), user, ts: BASE_EPOCH_MS + v * 1000 })),
    ).flat();
    await writeIngestBatch(t.sql, events, DURING);
    for (let i = 0; i < 30; i += 2) await bindWalletDirect(t.sql, login(i), wallet(), BOUND_BEFORE);
  }

  async function sealChannels(): Promise<void> {
    await writeChannels();
    await sealEpoch(deps(), EPOCH, AFTER);
  }

  /** What an unbound viewer is owed by the given channels' trees: 1,000 per channel watched. */
  function owed(channels: readonly number[]): Map<string, bigint> {
    const owed = new Map<string, bigint>();
    for (const c of channels) {
      for (const user of viewersOf(c)) {
        if (Number(user.slice(-4)) % 2 === 1) owed.set(user, (owed.get(user) ?? 0n) + 1000n);
      }
    }
    return owed;
  }

  async function balances(): Promise<Map<string, bigint>> {
    const rows = await t.sql<{ user_hash: string; amount: string }[]>`
      select user_hash, amount::text from attention.carried_balances where amount > 0`;
    const byHash = new Map(rows.map((r) => [r.user_hash, BigInt(r.amount)]));
    return new Map(
      Array.from({ length: 30 }, (_, i) => login(i))
        .filter((user) => byHash.has(userHash(user)))
        .map((user) => [user, byHash.get(userHash(user)) as bigint]),
    );
  }

  async function builtChannels(): Promise<string[]> {
    const rows = await t.sql<{ channel: string }[]>`
      select channel from attention.tree_builds where epoch = ${EPOCH} and kind = 'channel' order by channel`;
    return rows.map((r) => r.channel);
  }

  const all = Array.from({ length: CHANNELS }, (_, c) => c);

  it('seals each channel exactly once when two runs seal the same epoch at the same time', async () => {
    await writeChannels();
    // Both runs take the same batches; whichever waits on a batch's locks must find its
    // channels sealed once it holds them (reading before the locks would seal them twice).
    const runs = await Promise.all([
      sealEpoch(deps(), EPOCH, AFTER),
      sealEpoch({ ...deps(), concurrency: 1 }, EPOCH, AFTER),
    ]);
    const sealed = runs.flatMap((r) => r.sealed.map((s) => s.channel)).sort();
    expect(sealed).toEqual(all.map(channel));
    expect(runs.map((r) => r.sealed.length + r.alreadySealed)).toEqual([CHANNELS, CHANNELS]);
    for (const r of runs) expect(r.sealed.every((s) => s.participants === 4)).toBe(true);
    const rows = await sealedRows();
    expect(rows.length).toBe(CHANNELS * 4);
    for (let c = 0; c < CHANNELS; c++) {
      expect(rows.filter((r) => r.channel === channel(c)).map((r) => r.position)).toEqual([0, 1, 2, 3]);
    }
  });

  it('stores the same trees when a worker thread hashes them', async () => {
    await sealChannels();
    const pool = WorkerTreeHasher.start(1);
    try {
      const onWorkers = await buildEpochTrees({ ...deps(), treeHasher: pool }, EPOCH, AFTER);
      const stored = await t.sql<{ channel: string; root: string; dump: unknown }[]>`
        select channel, root, dump from attention.merkle_trees where epoch = ${EPOCH} order by channel`;
      expect(stored.length).toBe(CHANNELS + 1);
      for (const tree of stored) {
        const loaded = ClaimTree.load(tree.dump, {
          check: 'full',
          expectedRoot: fromHex(tree.root, 'root', 32),
        });
        expect(Buffer.from(loaded.root).toString('hex')).toBe(tree.root.slice(2));
      }
      // Built again on this thread from the same sealed rows: the same roots.
      await t.sql`truncate attention.merkle_trees, attention.tree_builds, attention.publications,
        attention.carried_balances, attention.carry_ledger`;
      const inThread = await buildEpochTrees(deps(), EPOCH, AFTER);
      const roots = (r: typeof inThread) => r.trees.map((tr) => [tr.channel, tr.root]);
      expect(roots(onWorkers)).toEqual(roots(inThread));
    } finally {
      await pool.close();
    }
  });

  it('decides each tree exactly once when two runs build the same epoch at the same time', async () => {
    await sealChannels();
    const runs = await Promise.all([
      buildEpochTrees(deps(), EPOCH, AFTER),
      buildEpochTrees({ ...deps(), concurrency: 1 }, EPOCH, AFTER),
    ]);
    const decided = runs.flatMap((r) => r.trees.map((tr) => tr.channel)).sort();
    expect(decided).toEqual([...all.map(channel), 'carry:other', 'category:default:other'].sort());
    expect(await builtChannels()).toEqual(all.map(channel));
    const [stored] = await t.sql<{ n: number }[]>`
      select count(*)::int as n from attention.merkle_trees where epoch = ${EPOCH} and kind = 'channel'`;
    expect(stored?.n).toBe(CHANNELS);
    expect(await balances()).toEqual(owed(all));
  });

  it('leaves a tree that fails to the next run, builds every other one, and credits nothing twice', async () => {
    await sealChannels();
    const failing = channel(CHANNEL_TREES_PER_TRANSACTION + 5);
    await t.sql`create function attention.fail_tree_build() returns trigger language plpgsql
      as $$ begin raise exception 'injected failure for %', new.channel; end $$`;
    await t.sql`create trigger fail_tree_build before insert on attention.tree_builds
      for each row when (new.channel = ${t.sql.unsafe(`'${failing}'`)}) execute function attention.fail_tree_build()`;
    let first: Awaited<ReturnType<typeof buildEpochTrees>>;
    try {
      // One transaction at a time: the second batch fails, is built again tree by tree, and the
      // third batch still runs.
      first = await buildEpochTrees({ ...deps(), concurrency: 1 }, EPOCH, AFTER);
    } finally {
      await t.sql`drop trigger fail_tree_build on attention.tree_builds`;
      await t.sql`drop function attention.fail_tree_build()`;
    }
    expect(first.failed).toEqual([
      { epoch: EPOCH, channel: failing, stage: 'tree', reason: expect.stringMatching(/injected failure/) },
    ]);
    const others = all.filter((c) => channel(c) !== failing);
    expect(await builtChannels()).toEqual(others.map(channel));
    const [stored] = await t.sql<{ n: number }[]>`
      select count(*)::int as n from attention.merkle_trees where epoch = ${EPOCH} and kind = 'channel'`;
    expect(stored?.n).toBe(others.length);
    expect(await balances()).toEqual(owed(others));
    expect(await epochTreesPending(t.sql, EPOCH, EPOCH)).toEqual([EPOCH]);

    const next = await buildEpochTrees(deps(), EPOCH, AFTER);
    expect(next.trees.filter((tr) => tr.kind === 'channel').map((tr) => tr.channel)).toEqual([failing]);
    expect(next.failed).toEqual([]);
    expect(await builtChannels()).toEqual(all.map(channel));
    expect(await balances()).toEqual(owed(all));
    expect(await epochTreesPending(t.sql, EPOCH, EPOCH)).toEqual([]);
  });
});

describe('writer and sealer racing on one (epoch, channel)', () => {
  it('leaves every event either in the sealed snapshot or credited to the current epoch', async () => {
    const now = new Date(AFTER.getTime());
    const users = Array.from({ length: 300 }, (_, i) => login(i));
    await writeIngestBatch(
      t.sql,
      users.slice(0, 20).map((user) => makeEvent({ user, ts: BASE_EPOCH_MS + 1000 })),
      DURING,
    );
    const writers = Array.from({ length: 14 }, async (_, b) => {
      const batch = users
        .slice(20 + b * 20, 40 + b * 20)
        .map((user) => makeEvent({ user, ts: BASE_EPOCH_MS + 2000 + b }));
      await new Promise((resolve) => setTimeout(resolve, b * 3));
      return writeIngestBatch(t.sql, batch, now);
    });
    const sealer = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 15));
      return sealEpoch(deps(), EPOCH, now);
    })();
    await Promise.all([...writers, sealer]);

    const lost = await t.sql`
      select e.event_id from attention.raw_events e
      where not (
        (e.epoch = ${EPOCH} and exists (select 1 from attention.sealed_participants sp
          where sp.epoch = e.epoch and sp.channel = e.channel and sp.user_hash = e.user_hash))
        or (e.epoch = ${EPOCH + 3600} and exists (select 1 from attention.channel_participation cp
          where cp.epoch = e.epoch and cp.channel = e.channel and cp.user_hash = e.user_hash))
      )`;
    expect(lost).toEqual([]);
    const [counts] = await t.sql<
      { events: number }[]
    >`select count(*)::int as events from attention.raw_events`;
    expect(counts?.events).toBe(300);
    // Participation for the sealed epoch written after the snapshot would be stranded.
    const stranded = await t.sql`
      select cp.user_hash from attention.channel_participation cp
      where cp.epoch = ${EPOCH} and not exists (select 1 from attention.sealed_participants sp
        where sp.epoch = cp.epoch and sp.channel = cp.channel and sp.user_hash = cp.user_hash)`;
    expect(stranded).toEqual([]);
  });

  it('waits for a writer holding the (epoch, channel) lock and includes what it wrote', async () => {
    const { attentionLockKey } = await import('../../layers/shared/src/core/attention/locks.ts');
    await writeIngestBatch(t.sql, [makeEvent({ user: 'alice_1' })], DURING);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked: () => void = () => {};
    const lockTaken = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const writer = t.sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock_shared(hashtextextended(${attentionLockKey(EPOCH, 'somechannel')}, 0))`;
      locked();
      await held;
      await tx`insert into attention.channel_participation (epoch, channel, user_hash, first_seen, weight, presence)
        values (${EPOCH}, 'somechannel', ${userHash('bob_2')}, ${DURING.toISOString()}::timestamptz, 100, 1)`;
    });
    await lockTaken;
    const sealing = sealEpoch(deps(), EPOCH, AFTER);
    // Let the writer go on only once the sealer is queued behind its lock.
    for (let waiting = 0; waiting === 0; ) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const [row] = await t.sql<{ n: number }[]>`
        select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`;
      waiting = row?.n ?? 0;
    }
    release();
    await writer;
    await sealing;
    expect((await sealedRows()).map((r) => r.user_hash).sort()).toEqual(
      [userHash('alice_1'), userHash('bob_2')].sort(),
    );
  });
});

describe('EpochSealed on the bus', () => {
  async function writeTwoChannels(): Promise<void> {
    await writeIngestBatch(
      t.sql,
      [
        makeEvent({ channel: 'chan_a', user: 'alice_1' }),
        makeEvent({ channel: 'chan_a', user: 'bob_2' }),
        makeEvent({ channel: 'chan_b', user: 'alice_1' }),
      ],
      DURING,
    );
    await bindWalletDirect(t.sql, 'alice_1', wallet(), BOUND_BEFORE);
  }

  it('announces an epoch once its channels are sealed and built, once, with its counts', async () => {
    await writeTwoChannels();
    const bus = new RecordingBus();
    await sealEpoch(deps(), EPOCH, AFTER);
    // Sealed, trees not built yet: nothing to announce.
    expect(await announceSealedEpochs({ sql: t.sql, events: bus }, AFTER)).toBe(0);
    await buildEpochTrees(deps(), EPOCH, AFTER);
    expect(await announceSealedEpochs({ sql: t.sql, events: bus }, AFTER)).toBe(1);
    const [stored] = await t.sql<{ n: number }[]>`
      select count(*)::int as n from attention.merkle_trees where epoch = ${EPOCH}`;
    expect(bus.events).toEqual([
      {
        type: 'EpochSealed',
        epoch: EPOCH,
        channels: 2,
        participants: 3,
        trees: stored?.n,
        timestamp: Math.floor(AFTER.getTime() / 1000),
      },
    ]);
    expect(await announceSealedEpochs({ sql: t.sql, events: bus }, AFTER)).toBe(0);
    expect(bus.events.length).toBe(1);
  });

  it('loses nothing while the bus is down: the next run announces what the last could not', async () => {
    await writeTwoChannels();
    await finalizeEpoch(deps(), EPOCH, AFTER);
    const bus = new RecordingBus();
    bus.down = true;
    await expect(announceSealedEpochs({ sql: t.sql, events: bus }, AFTER)).rejects.toThrow(/unreachable/);
    const [open] = await t.sql<{ n: number }[]>`
      select count(*)::int as n from attention.sealed_epochs where epoch = ${EPOCH} and announced_at is null`;
    expect(open?.n).toBe(2);
    bus.down = false;
    expect(await announceSealedEpochs({ sql: t.sql, events: bus }, AFTER)).toBe(1);
    expect(bus.events.map((e) => e.type)).toEqual(['EpochSealed']);
  });
});

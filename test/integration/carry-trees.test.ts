/**
 * A carry tree holds at most `capacity` owners an epoch (DESIGN.md "Trees"): the owners it
 * cannot hold stay carried to the next epoch's tree, in bind-time order. Nothing is lost and
 * nothing is paid twice, however many epochs it takes and however often a tree is built again.
 */

import { randomBytes } from 'node:crypto';
import bs58 from 'bs58';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import { SILENT_TELEMETRY } from '../../layers/shared/src/ports/telemetry.ts';
import { ClaimsReader } from '../../layers/shared/src/services/attention/claims.ts';
import { writeIngestBatch } from '../../layers/shared/src/services/attention/ingest-writer.ts';
import { finalizeEpoch } from '../../layers/shared/src/services/attention/sealing.ts';
import { buildEpochTrees } from '../../layers/shared/src/services/attention/tree-builder.ts';
import { bindWalletDirect } from '../../layers/shared/src/services/attention/wallet-binding.ts';
import { testAttentionSettings } from '../fixtures/attention-settings.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { BASE_EPOCH_MS, HOUR_MS, makeEvent } from '../fixtures/events.ts';

const EPOCH = BASE_EPOCH_MS / 1000;
const builtAt = (epoch: number) => new Date((epoch + 3600 + 600) * 1000);
const VIEWERS = ['carry_a1', 'carry_b2', 'carry_c3', 'carry_d4', 'carry_e5'];
const settings = testAttentionSettings({
  capacity: 2,
  baseUnitsPerWeight: 1000n,
  categoryBaseUnitsPerWeight: 0n,
});

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

describe('carry trees', () => {
  it('pay at most capacity owners an epoch, in bind order, and keep the rest carried until a later tree pays them once', async () => {
    // Epoch 1: five unbound viewers, each 1 presence + (i × 100) bits: all carried.
    await writeIngestBatch(
      t.sql,
      VIEWERS.flatMap((user, i) => [
        makeEvent({ user, ts: BASE_EPOCH_MS + i * 1000 }),
        ...(i > 0 ? [makeEvent({ user, kind: 'bits', amount: 100 * i, ts: BASE_EPOCH_MS + 9000 })] : []),
      ]),
      new Date(BASE_EPOCH_MS + 30 * 60_000),
    );
    await finalizeEpoch({ telemetry: SILENT_TELEMETRY, sql: t.sql, settings }, EPOCH, builtAt(EPOCH));
    const owed = new Map(
      (
        await t.sql<{ user_hash: string; amount: string }[]>`
        select user_hash, amount::text from attention.carried_balances where amount > 0`
      ).map((r) => [r.user_hash, BigInt(r.amount)]),
    );
    expect(owed.size).toBe(5);
    // All five bind before epoch 2's build, in the order e5, d4, c3, b2, a1.
    for (const [k, user] of [...VIEWERS].reverse().entries()) {
      await bindWalletDirect(
        t.sql,
        user,
        bs58.encode(randomBytes(32)),
        new Date(BASE_EPOCH_MS + HOUR_MS + k * 1000),
      );
    }

    const paidBy: string[][] = [];
    for (let n = 1; n <= 4; n++) {
      const epoch = EPOCH + n * 3600;
      const result = await buildEpochTrees(
        { telemetry: SILENT_TELEMETRY, sql: t.sql, settings },
        epoch,
        builtAt(epoch),
      );
      // Built again: the decided tree is not rebuilt, no balance is debited twice.
      await buildEpochTrees({ telemetry: SILENT_TELEMETRY, sql: t.sql, settings }, epoch, builtAt(epoch));
      const carry = result.trees.find((tree) => tree.kind === 'carry');
      const [tree] = await t.sql<{ dump: { claims: { id: string; amount: string }[] } }[]>`
        select dump from attention.merkle_trees where epoch = ${epoch} and channel = 'carry:other'`;
      const ids = tree?.dump.claims.map((c) => c.id) ?? [];
      paidBy.push(ids);
      expect(carry?.leaves ?? 0).toBe(ids.length);
      for (const c of tree?.dump.claims ?? []) expect(BigInt(c.amount)).toBe(owed.get(c.id));
    }

    // Two, two, one, none: bind order decides who waits.
    expect(paidBy).toEqual([
      [userHash('carry_e5'), userHash('carry_d4')],
      [userHash('carry_c3'), userHash('carry_b2')],
      [userHash('carry_a1')],
      [],
    ]);
    const [left] = await t.sql<{ total: string }[]>`
      select coalesce(sum(amount), 0)::text as total from attention.carried_balances`;
    expect(left?.total).toBe('0');
    // The ledger holds each owner's credit once and its debit once: paid exactly what was owed.
    const ledger = await t.sql<{ user_hash: string; credits: string; debits: string }[]>`
      select user_hash, sum(delta) filter (where delta > 0)::text as credits,
        (-sum(delta) filter (where delta < 0))::text as debits, count(*)::int as rows
      from attention.carry_ledger group by user_hash`;
    expect(ledger).toHaveLength(5);
    for (const row of ledger) {
      expect(BigInt(row.credits)).toBe(owed.get(row.user_hash));
      expect(row.debits).toBe(row.credits);
    }
  });
});

describe('category shard trees', () => {
  it("shard a category's viewers by earliest first_seen like a channel's, each shard claimable by its viewers", async () => {
    await t.sql`truncate attention.raw_events, attention.channel_participation, attention.user_mapping,
      attention.sealed_epochs, attention.sealed_participants, attention.merkle_trees, attention.tree_builds,
      attention.publications, attention.carried_balances, attention.carry_ledger, attention.wallet_bindings`;
    await t.sql`insert into attention.channel_config (channel, token_group, category_override)
      values ('music_one', 'MILO', 'music'), ('music_two', 'MILO', 'music')`;
    const viewers = ['cat_v1', 'cat_v2', 'cat_v3', 'cat_v4', 'cat_v5'];
    for (const user of viewers) {
      await bindWalletDirect(t.sql, user, bs58.encode(randomBytes(32)), new Date(BASE_EPOCH_MS - HOUR_MS));
    }
    // Alternating channels; the category orders them by first_seen across both.
    await writeIngestBatch(
      t.sql,
      viewers.map((user, i) =>
        makeEvent({ user, channel: i % 2 === 0 ? 'music_one' : 'music_two', ts: BASE_EPOCH_MS + i * 1000 }),
      ),
      new Date(BASE_EPOCH_MS + 30 * 60_000),
    );
    const category = testAttentionSettings({ capacity: 2, categoryBaseUnitsPerWeight: 10n });
    const result = await finalizeEpoch(
      { telemetry: SILENT_TELEMETRY, sql: t.sql, settings: category },
      EPOCH,
      builtAt(EPOCH),
    );

    const trees = result.trees.trees.filter((tree) => tree.kind === 'category');
    expect(trees.map((tree) => [tree.channel, tree.leaves, tree.published])).toEqual([
      ['category:music:milo', 2, true],
      ['category:music:milo~2', 2, true],
      ['category:music:milo~3', 1, true],
    ]);
    const dumps = await t.sql<{ channel: string; dump: { claims: { id: string }[] } }[]>`
      select channel, dump from attention.merkle_trees where kind = 'category' order by channel`;
    expect(dumps.flatMap((d) => d.dump.claims.map((c) => c.id))).toEqual(viewers.map(userHash));
    const listed = await new ClaimsReader(t.sql).userClaims('cat_v5');
    expect(listed.claims.map((c) => c.channel).sort()).toEqual(['category:music:milo~3', 'music_one~2']);
  });
});

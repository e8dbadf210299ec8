/**
 * A category's viewers built from the lists its channel trees read equal the database's own read
 * of the category (the fallback), on the same sealed rows: same viewers, order, summed weights,
 * wallets and count, first_seen ties and microseconds included.
 */
import { randomBytes } from 'node:crypto';
import bs58 from 'bs58';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  boundWalletsOfViewers,
  categoryViewers,
  participantLists,
} from '../../layers/shared/src/adapters/db/attention/tree-participant-store.ts';
import {
  aggregateCategoryViewers,
  type ChannelViewers,
  channelViewersFromLists,
} from '../../layers/shared/src/core/attention/category-viewers.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';

const EPOCH = 1_767_261_600;
const NOW = new Date((EPOCH + 4200) * 1000);

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

const participant = fc.record({
  viewer: fc.integer({ min: 0, max: 30 }),
  // Few distinct instants, some with microseconds: ties across and within channels.
  firstSeen: fc.constantFrom(0, 1, 1, 2, 2.000001, 2.000002, 3599.999999),
  weight: fc.integer({ min: 1, max: 5_000 }),
});
const channels = fc.array(fc.uniqueArray(participant, { selector: (p) => p.viewer, maxLength: 25 }), {
  minLength: 1,
  maxLength: 4,
});

describe('category viewers from the channel lists', () => {
  it('are the rows the category read of the sealed participants answers', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(channels, fc.integer({ min: 1, max: 40 }), async (sealed, limit) => {
        const epoch = EPOCH + 3600 * run++;
        const names = sealed.map((_, c) => `music_${c}`);
        const viewer = (v: number) => `${String(v).padStart(2, '0')}${'ab'.repeat(31)}`;
        for (const [c, rows] of sealed.entries()) {
          const ordered = [...rows].sort((a, b) => a.firstSeen - b.firstSeen || a.viewer - b.viewer);
          await t.sql`insert into attention.sealed_epochs (epoch, channel, token_group, category, participant_count, total_weight)
            values (${epoch}, ${names[c] as string}, 'MILO', 'music', ${rows.length}, 0)`;
          if (ordered.length === 0) continue;
          await t.sql`insert into attention.sealed_participants (epoch, channel, position, user_hash, first_seen, weight, amount)
            select ${epoch}, ${names[c] as string}, p - 1, u, to_timestamp(${epoch}::float8 + s), w, w
            from unnest(${ordered.map((r) => viewer(r.viewer))}::text[], ${ordered.map((r) => r.firstSeen)}::float8[],
              ${ordered.map((r) => r.weight)}::bigint[]) with ordinality as x(u, s, w, p)`;
        }
        // Every third viewer has a wallet, one of them bound only after the build.
        await t.sql`insert into attention.wallet_bindings (user_hash, username, wallet, bound_at, nonce)
          select u, 'v', ${bs58.encode(randomBytes(32))} || u, case when u like '03%' then ${new Date(NOW.getTime() + 1000).toISOString()}::timestamptz else ${new Date(EPOCH * 1000).toISOString()}::timestamptz end, ${`n${epoch}`} || u
          from unnest(${Array.from({ length: 31 }, (_, v) => v)
            .filter((v) => v % 3 === 0)
            .map(viewer)}::text[]) as x(u)
          on conflict do nothing`;

        const fromDatabase = await t.sql.begin((tx) =>
          categoryViewers(tx, epoch, 'music', 'MILO', NOW, limit),
        );
        const lists = await participantLists(t.sql, epoch, names, 1_000);
        const read = lists
          .map((l) => channelViewersFromLists(l.channel, l))
          .filter((v): v is ChannelViewers => v !== undefined);
        const wallets = new Map(
          (await boundWalletsOfViewers(t.sql, epoch, names, 1_000, NOW)).map((w) => [w.userHash, w.wallet]),
        );
        const all = aggregateCategoryViewers(read);
        const fromLists = all.slice(0, limit).map((v) => ({
          userHash: v.userHash,
          weight: v.weight,
          wallet: wallets.get(v.userHash) ?? null,
          total: all.length,
        }));
        expect(fromLists).toEqual(fromDatabase);
      }),
      { numRuns: 40 },
    );
  });
});

/**
 * H4 (issue 17): amounts past what a leaf or a database column holds must never stop sealing.
 * The hourly seal function runs as scheduled (its handler, on the wall clock) over participation
 * the ingest writer wrote, with the default 10^9 base units per weight.
 */

import { randomBytes } from 'node:crypto';
import bs58 from 'bs58';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Platform } from '../../functions/platform.ts';
import { EPOCH_SECONDS, latestDueEpoch } from '../../layers/shared/src/core/attention/trees.ts';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import { ClaimTree } from '../../layers/shared/src/core/merkle/index.ts';
import { writeIngestBatch } from '../../layers/shared/src/services/attention/ingest-writer.ts';
import { bindWalletDirect } from '../../layers/shared/src/services/attention/wallet-binding.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { makeEvent } from '../fixtures/events.ts';
import { platformFromEnv } from '../fixtures/platform.ts';

const MAX_I64 = 2n ** 63n - 1n;

let t: TestDatabase;
let seal: (event: unknown) => Promise<unknown>;
let platform: Platform;

const due = latestDueEpoch(Date.now());
const E1 = due - 3 * EPOCH_SECONDS;
const E2 = due - 2 * EPOCH_SECONDS;

beforeAll(async () => {
  t = await createTestDatabase();
  Object.assign(process.env, {
    ORACLE_MODE: 'local',
    LOG_LEVEL: 'SILENT',
    DATABASE_URL: t.url,
    BASE_UNITS_PER_WEIGHT: '1000000000',
    CATEGORY_BASE_UNITS_PER_WEIGHT: '0',
  });
  platform = platformFromEnv();
  seal = (await import('../../functions/scheduled/seal/index.ts')).handler.on(platform);
});

afterAll(async () => {
  await platform.close();
  await t.close();
});

beforeEach(async () => {
  await t.sql`truncate attention.raw_events, attention.channel_participation, attention.user_mapping,
    attention.sealed_epochs, attention.sealed_participants, attention.merkle_trees, attention.tree_builds,
    attention.publications, attention.carried_balances, attention.carry_ledger, attention.wallet_bindings`;
});

/** `count` raids of 10^9 viewers each by `user` in `channel` during `epoch`: 10^10 hundredths of weight apiece. */
function raids(epoch: number, channel: string, user: string, count: number) {
  return Array.from({ length: count }, (_, i) =>
    makeEvent({ channel, user, kind: 'raid', amount: 1_000_000_000, ts: epoch * 1000 + 60_000 + i }),
  );
}

const presence = (epoch: number, channel: string, user: string) =>
  makeEvent({ channel, user, ts: epoch * 1000 + 120_000 });

async function sealedPairs(): Promise<string[]> {
  const rows = await t.sql<{ epoch: number; channel: string }[]>`
    select s.epoch::float8 as epoch, s.channel from attention.sealed_epochs s
    join attention.tree_builds b on b.epoch = s.epoch and b.channel = s.channel
    order by 1, 2`;
  return rows.map((r) => `${r.epoch}:${r.channel}`);
}

describe('overflowing amounts stop only their own work', () => {
  it('two maximal rows for one unbound user that binds later do not stop sealing of any later epoch or other channel', async () => {
    // 90 raids and a presence: 900,000,000,100 hundredths, 9,000,000,001 × 10^9 base units, just
    // under 2^63 in each of two channels; together they are past what a bigint holds.
    await writeIngestBatch(
      t.sql,
      [...raids(E1, 'chan_a', 'whale_fan', 90), ...raids(E1, 'chan_b', 'whale_fan', 90)],
      new Date(),
    );
    await writeIngestBatch(t.sql, [presence(E2, 'chan_c', 'other_fan')], new Date());

    await seal({ epoch: E1 });
    await bindWalletDirect(t.sql, 'whale_fan', bs58.encode(randomBytes(32)), new Date(Date.now() - 60_000));
    await seal({});

    expect(await sealedPairs()).toEqual([`${E1}:chan_a`, `${E1}:chan_b`, `${E2}:chan_c`]);
    const [carry] = await t.sql<{ dump: unknown }[]>`
      select dump from attention.merkle_trees where epoch = ${E2} and channel = 'carry:other'`;
    const tree = ClaimTree.load(carry?.dump as never, { check: 'full' });
    expect(tree.claim(0).id).toBe(userHash('whale_fan'));
    expect(tree.claim(0).amount).toBe(MAX_I64);
    const [left] = await t.sql<{ amount: string }[]>`
      select amount::text from attention.carried_balances where user_hash = ${userHash('whale_fan')}`;
    expect(BigInt(left?.amount ?? '0')).toBe(2n * 9_000_000_001_000_000_000n - MAX_I64);
  });

  it('a poisoned (epoch, channel) does not block the others', async () => {
    // 100 raids each for two viewers: 10^12 hundredths, 10^19 base units apiece, past 2^63.
    await writeIngestBatch(
      t.sql,
      [
        ...raids(E1, 'chan_poison', 'raider_one', 100),
        ...raids(E1, 'chan_poison', 'raider_two', 100),
        presence(E1, 'chan_fine', 'fine_fan'),
        presence(E2, 'chan_fine', 'fine_fan'),
        presence(E2, 'chan_later', 'later_fan'),
      ],
      new Date(),
    );

    await seal({});

    expect(await sealedPairs()).toEqual([`${E1}:chan_fine`, `${E2}:chan_fine`, `${E2}:chan_later`]);
    // The poisoned pair is left as it was, for the operator (void the key that sent it).
    const left = await t.sql`
      select user_hash from attention.channel_participation where epoch = ${E1} and channel = 'chan_poison'`;
    expect(left).toHaveLength(2);
  });
});

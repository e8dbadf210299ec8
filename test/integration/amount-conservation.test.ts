/**
 * No stranded amount (DESIGN.md section 5): across sealing, shard trees, claims, ring-slot
 * rotation, expiry and carry trees too small for every owner, every sealed amount within the
 * shard cap is claimable, claimed or carried — never lost, never paid twice. Random schedules run in program mode against the local chain: the publisher's
 * set_channel_merkle_root and the viewers' claim_channel_open are transactions the attention
 * program executes (its stand-in, or the compiled program with ATTENTION_PROGRAM_SO), paid from
 * the treasury in real tokens.
 */

import { Keypair } from '@solana/web3.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKeypairSigner } from '../../layers/shared/src/adapters/solana/keypair-signer.ts';
import { loadConfig } from '../../layers/shared/src/config.ts';
import { fromHex } from '../../layers/shared/src/core/merkle/index.ts';
import {
  channelSlotStanding,
  decodeChannelState,
  isClaimed,
} from '../../layers/shared/src/core/solana/channel-state.ts';
import { SILENT_TELEMETRY } from '../../layers/shared/src/ports/telemetry.ts';
import { attentionSettings } from '../../layers/shared/src/services/attention/attention-settings.ts';
import { ClaimsReader } from '../../layers/shared/src/services/attention/claims.ts';
import { writeIngestBatch } from '../../layers/shared/src/services/attention/ingest-writer.ts';
import { type PublisherDeps, publishRoot } from '../../layers/shared/src/services/attention/publisher.ts';
import { finalizeEpoch } from '../../layers/shared/src/services/attention/sealing.ts';
import { bindWalletDirect } from '../../layers/shared/src/services/attention/wallet-binding.ts';
import { setUpAttentionProtocol } from '../../local/attention-program-accounts.ts';
import {
  type AttentionChain,
  attentionChainPerTarget,
  PROGRAM_TARGETS,
} from '../fixtures/attention-chain.ts';
import type { TestDatabase } from '../fixtures/db.ts';
import { makeEvent } from '../fixtures/events.ts';

const FIRST_EPOCH = 1_767_225_600; // 2026-01-01T00:00:00Z
const CHANNEL = 'prop_channel';
const USERS = ['user_aaa', 'user_bbb', 'user_ccc', 'user_ddd', 'user_eee'];
const CAPACITY = 2;
const MAX_SHARDS = 2;

let t: TestDatabase;
let chain: AttentionChain;

const step = fc.record({
  signals: fc.array(
    fc.record({ user: fc.constantFrom(...USERS), kind: fc.constantFrom('presence', 'sub', 'bits' as const) }),
    {
      minLength: 1,
      maxLength: 8,
    },
  ),
  bind: fc.subarray(USERS, { maxLength: 2 }),
  claims: fc.array(fc.nat({ max: 9 }), { maxLength: 4 }),
  publish: fc.boolean(),
});

describe.each(PROGRAM_TARGETS)('amount conservation: $name', (target) => {
  const { skip } = target;
  attentionChainPerTarget(target, (db, started) => {
    t = db;
    chain = started;
  });

  it.skipIf(skip)(
    'keeps every sealed amount claimable, claimed or carried over random schedules, across shard trees and carry trees of two',
    async () => {
      let shardTrees = 0;
      let overflowed = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 11, maxLength: 13 }), async (schedule) => {
          await t.sql`truncate attention.raw_events, attention.channel_participation, attention.user_mapping,
          attention.sealed_epochs, attention.sealed_participants, attention.merkle_trees, attention.publications,
          attention.carried_balances, attention.carry_ledger, attention.wallet_bindings, attention.tree_builds,
          attention.channel_config`;
          await t.sql`insert into attention.channel_config (channel, token_group) values (${CHANNEL}, 'MILO')`;
          // A mint of its own per run: no channel state of an earlier run in the way.
          const protocol = await setUpAttentionProtocol(chain.rpc, { publisher: chain.publisher.address });
          const mint = protocol.mint;
          // Trees of 2 leaves, 2 shards a channel: five viewers fill shards, overflow past the
          // cap of 4 places, and carry trees of 2 leave the rest of their owners carried.
          const settings = attentionSettings(
            loadConfig({
              PUBLISH_MODE: 'program',
              TOKEN_GROUP_MINTS: JSON.stringify({ MILO: { mint } }),
              TREE_CAPACITY: String(CAPACITY),
              TOKEN_GROUP_MAX_SHARDS: JSON.stringify({ MILO: MAX_SHARDS }),
            }),
          );
          const deps = chain.publisherDeps({ mints: { MILO: { mint, epochUnit: 'hours' } } });
          const wallets = new Map<string, Keypair>();
          const treasuryBefore = await treasuryBalance(protocol.treasury);
          let claimed = 0n;
          for (const [i, s] of schedule.entries()) {
            const epoch = FIRST_EPOCH + i * 3600;
            const now = new Date((epoch + 3900) * 1000);
            for (const user of s.bind) {
              const wallet = Keypair.generate();
              wallets.set(wallet.publicKey.toBase58(), wallet);
              chain.rpc.airdrop(wallet.publicKey.toBase58(), 100_000_000n);
              await bindWalletDirect(
                t.sql,
                user,
                wallet.publicKey.toBase58(),
                new Date(now.getTime() - 1000),
              );
            }
            await writeIngestBatch(
              t.sql,
              s.signals.map((signal, n) =>
                makeEvent({
                  id: `${epoch}-${n}`,
                  channel: CHANNEL,
                  user: signal.user,
                  kind: signal.kind,
                  amount: signal.kind === 'bits' ? 50 : 1,
                  ts: epoch * 1000 + n * 1000,
                }),
              ),
              now,
            );
            await finalizeEpoch({ telemetry: SILENT_TELEMETRY, sql: t.sql, settings }, epoch, now);
            if (!s.publish) continue;
            const pending = await t.sql<{ epoch: number; channel: string; root: string }[]>`
            select epoch::float8 as epoch, channel, root from attention.publications where status = 'pending' order by epoch, channel`;
            for (const publication of pending) {
              const outcome = await publishRoot(deps, {
                epoch: publication.epoch,
                channel: publication.channel,
              });
              expect(['published', 'expired']).toContain(outcome.outcome);
            }
            // Viewers claim some leaves of roots still in their ring slots.
            const live = await t.sql<
              {
                epoch: number;
                channel: string;
                dump: { claims: { index: number; amount: string; id: string }[] };
              }[]
            >`
            select m.epoch::float8 as epoch, m.channel, m.dump from attention.merkle_trees m
            join attention.publications p using (epoch, channel) where p.status = 'published' order by m.epoch desc, m.channel`;
            for (const pick of s.claims) {
              const tree = live[pick % Math.max(1, live.length)];
              const leaf = tree?.dump.claims[pick % Math.max(1, tree.dump.claims.length)];
              if (tree === undefined || leaf === undefined) continue;
              const standing = await slotStanding(deps, mint, tree.channel, tree.epoch);
              if (standing.kind !== 'present' || isClaimed(standing.slot.claimedBitmap, leaf.index)) continue;
              const view = await new ClaimsReader(t.sql).claim(String(tree.epoch), tree.channel, leaf.id);
              const claimer = createKeypairSigner((wallets.get(view.claimer) as Keypair).secretKey);
              await chain.client.sendAndConfirmTransaction(
                [
                  deps.program.claimChannelOpen({
                    claimer: claimer.address,
                    mint,
                    channel: tree.channel,
                    epoch: BigInt(tree.epoch / 3600),
                    index: view.index,
                    amount: BigInt(view.amount),
                    id: view.id,
                    proof: view.proof.map((p) => fromHex(p, 'proof')),
                  }),
                ],
                claimer,
              );
              claimed += BigInt(leaf.amount);
            }
          }

          // No viewer holds two leaves of one channel-epoch, across its shards.
          const [twice] = await t.sql<{ n: number }[]>`
          select count(*)::int as n from (
            select m.epoch, split_part(m.channel, '~', 1), c->>'id' from attention.merkle_trees m,
              json_array_elements(m.dump->'claims') c
            group by 1, 2, 3 having count(*) > 1) d`;
          expect(twice?.n).toBe(0);
          // Every amount sealed within the cap (places beyond it are overflow: no reward)...
          const [sealed] = await t.sql<
            { total: string | null }[]
          >`select sum(amount)::text as total from attention.sealed_participants where position < ${CAPACITY * MAX_SHARDS}`;
          // ...is still in a leaf that can be claimed (pending, or published and still in its slot, bit clear),
          let claimable = 0n;
          const trees = await t.sql<
            {
              epoch: number;
              channel: string;
              status: string | null;
              returned: boolean;
              dump: { claims: { index: number; amount: string }[] };
            }[]
          >`
          select m.epoch::float8 as epoch, m.channel, p.status, p.returned_at is not null as returned, m.dump
          from attention.merkle_trees m left join attention.publications p using (epoch, channel)
          where m.kind <> 'category'`;
          for (const tree of trees) {
            if (tree.returned || tree.status === 'expired') continue;
            if (tree.status !== 'published') {
              for (const c of tree.dump.claims) claimable += BigInt(c.amount);
              continue;
            }
            const standing = await slotStanding(deps, mint, tree.channel, tree.epoch);
            for (const c of tree.dump.claims) {
              if (standing.kind === 'present' && !isClaimed(standing.slot.claimedBitmap, c.index))
                claimable += BigInt(c.amount);
            }
          }
          // ...or was claimed, or waits in a carried balance.
          const [carried] = await t.sql<
            { total: string | null }[]
          >`select sum(amount)::text as total from attention.carried_balances`;
          expect(claimed + claimable + BigInt(carried?.total ?? '0')).toBe(BigInt(sealed?.total ?? '0'));
          // ...and what was claimed is what left the treasury, in tokens.
          expect(treasuryBefore - (await treasuryBalance(protocol.treasury))).toBe(claimed);
          const [seen] = await t.sql<{ shards: number; overflow: number }[]>`
          select count(*) filter (where position('~' in channel) > 0)::int as shards,
            coalesce(sum(overflow_count), 0)::int as overflow
          from attention.tree_builds`;
          shardTrees += seen?.shards ?? 0;
          overflowed += seen?.overflow ?? 0;
        }),
        { numRuns: 6 },
      );
      // The schedules reached what this property is about: second shards and the cap.
      expect(shardTrees).toBeGreaterThan(0);
      expect(overflowed).toBeGreaterThan(0);
    },
    240_000,
  );
});

async function slotStanding(deps: PublisherDeps, mint: string, channel: string, epoch: number) {
  const account = await deps.solana.getAccount(deps.program.channelStateAddress(mint, channel));
  return channelSlotStanding(decodeChannelState(account?.data ?? new Uint8Array()), BigInt(epoch / 3600));
}

async function treasuryBalance(treasury: string): Promise<bigint> {
  const account = await chain.client.getAccount(treasury);
  return Buffer.from(account?.data ?? new Uint8Array(72)).readBigUInt64LE(64);
}

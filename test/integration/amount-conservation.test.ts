/**
 * No stranded amount (DESIGN.md section 5): across sealing, claims, ring-slot rotation, expiry
 * and carry trees, every sealed amount is claimable, claimed or carried — never lost. Random
 * schedules run in program mode against ChannelState accounts in LiteSVM, written as the program
 * would (set_channel_merkle_root, claims setting bitmap bits).
 */
import { Keypair } from '@solana/web3.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsWorkQueue } from '../../layers/shared/src/adapters/aws/sqs-work-queue.ts';
import { createAttentionProgram } from '../../layers/shared/src/adapters/solana/attention-program.ts';
import { generateKeypairSigner } from '../../layers/shared/src/adapters/solana/keypair-signer.ts';
import { Web3SolanaClient } from '../../layers/shared/src/adapters/solana/web3-solana-client.ts';
import { loadConfig } from '../../layers/shared/src/config.ts';
import {
  channelSlotStanding,
  decodeChannelState,
  isClaimed,
} from '../../layers/shared/src/core/solana/channel-state.ts';
import { attentionSettings } from '../../layers/shared/src/services/attention-settings.ts';
import { writeIngestBatch } from '../../layers/shared/src/services/ingest-writer.ts';
import { type PublisherDeps, publishRoot } from '../../layers/shared/src/services/publisher.ts';
import { finalizeEpoch } from '../../layers/shared/src/services/sealing.ts';
import { bindWalletDirect } from '../../layers/shared/src/services/wallet-binding.ts';
import { markClaimed, setRoot } from '../../local/attention-program-accounts.ts';
import { type SqsService, startSqs } from '../../local/services.ts';
import { type SolanaRpcHandle, startSolanaRpc } from '../../local/solana-rpc.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { makeEvent } from '../fixtures/events.ts';

const FIRST_EPOCH = 1_767_225_600; // 2026-01-01T00:00:00Z
const CHANNEL = 'prop_channel';
const USERS = ['user_aaa', 'user_bbb', 'user_ccc', 'user_ddd', 'user_eee'];

let t: TestDatabase;
let rpc: SolanaRpcHandle;
let sqs: SqsService;

beforeAll(async () => {
  t = await createTestDatabase();
  rpc = await startSolanaRpc({ slotIntervalMs: 0 });
  sqs = await startSqs();
});
afterAll(async () => {
  await sqs.stop();
  await rpc.stop();
  await t.close();
});

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

describe('amount conservation', () => {
  it('keeps every sealed amount claimable, claimed or carried over random schedules', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 11, maxLength: 13 }), async (schedule) => {
        await t.sql`truncate attention.raw_events, attention.channel_participation, attention.user_mapping,
          attention.sealed_epochs, attention.sealed_participants, attention.merkle_trees, attention.publications,
          attention.carried_balances, attention.carry_ledger, attention.wallet_bindings, attention.tree_builds,
          attention.channel_config`;
        await t.sql`insert into attention.channel_config (channel, token_group) values (${CHANNEL}, 'MILO')`;
        const mint = Keypair.generate().publicKey.toBase58();
        const settings = attentionSettings(
          loadConfig({ PUBLISH_MODE: 'program', TOKEN_GROUP_MINTS: JSON.stringify({ MILO: { mint } }) }),
        );
        const { signer } = generateKeypairSigner();
        rpc.airdrop(signer.address, 1_000_000_000n);
        const deps: PublisherDeps = {
          sql: t.sql,
          solana: new Web3SolanaClient({ url: rpc.url, pollIntervalMs: 10 }),
          signer,
          program: createAttentionProgram(),
          queue: new SqsWorkQueue({
            queueUrl: sqs.queues.publish.url,
            deadLetterQueueUrl: sqs.queues.publish.dlqUrl,
            client: sqs.client,
          }),
          mode: 'program',
          mints: { MILO: { mint, epochUnit: 'hours' } },
        };
        let claimed = 0n;
        for (const [i, s] of schedule.entries()) {
          const epoch = FIRST_EPOCH + i * 3600;
          const now = new Date((epoch + 3900) * 1000);
          for (const user of s.bind) {
            await bindWalletDirect(
              t.sql,
              user,
              Keypair.generate().publicKey.toBase58(),
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
          await finalizeEpoch({ sql: t.sql, settings }, epoch, now);
          if (!s.publish) continue;
          const pending = await t.sql<{ epoch: number; channel: string; root: string }[]>`
            select epoch::float8 as epoch, channel, root from attention.publications where status = 'pending' order by epoch, channel`;
          for (const publication of pending) {
            const message = { epoch: publication.epoch, channel: publication.channel };
            const first = await publishRoot(deps, message).catch(() => undefined);
            if (first?.outcome === 'expired') continue;
            // No program is deployed here: the root lands as set_channel_merkle_root would write it.
            setRoot(
              rpc,
              { mint, channel: publication.channel },
              BigInt(publication.epoch / 3600),
              Buffer.from(publication.root.replace(/^0x/, ''), 'hex'),
            );
            expect((await publishRoot(deps, message)).outcome).toBe('already-published');
          }
          // Viewers claim some leaves of roots still in their ring slots.
          const live = await t.sql<
            { epoch: number; channel: string; dump: { claims: { index: number; amount: string }[] } }[]
          >`
            select m.epoch::float8 as epoch, m.channel, m.dump from attention.merkle_trees m
            join attention.publications p using (epoch, channel) where p.status = 'published' order by m.epoch desc, m.channel`;
          for (const pick of s.claims) {
            const tree = live[pick % Math.max(1, live.length)];
            const leaf = tree?.dump.claims[pick % Math.max(1, tree.dump.claims.length)];
            if (tree === undefined || leaf === undefined) continue;
            const account = await deps.solana.getAccount(
              deps.program.channelStateAddress(mint, tree.channel),
            );
            const standing = channelSlotStanding(
              decodeChannelState(account?.data ?? new Uint8Array()),
              BigInt(tree.epoch / 3600),
            );
            if (standing.kind !== 'present' || isClaimed(standing.slot.claimedBitmap, leaf.index)) continue;
            markClaimed(rpc, { mint, channel: tree.channel }, BigInt(tree.epoch / 3600), leaf.index);
            claimed += BigInt(leaf.amount);
          }
        }

        // Every amount sealed within capacity...
        const [sealed] = await t.sql<
          { total: string | null }[]
        >`select sum(amount)::text as total from attention.sealed_participants`;
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
          const account = await deps.solana.getAccount(deps.program.channelStateAddress(mint, tree.channel));
          const standing = channelSlotStanding(
            decodeChannelState(account?.data ?? new Uint8Array()),
            BigInt(tree.epoch / 3600),
          );
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
      }),
      { numRuns: 6 },
    );
  }, 240_000);
});

/**
 * Issue 20's worked case: one channel with 5,000 participants, 3,000 of them bound, is three
 * shard trees (1,024 + 1,024 + 952 leaves) and 2,000 carried balances; each shard is published
 * on the local chain under its own name and every bound viewer's served claim verifies against
 * the root its shard's channel_state holds.
 */

import { randomBytes } from 'node:crypto';
import { Keypair } from '@solana/web3.js';
import bs58 from 'bs58';
import { describe, expect, it } from 'vitest';
import { fromBase58, fromHex, verifyClaim } from '../../layers/shared/src/core/merkle/index.ts';
import { shardCost } from '../../layers/shared/src/core/solana/shard-cost.ts';
import { SILENT_TELEMETRY } from '../../layers/shared/src/ports/telemetry.ts';
import { ClaimsReader } from '../../layers/shared/src/services/attention/claims.ts';
import { writeIngestBatch } from '../../layers/shared/src/services/attention/ingest-writer.ts';
import { verifyPublication } from '../../layers/shared/src/services/attention/publication-verifier.ts';
import { publishRoot } from '../../layers/shared/src/services/attention/publisher.ts';
import { finalizeEpoch } from '../../layers/shared/src/services/attention/sealing.ts';
import { channelShardUsage } from '../../layers/shared/src/services/attention/shard-usage.ts';
import { bindWalletDirect } from '../../layers/shared/src/services/attention/wallet-binding.ts';
import {
  type AttentionChain,
  attentionChainPerTarget,
  claimFromWallet,
  PROGRAM_TARGETS,
  tokenBalance,
} from '../fixtures/attention-chain.ts';
import type { TestDatabase } from '../fixtures/db.ts';
import { makeEvent } from '../fixtures/events.ts';

const EPOCH = 1_767_225_600; // 2026-01-01T00:00:00Z
const CHANNEL = 'big_channel';
const PARTICIPANTS = 5000;
const viewer = (i: number) => `viewer_${String(i).padStart(5, '0')}`;
/** Bound and unbound interleaved in sealing order: 3 of every 5 bound. */
const isBound = (i: number) => i % 5 < 3;

let t: TestDatabase;
let chain: AttentionChain;

describe.each(PROGRAM_TARGETS)('shard trees: $name', (target) => {
  const { skip } = target;
  attentionChainPerTarget(target, (db, started) => {
    t = db;
    chain = started;
  });

  it.skipIf(skip)(
    'splits 5,000 participants with 3,000 bound into three published shards whose every claim verifies on chain',
    async () => {
      await t.sql`insert into attention.channel_config (channel, token_group) values (${CHANNEL}, 'MILO')`;
      const now = new Date((EPOCH + 3900) * 1000);
      // The first bound viewer of each shard gets a real keypair and claims on chain below.
      const claimers = new Map<number, Keypair>();
      const bound: number[] = [];
      for (let i = 0; i < PARTICIPANTS; i++) if (isBound(i)) bound.push(i);
      for (const k of [0, 1024, 2048]) claimers.set(bound[k] as number, Keypair.generate());
      for (let start = 0; start < bound.length; start += 50) {
        await Promise.all(
          bound.slice(start, start + 50).map((i) => {
            const wallet = claimers.get(i)?.publicKey.toBase58() ?? bs58.encode(randomBytes(32));
            return bindWalletDirect(t.sql, viewer(i), wallet, new Date(now.getTime() - 60_000));
          }),
        );
      }
      for (const keypair of claimers.values())
        chain.rpc.airdrop(keypair.publicKey.toBase58(), 1_000_000_000n);
      await writeIngestBatch(
        t.sql,
        Array.from({ length: PARTICIPANTS }, (_, i) =>
          makeEvent({ channel: CHANNEL, user: viewer(i), ts: EPOCH * 1000 + i * 100 }),
        ),
        now,
      );

      const result = await finalizeEpoch(
        { telemetry: SILENT_TELEMETRY, sql: t.sql, settings: chain.settings },
        EPOCH,
        now,
      );

      const shards = result.trees.trees.filter((tree) => tree.kind === 'channel');
      expect(shards.map((s) => [s.channel, s.leaves])).toEqual([
        [CHANNEL, 1024],
        [`${CHANNEL}~2`, 1024],
        [`${CHANNEL}~3`, 952],
      ]);
      expect(shards[0]).toMatchObject({ carried: 2000, overflow: 0 });
      const [carried] = await t.sql<{ owners: number }[]>`
        select count(*)::int as owners from attention.carried_balances where amount > 0`;
      expect(carried?.owners).toBe(2000);

      const deps = chain.publisherDeps();
      const pending = await t.sql<{ channel: string }[]>`
        select channel from attention.publications where epoch = ${EPOCH} and status = 'pending' order by channel`;
      expect(pending.map((p) => p.channel)).toEqual([CHANNEL, `${CHANNEL}~2`, `${CHANNEL}~3`]);
      const onChainRoots = new Map<string, Uint8Array>();
      for (const { channel } of pending) {
        const before = await chain.client.getBalance(chain.publisher.address);
        expect(await publishRoot(deps, { epoch: EPOCH, channel })).toMatchObject({ outcome: 'published' });
        // Each shard's first root creates its channel_state: the README's rent plus one fee.
        const { rentLamports, feeLamportsPerRoot } = shardCost(0n);
        expect(before - (await chain.client.getBalance(chain.publisher.address))).toBe(
          rentLamports + feeLamportsPerRoot,
        );
        const check = await verifyPublication(deps, EPOCH, channel);
        expect(check).toMatchObject({ ok: true, status: 'published' });
        onChainRoots.set(channel, fromHex(check.onChain?.root as string, 'root', 32));
      }

      // Every bound viewer's served claim verifies against its own shard's on-chain root.
      const reader = new ClaimsReader(t.sql);
      for (const [k, i] of bound.entries()) {
        const shard = k < 1024 ? CHANNEL : k < 2048 ? `${CHANNEL}~2` : `${CHANNEL}~3`;
        const view = await reader.claim(String(EPOCH), shard, viewer(i));
        expect(view.index).toBe(k % 1024);
        const claim = {
          claimer: fromBase58(view.claimer, 'claimer'),
          index: view.index,
          amount: BigInt(view.amount),
          id: view.id,
        };
        const proof = view.proof.map((p) => fromHex(p, 'proof'));
        expect(verifyClaim(onChainRoots.get(shard) as Uint8Array, claim, proof, { format: 'claim-v1' })).toBe(
          true,
        );
      }

      // GET /claims/{user} lists a viewer's leaf under its shard, once; a viewer asking the
      // wrong shard is told their leaf is elsewhere.
      const second = viewer(bound[1500] as number);
      const listed = await reader.userClaims(second);
      expect(listed.claims.map((c) => c.channel)).toEqual([`${CHANNEL}~2`]);
      await expect(reader.claim(String(EPOCH), CHANNEL, second)).rejects.toThrow(
        /their leaf is in another shard of big_channel/,
      );
      await expect(reader.claim(String(EPOCH), `${CHANNEL}~4`, second)).rejects.toThrow(
        /big_channel has 3 shard trees in epoch .*, not 4/,
      );
      const unbound = viewer(3);
      expect((await reader.userClaims(unbound)).carried).toEqual([
        { tokenGroup: 'MILO', amount: expect.any(String), waitingForBinding: true },
      ]);

      // oracle channels: the shards the channel used, beside its group's cap.
      expect(await channelShardUsage(t.sql, chain.settings)).toEqual([
        {
          channel: CHANNEL,
          tokenGroup: 'MILO',
          maxShards: 8,
          epochs: 1,
          maxShardsUsed: 3,
          lastEpoch: EPOCH,
          lastShardsUsed: 3,
          overflow: 0,
        },
      ]);

      // One viewer of each shard claims on chain: the program takes the shard's proof.
      for (const [i, wallet] of claimers) {
        const k = bound.indexOf(i);
        const channel = k < 1024 ? CHANNEL : k < 2048 ? `${CHANNEL}~2` : `${CHANNEL}~3`;
        const before = await tokenBalance(chain, wallet.publicKey.toBase58());
        const { amount } = await claimFromWallet(t.sql, chain, {
          epoch: EPOCH,
          channel,
          viewer: viewer(i),
          wallet,
        });
        expect(amount).toBeGreaterThan(0n);
        expect((await tokenBalance(chain, wallet.publicKey.toBase58())) - before).toBe(amount);
      }
    },
    180_000,
  );
});

/**
 * Publishing 500 roots through the publish FIFO queue against the local Solana RPC: roots per
 * second and the time of one 50-root tick, beside a sequential send-and-confirm of the same
 * memos in the same run.
 */

import { Keypair } from '@solana/web3.js';
import postgres from 'postgres';
import { SqsWorkQueue } from '../../layers/shared/src/adapters/aws/sqs-work-queue.ts';
import { runMigrations } from '../../layers/shared/src/adapters/db/migrate.ts';
import { createAttentionProgram } from '../../layers/shared/src/adapters/solana/attention-program.ts';
import { generateKeypairSigner } from '../../layers/shared/src/adapters/solana/keypair-signer.ts';
import { Web3SolanaClient } from '../../layers/shared/src/adapters/solana/web3-solana-client.ts';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import { ClaimTree, toHex } from '../../layers/shared/src/core/merkle/index.ts';
import { buildRootMemo, rootMemoInstruction } from '../../layers/shared/src/core/solana/root-memo.ts';
import { SILENT_TELEMETRY } from '../../layers/shared/src/ports/telemetry.ts';
import type { PublisherDeps } from '../../layers/shared/src/services/attention/publisher.ts';
import { startEmbeddedPostgres } from '../../local/embedded-postgres.ts';
import { startSqs } from '../../local/services.ts';
import { startSolanaRpc } from '../../local/solana-rpc.ts';
import type { BenchRow } from './harness.ts';
import { publishTick } from './publish-tick.ts';

export const title = 'publisher';

const EPOCH = 1_767_261_600;
const CHANNELS = 50;
const EPOCHS = 10;

export async function bench(): Promise<BenchRow[]> {
  const pg = await startEmbeddedPostgres();
  const rpc = await startSolanaRpc();
  const sqs = await startSqs();
  try {
    const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
    await admin.unsafe('create database bench_publisher');
    await admin.end();
    const url = pg.urlFor('bench_publisher');
    await runMigrations(url);
    const sql = postgres(url, { max: 12, onnotice: () => {} });
    const { signer } = generateKeypairSigner();
    rpc.airdrop(signer.address, 100_000_000_000n);
    const deps: PublisherDeps = {
      sql,
      telemetry: SILENT_TELEMETRY,
      solana: new Web3SolanaClient({ url: rpc.url, pollIntervalMs: 25 }),
      signer,
      program: createAttentionProgram(),
      queue: new SqsWorkQueue({
        queueUrl: sqs.queues.publish.url,
        deadLetterQueueUrl: sqs.queues.publish.dlqUrl,
        client: sqs.client,
      }),
      mode: 'memo',
      mints: {},
    };
    const roots: { epoch: number; channel: string; root: string }[] = [];
    for (let c = 0; c < CHANNELS; c++) {
      for (let e = 0; e < EPOCHS; e++) {
        const tree = ClaimTree.build(
          [
            {
              claimer: Keypair.generate().publicKey.toBytes(),
              index: 0,
              amount: 1000n,
              id: userHash(`viewer_${c}_${e}`),
            },
          ],
          { format: 'claim-v1' },
        );
        const root = toHex(tree.root).replace(/^0x/, '');
        const channel = `channel_${String(c).padStart(3, '0')}`;
        roots.push({ epoch: EPOCH + e * 3600, channel, root });
        await sql`insert into attention.merkle_trees (epoch, channel, kind, token_group, format, root, leaf_count, total_amount, dump)
          values (${EPOCH + e * 3600}, ${channel}, 'channel', 'MILO', 'claim-v1', ${root}, 1, 1000, ${JSON.stringify(tree.dump())}::jsonb)`;
        await sql`insert into attention.publications (epoch, channel, token_group, mode, root)
          values (${EPOCH + e * 3600}, ${channel}, 'MILO', 'memo', ${root})`;
      }
    }

    let firstTickMs = 0;
    const started = performance.now();
    for (let tick = 0; tick < 20; tick++) {
      const tickStarted = performance.now();
      if ((await publishTick(deps, sqs)) === 0) break;
      if (tick === 0) firstTickMs = performance.now() - tickStarted;
    }
    const elapsed = (performance.now() - started) / 1000;
    const [published] = await sql<
      { n: number }[]
    >`select count(*)::int as n from attention.publications where status = 'published'`;
    if (published?.n !== roots.length) throw new Error(`published ${published?.n} of ${roots.length} roots`);

    // Baseline: one root after the other, each sent and confirmed before the next.
    const baselineCount = 100;
    const baselineStarted = performance.now();
    for (const root of roots.slice(0, baselineCount)) {
      await deps.solana.sendAndConfirmTransaction(
        [
          rootMemoInstruction(
            buildRootMemo({ channel: `${root.channel}b`, epoch: root.epoch, root: root.root }),
          ),
        ],
        signer,
      );
    }
    const baselineRate = baselineCount / ((performance.now() - baselineStarted) / 1000);
    await sql.end();
    return [
      {
        name: `500 roots through the publish queue (${CHANNELS} channels × ${EPOCHS} epochs)`,
        value: roots.length / elapsed,
        unit: 'roots/s',
        peer: { name: 'sequential send-and-confirm', value: baselineRate },
      },
      {
        name: 'one 50-root tick (schedule + publish + confirm)',
        value: firstTickMs,
        unit: 'ms',
        target: '< 60,000 (one tick a minute)',
        met: firstTickMs < 60_000,
      },
    ];
  } finally {
    await sqs.stop();
    await rpc.stop();
    await pg.stop();
  }
}

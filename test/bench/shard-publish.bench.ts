/**
 * Issue 20: with shards an hour holds several hundred roots. 100 channels × 8 shard trees of one
 * epoch are published in program mode (set_channel_merkle_root, each shard's channel_state
 * created on first use) against the local RPC's attention program, by the every-minute scheduler
 * (at most 50 roots a tick) and the publish queue's consumers, on a simulated clock that moves one
 * minute per tick. Target: every root published within 20 minutes of sealing, each tick's work
 * done well within its minute.
 */

import { Keypair } from '@solana/web3.js';
import postgres from 'postgres';
import { SqsWorkQueue } from '../../layers/shared/src/adapters/aws/sqs-work-queue.ts';
import { runMigrations } from '../../layers/shared/src/adapters/db/migrate.ts';
import { createAttentionProgram } from '../../layers/shared/src/adapters/solana/attention-program.ts';
import { generateKeypairSigner } from '../../layers/shared/src/adapters/solana/keypair-signer.ts';
import { Web3SolanaClient } from '../../layers/shared/src/adapters/solana/web3-solana-client.ts';
import { MAX_ROOTS_PER_TICK } from '../../layers/shared/src/core/attention/publication-schedule.ts';
import { shardName } from '../../layers/shared/src/core/attention/trees.ts';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import { ClaimTree, toHex } from '../../layers/shared/src/core/merkle/index.ts';
import { SILENT_TELEMETRY } from '../../layers/shared/src/ports/telemetry.ts';
import type { PublisherDeps } from '../../layers/shared/src/services/attention/publisher.ts';
import { setUpAttentionProtocol } from '../../local/attention-program-accounts.ts';
import { startEmbeddedPostgres } from '../../local/embedded-postgres.ts';
import { startSqs } from '../../local/services.ts';
import { startSolanaRpc } from '../../local/solana-rpc.ts';
import type { BenchRow } from './harness.ts';
import { publishTick } from './publish-tick.ts';

export const title = 'shard publishing';

const EPOCH = 1_767_261_600;
const CHANNELS = 100;
const SHARDS = 8;
/** Sealing runs at :05; the scheduler's first tick after it is a minute later at most. */
const SEALED_AT_MS = (EPOCH + 3600 + 300) * 1000;
const MAX_TICKS = 30;

export async function bench(): Promise<BenchRow[]> {
  const pg = await startEmbeddedPostgres();
  const rpc = await startSolanaRpc();
  const sqs = await startSqs();
  try {
    const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
    await admin.unsafe('create database bench_shards');
    await admin.end();
    const url = pg.urlFor('bench_shards');
    await runMigrations(url);
    const sql = postgres(url, { max: 12, onnotice: () => {} });
    const { signer } = generateKeypairSigner();
    rpc.airdrop(signer.address, 100_000_000_000n);
    const protocol = await setUpAttentionProtocol(rpc, { publisher: signer.address });
    let tick = 0;
    const deps: PublisherDeps = {
      sql,
      telemetry: SILENT_TELEMETRY,
      solana: new Web3SolanaClient({ url: rpc.url, pollIntervalMs: 25 }),
      signer,
      program: createAttentionProgram(protocol.programId),
      queue: new SqsWorkQueue({
        queueUrl: sqs.queues.publish.url,
        deadLetterQueueUrl: sqs.queues.publish.dlqUrl,
        client: sqs.client,
      }),
      mode: 'program',
      mints: { MILO: { mint: protocol.mint, epochUnit: 'hours' } },
      now: () => new Date(SEALED_AT_MS + tick * 60_000),
    };
    const rows: Record<string, unknown>[] = [];
    const publications: Record<string, unknown>[] = [];
    for (let c = 0; c < CHANNELS; c++) {
      for (let k = 1; k <= SHARDS; k++) {
        const channel = shardName(`channel_${String(c).padStart(3, '0')}`, k);
        const tree = ClaimTree.build(
          [
            {
              claimer: Keypair.generate().publicKey.toBytes(),
              index: 0,
              amount: 1000n,
              id: userHash(`v_${c}_${k}`),
            },
          ],
          { format: 'claim-v1' },
        );
        const root = toHex(tree.root).replace(/^0x/, '');
        rows.push({
          epoch: EPOCH,
          channel,
          kind: 'channel',
          token_group: 'MILO',
          format: 'claim-v1',
          root,
          leaf_count: 1,
          total_amount: '1000',
          dump: tree.dump(),
        });
        publications.push({
          epoch: EPOCH,
          channel,
          token_group: 'MILO',
          mint: protocol.mint,
          mode: 'program',
          root,
        });
      }
    }
    await sql`insert into attention.merkle_trees ${sql(rows.map((r) => ({ ...r, dump: sql.json(r['dump'] as never) })))}`;
    await sql`insert into attention.publications ${sql(publications)}`;

    const tickMs: number[] = [];
    let published = 0;
    for (tick = 1; tick <= MAX_TICKS && published < rows.length; tick++) {
      const started = performance.now();
      const queued = await publishTick(deps, sqs);
      if (queued > MAX_ROOTS_PER_TICK) throw new Error(`tick ${tick} queued ${queued} roots`);
      tickMs.push(performance.now() - started);
      const [count] = await sql<{ n: number }[]>`
        select count(*)::int as n from attention.publications where status = 'published'`;
      published = count?.n ?? 0;
    }
    const minutes = tickMs.length;
    const accounts = await Promise.all(
      ['channel_000', 'channel_000~8'].map(async (channel) => {
        const [row] = await sql<{ status: string }[]>`
          select status from attention.publications where epoch = ${EPOCH} and channel = ${channel}`;
        return row?.status;
      }),
    );
    await sql.end();
    if (published !== rows.length)
      throw new Error(`published ${published} of ${rows.length} roots in ${minutes} ticks`);
    if (accounts.some((s) => s !== 'published'))
      throw new Error(`first and last shard: ${accounts.join(', ')}`);
    const slowest = Math.max(...tickMs);
    return [
      {
        name: `${CHANNELS} channels × ${SHARDS} shards (${rows.length} roots, program mode): minutes from sealing to the last root published`,
        value: minutes,
        unit: 'min',
        target: '≤ 20',
        met: minutes <= 20,
        notes: `${MAX_ROOTS_PER_TICK} roots a tick, one tick a simulated minute`,
      },
      {
        name: 'slowest 50-shard-root tick (schedule + publish + confirm, each creating its channel_state)',
        value: slowest,
        unit: 'ms',
        target: '< 60,000 (one tick a minute)',
        met: slowest < 60_000,
      },
    ];
  } finally {
    await sqs.stop();
    await rpc.stop();
    await pg.stop();
  }
}

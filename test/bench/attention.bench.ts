/**
 * Attention oracle targets (issue 5):
 * (a) sealing 100 channels × 1,024 participants end to end (rows frozen, 100 channel trees
 *     built and stored) under 1 s, beside a bare INSERT … SELECT of the same rows into the
 *     same table measured in the same run (the floor any sealing has to pay); trees are hashed
 *     on a worker thread, as the local runtime's seal function hashes them;
 * (b) the claims API under autocannon: 1,000 connections for 30 s against the local HTTP
 *     server, no errors, p95 under 500 ms and within 3× of a static-response node:http server
 *     measured the same way in the same run.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import bs58 from 'bs58';
import postgres from 'postgres';
import { runMigrations } from '../../layers/shared/src/adapters/db/migrate.ts';
import { SILENT_TELEMETRY } from '../../layers/shared/src/ports/telemetry.ts';
import { sealEpoch } from '../../layers/shared/src/services/attention/sealing.ts';
import { buildEpochTrees } from '../../layers/shared/src/services/attention/tree-builder.ts';
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from '../../local/embedded-postgres.ts';
import { WorkerTreeHasher } from '../../local/tree-hash-pool.ts';
import { testAttentionSettings } from '../fixtures/attention-settings.ts';
import { bareSealInsert } from './bare-seal.ts';
import type { BenchRow } from './harness.ts';

export const title = 'attention: sealing and claims';

const CHANNELS = 100;
const PER_CHANNEL = 1024;
const VIEWERS = 20_000;
const EPOCH = Math.floor(Date.UTC(2026, 0, 1, 10) / 3_600_000) * 3600;
const ROUNDS = 6;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONNECTIONS = 1000;
const DURATION_S = 30;

const SETTINGS = testAttentionSettings({
  baseUnitsPerWeight: 1_000_000_000n,
  categoryBaseUnitsPerWeight: 0n,
});

/** 100 channels of 1,024 viewers each out of a pool of 20,000 (viewers watch several channels), all bound. */
async function seed(sql: postgres.Sql, epoch: number): Promise<void> {
  await sql`
    insert into attention.channel_participation (epoch, channel, user_hash, first_seen, weight, presence)
    select ${epoch}, 'channel_' || lpad(c::text, 3, '0'),
      encode(sha256(convert_to('viewer_' || ((c * 197 + i) % ${VIEWERS}), 'UTF8')), 'hex'),
      to_timestamp(${epoch} + (i * 7 + c) % 3600), 100 + (i % 13) * 100, 1
    from generate_series(0, ${CHANNELS - 1}) c, generate_series(0, ${PER_CHANNEL - 1}) i`;
}

async function bindAll(sql: postgres.Sql): Promise<void> {
  const hashes = await sql<{ h: string }[]>`
    select distinct encode(sha256(convert_to('viewer_' || v, 'UTF8')), 'hex') as h from generate_series(0, ${VIEWERS - 1}) v`;
  const wallets = hashes.map(() => bs58.encode(randomBytes(32)));
  await sql`
    insert into attention.wallet_bindings (user_hash, username, wallet, bound_at, nonce)
    select h, 'v', w, ${new Date((EPOCH - 86_400) * 1000)}, 'bench:' || h
    from unnest(${hashes.map((r) => r.h)}::text[], ${wallets}::text[]) as t(h, w)`;
}

async function sealingRows(url: string): Promise<BenchRow[]> {
  // Trees hashed on a worker thread, as the local runtime's seal function does.
  const treeHasher = WorkerTreeHasher.start();
  try {
    const sql = postgres(url, { max: 4, onnotice: () => {} });
    await bindAll(sql);
    const samples: { ours: number; bare: number; seal: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const epoch = EPOCH + round * 3600;
      const now = new Date((epoch + 3600 + 600) * 1000);
      await seed(sql, epoch);
      await sql`vacuum analyze attention.channel_participation`;

      // The peer, measured in the same run on the same rows.
      const bare = await bareSealInsert(sql, epoch);

      const started = performance.now();
      const sealed = await sealEpoch(
        { telemetry: SILENT_TELEMETRY, sql, settings: SETTINGS, treeHasher },
        epoch,
        now,
      );
      const sealMs = performance.now() - started;
      const trees = await buildEpochTrees(
        { telemetry: SILENT_TELEMETRY, sql, settings: SETTINGS, treeHasher },
        epoch,
        now,
      );
      const ours = performance.now() - started;
      const channelTrees = trees.trees.filter((t) => t.kind === 'channel' && t.outcome === 'stored').length;
      if (sealed.sealed.length !== CHANNELS || channelTrees !== CHANNELS) {
        throw new Error(`sealed ${sealed.sealed.length} channels and stored ${channelTrees} channel trees`);
      }
      if (round > 0) samples.push({ ours, bare, seal: sealMs });
    }
    await sql.end();
    const median = (pick: (s: { ours: number; bare: number; seal: number }) => number) => {
      const values = samples.map(pick).sort((a, b) => a - b);
      return values[Math.floor(values.length / 2)] ?? Number.NaN;
    };
    const ours = median((s) => s.ours);
    return [
      {
        name: `seal ${CHANNELS} channels × ${PER_CHANNEL} participants + all trees built and stored`,
        value: ours,
        unit: 'ms',
        peer: { name: 'bare INSERT … SELECT of the same rows', value: median((s) => s.bare) },
        target: '< 1,000 ms',
        met: ours < 1000,
        notes: `median of ${samples.length} epochs; of which sealing (rows frozen) ${median((s) => s.seal).toFixed(0)} ms; trees: ${CHANNELS} channel, 1 category, 1 carry, hashed on a worker thread`,
      },
    ];
  } finally {
    await treeHasher.close();
  }
}

/** Starts test/bench/attention-server.ts in its own process; resolves with its URL. */
async function startServer(
  mode: 'local' | 'static',
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/attention-server.ts', mode], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  return { url, child };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

interface LoadResult {
  readonly p95: number;
  readonly p50: number;
  readonly requests: number;
  readonly rate: number;
  readonly failures: number;
  /** What the failures were: non-2xx statuses, timeouts and socket errors, by kind. */
  readonly failureKinds: Record<string, number>;
}

/** autocannon with `CONNECTIONS` connections for `DURATION_S`; p95 from every response's own time. */
async function load(url: string, nextPath: () => string, durationS = DURATION_S): Promise<LoadResult> {
  const times: number[] = [];
  const failureKinds: Record<string, number> = {};
  const count = (kind: string) => {
    failureKinds[kind] = (failureKinds[kind] ?? 0) + 1;
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: CONNECTIONS,
        duration: durationS,
        requests: [
          {
            setupRequest: (request) => {
              request.path = nextPath();
              return request;
            },
          },
        ],
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (_client, status, _bytes, responseTime) => {
      times.push(responseTime);
      if (status < 200 || status > 299) count(`HTTP ${status}`);
    });
    instance.on('reqError', (error: NodeJS.ErrnoException) => {
      count(error.code ?? error.message);
    });
  });
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? Number.NaN;
  return {
    p95: at(0.95),
    p50: at(0.5),
    requests: result.requests.total,
    rate: result.requests.average,
    // autocannon counts timeouts among its errors.
    failures: result.errors + result.non2xx,
    failureKinds,
  };
}

async function claimsRows(url: string): Promise<BenchRow[]> {
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  const epoch = EPOCH + (ROUNDS - 1) * 3600;
  const leaves = await sql<{ channel: string; user_hash: string }[]>`
    select channel, user_hash from attention.sealed_participants where epoch = ${epoch} and position < 1024`;
  await sql.end();
  const paths = leaves.map((l) => `/claims/${epoch}/${l.channel}/${l.user_hash}`);
  let next = 0;
  // A fixed stride through every leaf: each tree and each leaf are asked for in turn.
  const nextPath = () => {
    next = (next + 7919) % paths.length;
    return paths[next] as string;
  };

  const local = await startServer('local', { DATABASE_URL: url, ORACLE_MODE: 'local', LOG_LEVEL: 'SILENT' });
  let ours: LoadResult;
  try {
    // Warm: every tree loaded once, as a running server has them.
    for (let c = 0; c < CHANNELS; c++) {
      const response = await fetch(
        `${local.url}/claims/${epoch}/channel_${String(c).padStart(3, '0')}/${leaves.find((l) => l.channel === `channel_${String(c).padStart(3, '0')}`)?.user_hash}`,
      );
      if (response.status !== 200)
        throw new Error(`warm-up claim answered ${response.status}: ${await response.text()}`);
    }
    // A running server has its code optimized and its caches full: 5 s of the same load first.
    await load(local.url, nextPath, 5);
    ours = await load(local.url, nextPath);
  } finally {
    await stopServer(local.child);
  }
  const fixed = await startServer('static', {});
  let peer: LoadResult;
  try {
    await load(fixed.url, () => '/', 5);
    peer = await load(fixed.url, () => '/');
  } finally {
    await stopServer(fixed.child);
  }
  const within = ours.p95 <= 3 * peer.p95;
  return [
    {
      name: `claims API p95, ${CONNECTIONS} connections × ${DURATION_S} s (GET /claims/{epoch}/{channel}/{user}, ${CHANNELS} trees)`,
      value: ours.p95,
      unit: 'ms',
      peer: { name: 'static-response node:http server', value: peer.p95 },
      target: '< 500 ms, <= 3x peer, 0 errors',
      met: ours.failures === 0 && ours.p95 < 500 && within,
      notes: `${ours.requests} requests (${ours.rate.toFixed(0)}/s), ${ours.failures} errors/timeouts/non-2xx ${JSON.stringify(ours.failureKinds)}, p50 ${ours.p50} ms; peer ${peer.requests} requests (${peer.rate.toFixed(0)}/s), p50 ${peer.p50} ms, ${peer.failures} failures`,
    },
  ];
}

export async function bench(): Promise<BenchRow[]> {
  const pg: EmbeddedPostgresHandle = await startEmbeddedPostgres();
  try {
    const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
    await admin.unsafe('create database bench_attention');
    await admin.end();
    const url = pg.urlFor('bench_attention');
    await runMigrations(url);
    const sealing = await sealingRows(url);
    // ATTENTION_BENCH=sealing skips the minute of load.
    return [...sealing, ...(process.env['ATTENTION_BENCH'] === 'sealing' ? [] : await claimsRows(url))];
  } finally {
    await pg.stop();
  }
}

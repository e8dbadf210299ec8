/**
 * Ingest throughput into PostgreSQL: the batch writer against one INSERT per event, and the
 * whole path through POST /ingest (HTTP → queue → writer) against the same naive writer.
 */
import postgres from 'postgres';
import { runMigrations } from '../../layers/shared/src/adapters/db/migrate.ts';
import { IRC_KEY_ID, type KeyedEvent } from '../../layers/shared/src/core/attention/signals.ts';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import { writeIngestBatch } from '../../layers/shared/src/services/attention/ingest-writer.ts';
import { startEmbeddedPostgres } from '../../local/embedded-postgres.ts';
import { asFunction } from '../../local/function-databases.ts';
import { drain } from '../../local/queue-poller.ts';
import { startLocalRuntime } from '../../local/runtime.ts';
import type { BenchRow } from './harness.ts';

export const title = 'ingest';

/**
 * A chat-shaped stream: 100 channels, 20,000 viewers, and within any 10,000 consecutive events
 * about three per (channel, viewer): a 30-second IRC buffer holds a chatter's messages, not one.
 * `distinct` makes every event of a batch a different (channel, viewer): the writer's worst case.
 */
function makeEvents(
  count: number,
  nowMs: number,
  salt: string,
  shape: 'chat' | 'distinct' = 'chat',
): KeyedEvent[] {
  const epoch = Math.floor(nowMs / 3_600_000) * 3600;
  const kinds = ['presence', 'presence', 'presence', 'presence', 'presence', 'sub', 'bits', 'gift'] as const;
  return Array.from({ length: count }, (_, i) => {
    const kind = kinds[i % kinds.length] ?? 'presence';
    const viewer =
      shape === 'distinct' ? i % 20_000 : (Math.floor(i / 10_000) * 3_333 + (i % 3_333)) % 20_000;
    return {
      id: `${salt}-${i}`,
      channel: `channel_${String(viewer % 100).padStart(3, '0')}`,
      user: `viewer_${String(viewer).padStart(5, '0')}`,
      kind,
      amount: kind === 'bits' ? 100 : kind === 'gift' ? 2 : 1,
      ts: nowMs - (i % 1000),
      epoch,
      keyId: IRC_KEY_ID,
    };
  });
}

/** Writes batches of 10,000 with `concurrency` writers, as parallel Lambda invocations would. */
async function writeAll(
  sql: postgres.Sql,
  events: readonly KeyedEvent[],
  now: number,
  concurrency: number,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < events.length) {
      const start = next;
      next += 10_000;
      await writeIngestBatch(sql, events.slice(start, start + 10_000), new Date(now));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return events.length / ((performance.now() - started) / 1000);
}

/** The naive writer: one transaction and one INSERT (plus its mapping) per event. */
async function naiveWrite(sql: postgres.Sql, events: readonly KeyedEvent[]): Promise<void> {
  for (const e of events) {
    const hash = userHash(e.user);
    await sql.begin(async (tx) => {
      await tx`insert into attention.raw_events (event_id, channel, user_hash, kind, key_id, amount, epoch, source_epoch, occurred_at)
        values (${e.id}, ${e.channel}, ${hash}, ${e.kind}, ${e.keyId}, ${e.amount}, ${e.epoch}, ${e.epoch}, to_timestamp(${e.ts} / 1000.0))
        on conflict do nothing`;
      await tx`insert into attention.channel_participation (epoch, channel, user_hash, first_seen, weight)
        values (${e.epoch}, ${e.channel}, ${hash}, to_timestamp(${e.ts} / 1000.0), 100)
        on conflict (epoch, channel, user_hash) do update set weight = channel_participation.weight + 100`;
      await tx`insert into attention.user_mapping (user_hash, username) values (${hash}, ${e.user}) on conflict do nothing`;
    });
  }
}

export async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const pg = await startEmbeddedPostgres();
  try {
    const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
    await admin.unsafe('create database bench_writer');
    await admin.end();
    const url = pg.urlFor('bench_writer');
    await runMigrations(url);
    const sql = postgres(url, { max: 4, onnotice: () => {} });
    const now = Date.now();

    // Batch writer: 200,000 events in batches of 10,000 (a Lambda batch of 10 messages of
    // ~1,000 events), four writers at a time, as concurrent invocations of the ingest queue's
    // consumer run (its event source allows 10); writers share the per-epoch locks.
    const total = 200_000;
    await writeIngestBatch(sql, makeEvents(5000, now, 'warm'), new Date(now));
    const writerRate = await writeAll(sql, makeEvents(total, now, 'w'), now, 4);
    const worstRate = await writeAll(
      sql,
      makeEvents(100_000, now + 3_600_000, 'd', 'distinct'),
      now + 3_600_000,
      2,
    );
    const naiveEvents = makeEvents(3000, now, 'n');
    const naiveStarted = performance.now();
    await naiveWrite(sql, naiveEvents);
    const naiveRate = naiveEvents.length / ((performance.now() - naiveStarted) / 1000);
    await sql.end();
    rows.push({
      name: 'writer: events/s into PostgreSQL (batches of 10,000, 4 writers)',
      value: writerRate,
      unit: 'events/s',
      peer: { name: 'one insert per event', value: naiveRate },
      target: '>= 50,000 (source: 10,000)',
      met: writerRate >= 50_000,
    });
    rows.push({
      name: 'writer, worst case: every event a new (channel, viewer)',
      value: worstRate,
      unit: 'events/s',
      peer: { name: 'one insert per event', value: naiveRate },
      notes: 'a participation row per event',
    });
  } finally {
    await pg.stop();
  }

  // End to end: POST /ingest (1,000 events a request, 8 in flight) → fauxqs → writer.
  const runtime = await startLocalRuntime();
  try {
    const handler = asFunction(
      'IngestWriter',
      (await import('../../functions/queue/ingest-writer/index.ts')).handler.on(runtime.platform),
    );
    const now = Date.now();
    const requests = 100;
    const perRequest = 1000;
    const all = makeEvents(requests * perRequest, now, 'e2e').map(
      ({ channel, user, kind, amount, ts, id }) => ({
        id,
        channel,
        user,
        kind,
        ...(kind === 'bits' || kind === 'gift' ? { amount } : {}),
        ts,
      }),
    );
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < requests) {
        const i = next++;
        const response = await fetch(`${runtime.apiUrl}/ingest`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': runtime.ingestApiKey },
          body: JSON.stringify({ events: all.slice(i * perRequest, (i + 1) * perRequest) }),
        });
        if (response.status !== 202)
          throw new Error(`POST /ingest answered ${response.status}: ${await response.text()}`);
        await response.body?.cancel();
      }
    };
    const writer = (async () => {
      let written = 0;
      while (written < requests) {
        const result = await drain(runtime.sqs.client, runtime.sqs.queues.ingest.url, handler, {
          batchSize: 10,
        });
        written += result.received - result.failed;
        if (result.received === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await Promise.all([...Array.from({ length: 8 }, worker), writer]);
    const e2eRate = all.length / ((performance.now() - started) / 1000);

    const { sql } = await runtime.platform.database();
    const [stored] = await sql<
      { n: number }[]
    >`select count(*)::int as n from attention.raw_events where event_id like 'e2e-%'`;
    if (stored?.n !== all.length) throw new Error(`end to end stored ${stored?.n} of ${all.length} events`);

    const naiveEvents = makeEvents(2000, now, 'e2e-naive');
    const naiveStarted = performance.now();
    await naiveWrite(sql as unknown as postgres.Sql, naiveEvents);
    const naiveRate = naiveEvents.length / ((performance.now() - naiveStarted) / 1000);
    rows.push({
      name: 'end to end: POST /ingest → queue → writer',
      value: e2eRate,
      unit: 'events/s',
      peer: { name: 'one insert per event', value: naiveRate },
      target: '>= 10,000',
      met: e2eRate >= 10_000,
    });
  } finally {
    await runtime.stop();
  }
  return rows;
}

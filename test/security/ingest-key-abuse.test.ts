/**
 * H4 (issue 17): an ingest API key must not be an unlimited mint authority. Each attack goes
 * through the routes as served (the local HTTP server checks keys as the authorizer does on
 * AWS) into the queue, the ingest writer and sealing, against the local services.
 */

import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Platform } from '../../functions/platform.ts';
import { StaticSecretStore } from '../../layers/shared/src/adapters/aws/secrets-manager-store.ts';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import { SILENT_TELEMETRY } from '../../layers/shared/src/ports/telemetry.ts';
import { sealEpoch } from '../../layers/shared/src/services/attention/sealing.ts';
import { type LocalHttpServer, startHttpServer } from '../../local/http-server.ts';
import { pollOnce } from '../../local/queue-poller.ts';
import { ROUTES } from '../../local/routes.ts';
import { type DynamoService, type SqsService, startDynamo, startSqs } from '../../local/services.ts';
import { testAttentionSettings } from '../fixtures/attention-settings.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { platformFromEnv } from '../fixtures/platform.ts';
import { queueDepth } from '../fixtures/queue-depth.ts';

/** Events a key may send per minute (and per hour) in this file. */
const QUOTA = 3000;

let t: TestDatabase;
let sqs: SqsService;
let dynamo: DynamoService;
let http: LocalHttpServer;
let writer: (event: SQSEvent) => Promise<SQSBatchResponse>;
let platform: Platform;

beforeAll(async () => {
  [t, sqs, dynamo] = await Promise.all([createTestDatabase(), startSqs(), startDynamo()]);
  Object.assign(process.env, {
    ORACLE_MODE: 'local',
    LOG_LEVEL: 'SILENT',
    DATABASE_URL: t.url,
    SQS_ENDPOINT: sqs.endpoint,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    INGEST_QUEUE_URL: sqs.queues.ingest.url,
    RATE_LIMIT_TABLE: dynamo.tables.rateLimits,
    INGEST_KEY_EVENTS_PER_MINUTE: String(QUOTA),
    INGEST_KEY_EVENTS_PER_HOUR: String(QUOTA),
  });
  platform = platformFromEnv();
  http = await startHttpServer({
    routes: ROUTES,
    platform: Promise.resolve(platform),
    secrets: new StaticSecretStore({
      'abuse/ingest': JSON.stringify({
        partner: 'key-of-partner',
        rogue: 'key-of-rogue',
        leaked: 'key-leaked',
      }),
      'abuse/admin': JSON.stringify({ oncall: 'token-of-oncall' }),
    }),
    ingestKeysSecretId: 'abuse/ingest',
    adminTokensSecretId: 'abuse/admin',
  });
  writer = (await import('../../functions/queue/ingest-writer/index.ts')).handler.on(platform);
});

afterAll(async () => {
  await platform.close();
  await http.close();
  await Promise.all([sqs.stop(), dynamo.stop()]);
  await t.close();
});

beforeEach(async () => {
  await sqs.client.send(new PurgeQueueCommand({ QueueUrl: sqs.queues.ingest.url }));
});

function ingest(key: string, events: unknown[]): Promise<Response> {
  return fetch(`${http.url}/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ events }),
  });
}

const queued = () => queueDepth(sqs.client, sqs.queues.ingest.url);

/** Runs the ingest writer over everything queued, as the event source mapping would. */
async function drainIntoWriter(): Promise<void> {
  for (;;) {
    const { received } = await pollOnce(sqs.client, sqs.queues.ingest.url, writer, { batchSize: 100 });
    if (received === 0) return;
  }
}

/** A fixed-window quota counts per minute: start a burst well inside one. */
async function awayFromMinuteEdge(): Promise<void> {
  const second = new Date().getUTCSeconds();
  if (second > 50) await new Promise((resolve) => setTimeout(resolve, (61 - second) * 1000));
}

describe('an ingest key is not an unlimited mint authority', () => {
  it('an ingest key cannot mint unbounded weight with huge per-event amounts', async () => {
    const response = await ingest('key-of-rogue', [
      { channel: 'chan_one', user: 'rogue_fan', kind: 'bits', amount: 1_000_000_000 },
    ]);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
      /events\[0\]\.amount must be at most [0-9,]+ bits per event/,
    );
    expect(await queued()).toBe(0);
  });

  it("one key's flood is stopped by its quota", async () => {
    await awayFromMinuteEdge();
    const thousand = (user: string) =>
      Array.from({ length: 1000 }, (_, i) => ({
        id: `${user}-${i}`,
        channel: 'chan_one',
        user,
        kind: 'presence',
      }));
    for (let request = 0; request < QUOTA / 1000; request++) {
      expect((await ingest('key-of-rogue', thousand(`flood_${request}`))).status).toBe(202);
    }
    const refused = await ingest('key-of-rogue', thousand('flood_over'));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^[0-9]+$/);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
      /ingest key rogue .*3000 events per minute/,
    );
    // Another key is not held back by the flood.
    expect((await ingest('key-of-partner', thousand('partner_fan'))).status).toBe(202);
    const { ReceiveMessageCommand } = await import('@aws-sdk/client-sqs');
    let events = 0;
    for (let batch = 0; batch < 20; batch++) {
      const out = await sqs.client.send(
        new ReceiveMessageCommand({ QueueUrl: sqs.queues.ingest.url, MaxNumberOfMessages: 10 }),
      );
      if ((out.Messages ?? []).length === 0) break;
      for (const m of out.Messages ?? [])
        events += (JSON.parse(m.Body ?? '{}') as { events: unknown[] }).events.length;
    }
    expect(events).toBe(QUOTA + 1000);
  });

  it("a voided key's unsealed events carry no weight", async () => {
    const now = Date.now();
    expect(
      (
        await ingest('key-leaked', [
          { id: 'rogue-1', channel: 'chan_two', user: 'rogue_fan', kind: 'bits', amount: 50_000, ts: now },
          { id: 'rogue-2', channel: 'chan_two', user: 'shared_fan', kind: 'raid', amount: 90_000, ts: now },
        ])
      ).status,
    ).toBe(202);
    expect(
      (
        await ingest('key-of-partner', [
          { id: 'partner-1', channel: 'chan_two', user: 'shared_fan', kind: 'presence', ts: now },
          { id: 'partner-2', channel: 'chan_two', user: 'real_fan', kind: 'sub', ts: now },
        ])
      ).status,
    ).toBe(202);
    await drainIntoWriter();

    const voided = await fetch(`${http.url}/admin/ingest-keys/leaked/void`, {
      method: 'POST',
      headers: { authorization: 'Bearer token-of-oncall' },
    });
    expect(voided.status).toBe(200);
    expect(await voided.json()).toMatchObject({
      keyId: 'leaked',
      voidedBy: 'oncall',
      eventsRemoved: 2,
      participationRowsDeleted: 1,
      participationRowsRecomputed: 1,
      eventsLeftInSealedEpochs: 0,
    });

    const epochs = await t.sql<{ epoch: number }[]>`
      select distinct epoch::float8 as epoch from attention.channel_participation where channel = 'chan_two'`;
    const settings = testAttentionSettings({ baseUnitsPerWeight: 100n });
    for (const { epoch } of epochs) {
      await sealEpoch(
        { telemetry: SILENT_TELEMETRY, sql: t.sql, settings },
        epoch,
        new Date((epoch + 7200) * 1000),
      );
    }
    const sealed = await t.sql<{ user_hash: string; weight: string }[]>`
      select user_hash, sum(weight)::text as weight from attention.sealed_participants
      where channel = 'chan_two' group by user_hash`;
    expect(new Map(sealed.map((r) => [r.user_hash, r.weight]))).toEqual(
      new Map([
        // presence only: the raid the leaked key reported for this viewer is gone
        [userHash('shared_fan'), '100'],
        // presence and a sub, from the partner key
        [userHash('real_fan'), '1100'],
      ]),
    );
  });
});

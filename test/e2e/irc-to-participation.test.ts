import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../functions/platform.ts';
import { SqsEventSink } from '../../layers/shared/src/adapters/aws/sqs-event-sink.ts';
import { ircFrameworkConnector } from '../../layers/shared/src/adapters/twitch/irc-framework-connection.ts';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import { IrcWorker } from '../../layers/shared/src/services/attention/irc-worker.ts';
import { ChatScriptBuilder, randomChatScript } from '../../local/chat-script.ts';
import { type IrcFixture, startIrcFixture } from '../../local/irc-fixture.ts';
import { drain } from '../../local/queue-poller.ts';
import { type SqsService, startSqs } from '../../local/services.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { platformFromEnv } from '../fixtures/platform.ts';

const START = Date.UTC(2026, 2, 3, 14, 20);

let t: TestDatabase;
let sqs: SqsService;
let irc: IrcFixture;
let writer: (event: SQSEvent) => Promise<SQSBatchResponse>;
let platform: Platform;

beforeAll(async () => {
  t = await createTestDatabase();
  sqs = await startSqs();
  irc = await startIrcFixture();
  Object.assign(process.env, {
    ORACLE_MODE: 'local',
    DATABASE_URL: t.url,
    SQS_ENDPOINT: sqs.endpoint,
    INGEST_QUEUE_URL: sqs.queues.ingest.url,
    LOG_LEVEL: 'SILENT',
  });
  platform = platformFromEnv();
  writer = (await import('../../functions/queue/ingest-writer/index.ts')).handler.on(platform);
});

afterAll(async () => {
  await platform.close();
  await irc.close();
  await sqs.stop();
  await t.close();
});

async function playThroughPipeline(script: ChatScriptBuilder): Promise<void> {
  const worker = new IrcWorker({
    connect: ircFrameworkConnector({ host: irc.host, port: irc.port, tls: false, nick: 'justinfan4242' }),
    sink: new SqsEventSink({ client: sqs.client, queueUrl: sqs.queues.ingest.url }),
    trackedChannels: async () => script.channels(),
    flushIntervalMs: 3_600_000,
    now: () => script.receivedAtMs,
  });
  await worker.start();
  await irc.waitForJoined(script.channels());
  await irc.play(script.entries);
  await irc.sync();
  // SIGTERM's path: everything buffered goes to the queue before the worker exits.
  await worker.stop();
  await drain(sqs.client, sqs.queues.ingest.url, writer, { batchSize: 10 });
}

async function participationRows() {
  return t.sql<
    {
      epoch: string;
      channel: string;
      user_hash: string;
      weight: string;
      presence: number;
      subs: number;
      resubs: number;
      gifts: string;
      bits: string;
      raiders: string;
      first_seen: string;
    }[]
  >`select epoch::text, channel, user_hash, weight::text, presence, subs, resubs, gifts::text, bits::text, raiders::text, first_seen::text
    from attention.channel_participation order by epoch, channel, user_hash`;
}

describe('IRC chat to participation, end to end', () => {
  it('turns a played script into exactly the expected participation and mapping rows', async () => {
    const script = new ChatScriptBuilder({ startMs: START, receivedAtMs: START });
    script
      .join('alpha_channel', 'lurker_one')
      .chat('alpha_channel', 'Viewer_One', 'hi \\s there; friends')
      .chat('alpha_channel', 'viewer_one')
      .cheer('alpha_channel', 'cheer_fan', 250)
      .sub('alpha_channel', 'new_subber')
      .resub('beta_channel', 'loyal_viewer', 7)
      .subGift('beta_channel', 'kind_gifter', 'lucky_viewer')
      .mysteryGift('alpha_channel', 'big_gifter', ['rec_one', 'rec_two', 'rec_three'])
      .anonymousGift('beta_channel', ['anon_rec_one'])
      .raid('beta_channel', 'raider_chan', 120);
    await playThroughPipeline(script);

    const expected = [...script.expectedParticipation().values()]
      .map((p) => ({
        epoch: String(p.epoch),
        channel: p.channel,
        user_hash: userHash(p.user),
        weight: String(p.weight),
        presence: p.presence,
        subs: p.subs,
        resubs: p.resubs,
        gifts: String(p.gifts),
        bits: String(p.bits),
        raiders: String(p.raiders),
      }))
      .sort(
        (a, b) =>
          a.epoch.localeCompare(b.epoch) ||
          a.channel.localeCompare(b.channel) ||
          a.user_hash.localeCompare(b.user_hash),
      );
    const rows = (await participationRows()).map(({ first_seen: _firstSeen, ...rest }) => rest);
    expect(rows).toEqual(expected);
    // Weights by DESIGN.md: the mystery gifter 100 + 3 × 500, the raider 100 + 120 × 10, the cheerer 100 + 250.
    const weightOf = (user: string) => rows.find((r) => r.user_hash === userHash(user))?.weight;
    expect([weightOf('big_gifter'), weightOf('raider_chan'), weightOf('cheer_fan')]).toEqual([
      '1600',
      '1300',
      '350',
    ]);
    expect(weightOf('rec_one')).toBeUndefined();

    const mapped = await t.sql<
      { username: string }[]
    >`select username from attention.user_mapping order by username`;
    expect(mapped.map((m) => m.username)).toEqual(script.expectedUsers());
  });

  it('keeps every participant mapped over a random hour of chat', async () => {
    await t.sql`truncate attention.raw_events, attention.channel_participation, attention.user_mapping`;
    const script = randomChatScript({
      channels: ['gamma_channel', 'delta_channel'],
      startMs: START,
      lines: 300,
      seed: 7,
    });
    await playThroughPipeline(script);
    const [counts] = await t.sql<{ rows: number; orphans: number }[]>`
      select count(*)::int as rows,
        count(*) filter (where not exists (select 1 from attention.user_mapping um where um.user_hash = cp.user_hash))::int as orphans
      from attention.channel_participation cp`;
    expect(counts?.rows).toBe(script.expectedParticipation().size);
    expect(counts?.orphans).toBe(0);
  });
});

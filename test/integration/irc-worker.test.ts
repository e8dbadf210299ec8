import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SqsEventSink } from '../../layers/shared/src/adapters/aws/sqs-event-sink.ts';
import { sqsClient } from '../../layers/shared/src/adapters/aws/sqs-work-queue.ts';
import { ircFrameworkConnector } from '../../layers/shared/src/adapters/twitch/irc-framework-connection.ts';
import { decodeIngestMessage } from '../../layers/shared/src/core/attention/ingest-message.ts';
import {
  type IngestEvent,
  IRC_KEY_ID,
  type KeyedEvent,
} from '../../layers/shared/src/core/attention/signals.ts';
import { IrcWorker, type IrcWorkerOptions } from '../../layers/shared/src/services/attention/irc-worker.ts';
import { ChatScriptBuilder } from '../../local/chat-script.ts';
import { type IrcFixture, type IrcFixtureOptions, startIrcFixture } from '../../local/irc-fixture.ts';

const START = Date.UTC(2025, 10, 25, 12, 10);

function richScript(): ChatScriptBuilder {
  const script = new ChatScriptBuilder({ startMs: START });
  script
    .join('alpha_channel', 'lurker_one')
    .join('beta_channel', 'lurker_two')
    .chat('alpha_channel', 'Viewer_One', 'hello; with spaces \\ and a backslash')
    .chat('alpha_channel', 'viewer_two')
    .cheer('alpha_channel', 'cheer_fan', 500)
    .sub('alpha_channel', 'new_subber')
    .resub('beta_channel', 'loyal_viewer', 14)
    .subGift('beta_channel', 'kind_gifter', 'lucky_viewer')
    .mysteryGift('alpha_channel', 'big_gifter', ['rec_one', 'rec_two', 'rec_three', 'rec_four', 'rec_five'])
    .anonymousGift('beta_channel', ['anon_rec_one', 'anon_rec_two'])
    .raid('beta_channel', 'Raider_Chan', 321)
    .announcement('alpha_channel', 'some_mod');
  for (let i = 0; i < 60; i++)
    script.chat(i % 2 === 0 ? 'alpha_channel' : 'beta_channel', `chatter_${i % 17}`);
  return script;
}

async function drainQueue(
  client: SQSClient,
  queueUrl: string,
): Promise<{ events: IngestEvent[]; messages: number }> {
  const events: IngestEvent[] = [];
  let messages = 0;
  for (;;) {
    const out = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (!out.Messages || out.Messages.length === 0) return { events, messages };
    for (const m of out.Messages) {
      messages++;
      events.push(...decodeIngestMessage(m.Body));
    }
  }
}

function byId(events: readonly IngestEvent[]): Map<string, IngestEvent> {
  return new Map(events.map((e) => [e.id, e]));
}

/** Expected events as the queue holds them: every one sent with the IRC worker's key id. */
function sentByIrc(events: readonly IngestEvent[]): KeyedEvent[] {
  return events.map((e) => ({ ...e, keyId: IRC_KEY_ID }));
}

async function eventually(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('IRC worker against the IRC fixture and fauxqs', () => {
  let sqs: FauxqsServer;
  let client: SQSClient;
  let irc: IrcFixture;
  let worker: IrcWorker | undefined;
  let queueUrl: string;
  let queueSerial = 0;

  beforeAll(async () => {
    sqs = await startFauxqs({ port: 0, logger: false });
    client = sqsClient({ endpoint: `http://127.0.0.1:${sqs.port}` });
  });
  afterAll(async () => {
    client.destroy();
    await sqs.stop();
  });
  afterEach(async () => {
    await worker?.stop({ flushAttempts: 1 });
    worker = undefined;
    await irc.close();
  });

  async function setup(
    channels: () => readonly string[],
    options: Partial<IrcWorkerOptions> = {},
    fixture: IrcFixtureOptions = {},
  ) {
    irc = await startIrcFixture(fixture);
    queueUrl = sqs.createQueue(`ingest-${++queueSerial}`).queueUrl;
    worker = new IrcWorker({
      connect: ircFrameworkConnector({ host: irc.host, port: irc.port, tls: false, nick: 'justinfan12345' }),
      sink: new SqsEventSink({ client, queueUrl }),
      trackedChannels: async () => channels(),
      flushIntervalMs: 3_600_000,
      reconnectBaseMs: 50,
      // JOIN lines carry no time: credit them when the script's expectation does.
      now: () => START,
      ...options,
    });
    await worker.start();
    return worker;
  }

  it('sends every signal of a played script to the ingest queue, packed many per message', async () => {
    const script = richScript();
    const w = await setup(() => script.channels(), { flushIntervalMs: 100 });
    await irc.waitForJoined(script.channels());
    await irc.play(script.entries);
    const expected = script.expectedEvents();
    const received: IngestEvent[] = [];
    let messages = 0;
    await eventually(() => w.stats.sent >= expected.length, 'the worker to send everything');
    const drained = await drainQueue(client, queueUrl);
    received.push(...drained.events);
    messages += drained.messages;
    expect(byId(received)).toEqual(byId(sentByIrc(expected)));
    expect(received).toHaveLength(expected.length);
    expect(messages).toBeLessThan(received.length);
    // The mystery gift's five community subgifts and the anonymous gifts credit nobody.
    const gifts = received.filter((e) => e.kind === 'gift').map((e) => [e.user, e.amount]);
    expect(gifts.sort()).toEqual([
      ['big_gifter', 5],
      ['kind_gifter', 1],
    ]);
  });

  it('keeps events buffered until the flush interval and sends them all when stopped', async () => {
    const script = richScript();
    const w = await setup(() => script.channels());
    await irc.waitForJoined(script.channels());
    await irc.play(script.entries);
    const expected = script.expectedEvents();
    await eventually(() => w.pending === expected.length, 'every line to be read');
    expect((await drainQueue(client, queueUrl)).events).toEqual([]);

    await w.stop();
    expect(w.pending).toBe(0);
    expect(byId((await drainQueue(client, queueUrl)).events)).toEqual(byId(sentByIrc(expected)));
  });

  it('reconnects after the connection drops mid-stream, rejoins, and loses nothing buffered', async () => {
    const script = richScript();
    const w = await setup(() => script.channels());
    await irc.waitForJoined(script.channels());
    const played = await irc.play(script.entries, { dropAfter: 30 });
    expect(played.delivered).toBe(script.entries.length);
    expect(irc.connectionCount).toBeGreaterThanOrEqual(2);
    const expected = script.expectedEvents();
    await eventually(() => w.pending === expected.length, 'every line to be read');

    await w.stop();
    expect(byId((await drainQueue(client, queueUrl)).events)).toEqual(byId(sentByIrc(expected)));
  });

  it('joins and parts as the tracked set changes', async () => {
    let tracked = ['first_channel', 'second_channel'];
    const w = await setup(() => tracked);
    await irc.waitForJoined(tracked);
    tracked = ['second_channel', 'third_channel'];
    await w.refreshChannels();
    await eventually(() => {
      const joined = [...irc.joinedChannels()].sort();
      return joined.join(',') === 'second_channel,third_channel';
    }, 'the fixture to see the new set');
    expect([...w.channels].sort()).toEqual(['second_channel', 'third_channel']);
  });

  it('stays within the join rate limit when many channels are tracked', async () => {
    const tracked = Array.from({ length: 14 }, (_, i) => `channel_${String(i).padStart(2, '0')}`);
    await setup(() => tracked, { joinsPerWindow: 5, joinWindowMs: 400 });
    await irc.waitForJoined(tracked);
    expect(irc.joins).toHaveLength(14);
    // Measured at the server, a little under the worker's window to allow for network jitter.
    expect(irc.maxJoinsInWindow(300)).toBeLessThanOrEqual(5);
  });

  it('asks for the capabilities directly when the server does not list them, and still gets tags', async () => {
    const script = new ChatScriptBuilder({ startMs: START }).sub('alpha_channel', 'new_subber');
    const w = await setup(() => script.channels(), {}, { advertiseCapabilities: false });
    await irc.waitForJoined(script.channels());
    expect([...irc.clients[0]!.caps].sort()).toEqual([
      'twitch.tv/commands',
      'twitch.tv/membership',
      'twitch.tv/tags',
    ]);
    await irc.play(script.entries);
    await irc.sync();
    expect(w.pending).toBe(1);
  });

  it('does not credit its own JOIN', async () => {
    const script = new ChatScriptBuilder({ startMs: START }).chat('alpha_channel', 'viewer_one');
    const w = await setup(() => script.channels());
    await irc.waitForJoined(script.channels());
    await irc.play(script.entries);
    await eventually(() => w.pending === 1, 'the chat line');
    await w.stop();
    const events = (await drainQueue(client, queueUrl)).events;
    expect(events.map((e) => e.user)).toEqual(['viewer_one']);
  });
});

import type { SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import {
  MAX_BATCH_BYTES,
  planBatches,
  SqsEventSink,
} from '../../layers/shared/src/adapters/aws/sqs-event-sink.ts';
import { decodeIngestMessage } from '../../layers/shared/src/core/attention/ingest-message.ts';
import { type IngestEvent, IRC_KEY_ID } from '../../layers/shared/src/core/attention/signals.ts';
import { DependencyError } from '../../layers/shared/src/errors.ts';
import type { ChatConnectionHandlers, ChatConnector } from '../../layers/shared/src/ports/chat-connection.ts';
import type { EventSink } from '../../layers/shared/src/ports/event-sink.ts';
import { IrcWorker } from '../../layers/shared/src/services/attention/irc-worker.ts';
import { makeIrcMessage } from '../fixtures/irc.ts';

function event(i: number): IngestEvent {
  return {
    id: `event-${i}`,
    channel: 'somechannel',
    user: `viewer_${String(i).padStart(6, '0')}`,
    kind: 'presence',
    amount: 1,
    ts: 1_764_072_000_000 + i,
    epoch: 1_764_072_000,
  };
}

/** A connection that registers at once and lets the test push lines. */
function fakeConnector() {
  const state: { handlers?: ChatConnectionHandlers; joins: string[]; parts: string[] } = {
    joins: [],
    parts: [],
  };
  const connect: ChatConnector = (handlers) => {
    state.handlers = handlers;
    queueMicrotask(() => handlers.onRegistered('justinfan1'));
    return {
      join: (c) => state.joins.push(c),
      part: (c) => state.parts.push(c),
      quit: () => queueMicrotask(() => handlers.onClose()),
    };
  };
  return { connect, state };
}

class FlakySink implements EventSink {
  readonly received: IngestEvent[] = [];
  constructor(public failuresLeft: number) {}
  async sendBatch(events: readonly IngestEvent[]): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new DependencyError('queue unavailable');
    }
    this.received.push(...events);
  }
}

describe('IRC worker buffer', () => {
  it('keeps events the queue refused and sends them with the next flush', async () => {
    const { connect, state } = fakeConnector();
    const sink = new FlakySink(1);
    const worker = new IrcWorker({
      connect,
      sink,
      trackedChannels: async () => ['somechannel'],
      flushIntervalMs: 3_600_000,
    });
    await worker.start();
    state.handlers!.onLine(makeIrcMessage({ nick: 'viewer_one', tags: { id: 'a' } }));
    state.handlers!.onLine(makeIrcMessage({ nick: 'viewer_two', tags: { id: 'b' } }));
    await worker.flush();
    expect(worker.pending).toBe(2);
    state.handlers!.onLine(makeIrcMessage({ nick: 'viewer_three', tags: { id: 'c' } }));
    await worker.flush();
    expect(worker.pending).toBe(0);
    expect(sink.received.map((e) => e.id)).toEqual(['a', 'b', 'c']);
    await worker.stop();
  });

  it('retries the final flush on stop until the queue takes the buffer', async () => {
    const { connect, state } = fakeConnector();
    const sink = new FlakySink(2);
    const worker = new IrcWorker({
      connect,
      sink,
      trackedChannels: async () => ['somechannel'],
      flushIntervalMs: 3_600_000,
    });
    await worker.start();
    state.handlers!.onLine(makeIrcMessage({ nick: 'viewer_one', tags: { id: 'a' } }));
    await worker.stop({ flushAttempts: 5 });
    expect(worker.pending).toBe(0);
    expect(sink.received.map((e) => e.id)).toEqual(['a']);
  });

  it('joins tracked channels once registered and parts those no longer tracked', async () => {
    const { connect, state } = fakeConnector();
    let tracked = ['first_channel', 'SECOND_channel', 'bad'];
    const worker = new IrcWorker({ connect, sink: new FlakySink(0), trackedChannels: async () => tracked });
    await worker.start();
    expect(state.joins).toEqual(['first_channel', 'second_channel']);
    tracked = ['second_channel'];
    await worker.refreshChannels();
    expect(state.parts).toEqual(['first_channel']);
    await worker.stop();
  });

  it('flushes early once the buffer holds flushAtEvents events', async () => {
    const { connect, state } = fakeConnector();
    const sink = new FlakySink(0);
    const worker = new IrcWorker({
      connect,
      sink,
      trackedChannels: async () => [],
      flushAtEvents: 3,
      flushIntervalMs: 3_600_000,
    });
    await worker.start();
    for (const id of ['a', 'b', 'c'])
      state.handlers!.onLine(makeIrcMessage({ nick: `viewer_${id}${id}${id}`, tags: { id } }));
    await worker.flush();
    expect(sink.received).toHaveLength(3);
    await worker.stop();
  });
});

describe('SQS event sink', () => {
  it('plans batches of at most 10 entries and 262,144 bytes', () => {
    const bodies = [
      ...Array.from({ length: 25 }, () => 'x'.repeat(100)),
      'y'.repeat(200_000),
      'z'.repeat(100_000),
    ];
    const batches = planBatches(bodies);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(10);
      expect(batch.reduce((n, b) => n + Buffer.byteLength(b), 0)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
    }
    expect(batches.flat()).toEqual(bodies);
  });

  function recordingClient(refuse: (attempt: number, id: string) => boolean) {
    const calls: { entries: { Id: string; MessageBody: string }[] }[] = [];
    const client = {
      async send(command: { input: { Entries: { Id: string; MessageBody: string }[] } }) {
        const attempt = calls.length;
        calls.push({ entries: command.input.Entries });
        const failed = command.input.Entries.filter((e) => refuse(attempt, e.Id));
        return {
          Successful: [],
          Failed: failed.map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false })),
        };
      },
    } as unknown as SQSClient;
    return { client, calls };
  }

  it('packs many events per message and delivers all of them within the batch limits', async () => {
    const { client, calls } = recordingClient(() => false);
    const sink = new SqsEventSink({ client, queueUrl: 'http://queue', maxMessageBytes: 4_000 });
    const events = Array.from({ length: 2_000 }, (_, i) => event(i));
    await sink.sendBatch(events);
    const bodies = calls.flatMap((c) => c.entries.map((e) => e.MessageBody));
    expect(bodies.length).toBeLessThan(events.length / 10);
    for (const call of calls) expect(call.entries.length).toBeLessThanOrEqual(10);
    expect(bodies.flatMap((b) => decodeIngestMessage(b))).toEqual(
      events.map((e) => ({ ...e, keyId: IRC_KEY_ID })),
    );
  });

  it('sends refused entries again and throws when the queue keeps refusing', async () => {
    const once = recordingClient((attempt, id) => attempt === 0 && id === '1');
    await new SqsEventSink({
      client: once.client,
      queueUrl: 'q',
      maxMessageBytes: 200,
      sleep: async () => {},
    }).sendBatch([event(1), event(2), event(3)]);
    expect(once.calls.map((c) => c.entries.map((e) => e.Id))).toEqual([['0', '1', '2'], ['1']]);

    const always = recordingClient(() => true);
    const sink = new SqsEventSink({
      client: always.client,
      queueUrl: 'q',
      maxRetries: 2,
      sleep: async () => {},
    });
    await expect(sink.sendBatch([event(1)])).rejects.toBeInstanceOf(DependencyError);
    expect(always.calls).toHaveLength(3);
  });
});

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels } from '../../drizzle/schema/attention.ts';
import { sqsClient } from '../../layers/shared/src/adapters/aws/sqs-work-queue.ts';
import { decodeIngestMessage } from '../../layers/shared/src/core/attention/ingest-message.ts';
import { type IngestEvent, IRC_KEY_ID } from '../../layers/shared/src/core/attention/signals.ts';
import { ChatScriptBuilder } from '../../local/chat-script.ts';
import { type IrcFixture, startIrcFixture } from '../../local/irc-fixture.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

async function drain(client: SQSClient, queueUrl: string): Promise<IngestEvent[]> {
  const events: IngestEvent[] = [];
  for (;;) {
    const out = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    if (!out.Messages?.length) return events;
    for (const m of out.Messages) events.push(...decodeIngestMessage(m.Body));
  }
}

describe('IRC worker process (functions/worker/irc)', () => {
  let db: TestDatabase;
  let sqs: FauxqsServer;
  let client: SQSClient;
  let irc: IrcFixture;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    [db, sqs, irc] = await Promise.all([
      createTestDatabase({ max: 2 }),
      startFauxqs({ port: 0, logger: false }),
      startIrcFixture(),
    ]);
    client = sqsClient({ endpoint: `http://127.0.0.1:${sqs.port}` });
  });
  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
    client.destroy();
    await Promise.all([db.close(), sqs.stop(), irc.close()]);
  });

  it('joins the tracked channels from the database and flushes its buffer to the queue on SIGTERM', async () => {
    await db.db.insert(channels).values([
      { channel: 'alpha_channel', tracked: true },
      { channel: 'beta_channel', tracked: true },
      { channel: 'gone_channel', tracked: false },
    ]);
    const queueUrl = sqs.createQueue('ingest').queueUrl;
    child = spawn(process.execPath, ['--import', 'tsx', 'functions/worker/irc/index.ts'], {
      cwd: root,
      env: {
        PATH: process.env['PATH'] ?? '',
        ORACLE_MODE: 'local',
        LOG_LEVEL: 'ERROR',
        AWS_REGION: 'us-east-1',
        DATABASE_URL: db.url,
        INGEST_QUEUE_URL: queueUrl,
        SQS_ENDPOINT: `http://127.0.0.1:${sqs.port}`,
        TWITCH_IRC_HOST: irc.host,
        TWITCH_IRC_PORT: String(irc.port),
        TWITCH_IRC_TLS: 'false',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));

    await irc.waitForJoined(['alpha_channel', 'beta_channel'], 60_000);
    expect([...irc.joinedChannels()].sort()).toEqual(['alpha_channel', 'beta_channel']);

    const script = new ChatScriptBuilder({ startMs: Date.UTC(2025, 10, 25, 12) })
      .chat('alpha_channel', 'viewer_one')
      .cheer('beta_channel', 'cheer_fan', 100)
      .mysteryGift('alpha_channel', 'big_gifter', ['rec_one', 'rec_two', 'rec_three'])
      .raid('beta_channel', 'raider_chan', 42);
    await irc.play(script.entries);
    await irc.sync();
    // The 30-second buffer has not been sent yet.
    expect(await drain(client, queueUrl)).toEqual([]);

    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);
    const events = await drain(client, queueUrl);
    expect(new Map(events.map((e) => [e.id, e]))).toEqual(
      // Stored as the IRC worker's: key id `irc`.
      new Map(script.expectedEvents().map((e) => [e.id, { ...e, keyId: IRC_KEY_ID }])),
    );
  });
});

import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketDependencies } from '../../functions/market-dependencies.ts';
import type { Platform } from '../../functions/platform.ts';
import {
  notificationsConsumer,
  notificationsDependencies,
} from '../../functions/queue/notifications/index.ts';
import type { ChannelName, NotificationChannel } from '../../layers/shared/src/ports/notification-channel.ts';
import { RecordingChannel, subscribe } from '../../layers/shared/src/services/market/notifications.ts';
import { type DynamoService, startDynamo } from '../../local/services.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { confirmContacts } from '../fixtures/market-api.ts';
import { platformFromEnv } from '../fixtures/platform.ts';

const HOLDER = `0x${'12'.repeat(20)}`;
let t: TestDatabase;
let dynamo: DynamoService;
let platform: Platform;
let handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
const email = new RecordingChannel('email');
let smsDown = true;
const sms: NotificationChannel = {
  name: 'sms',
  send: async () => {
    if (smsDown) throw new Error('sms gateway down');
  },
};

beforeAll(async () => {
  [t, dynamo] = await Promise.all([createTestDatabase(), startDynamo()]);
  // Each outbox row's send is remembered in the idempotency table, as on AWS.
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    IDEMPOTENCY_TABLE: dynamo.tables.idempotency,
  });
  platform = platformFromEnv({ database: { sql: t.sql, db: t.db, close: async () => {} } });
  const channels = new Map<ChannelName, NotificationChannel>([
    ['email', email],
    ['sms', sms],
  ]);
  handler = notificationsConsumer(async (on) => ({
    ...(await notificationsDependencies(on, channels)),
    market: { ...(await marketDependencies(on)), now: () => 1_750_000_000 },
  })).on(platform);
  await subscribe(t.sql, {
    userId: HOLDER,
    trigger: 'token_minted',
    params: {},
    contact: { email: 'erin@example.test' },
  });
  await subscribe(t.sql, {
    userId: 'frank',
    trigger: 'token_minted',
    params: { holder: HOLDER },
    contact: { phone: '+15550100002' },
  });
  await confirmContacts(t.sql, HOLDER);
  await confirmContacts(t.sql, 'frank');
  await t.sql`insert into market.notification_preferences (user_id, channels) values ('frank', '["sms"]'::jsonb)`;
});
afterAll(async () => {
  await platform.close();
  await dynamo.stop();
  await t.close();
});

function sqsEvent(bodies: unknown[]): SQSEvent {
  return {
    Records: bodies.map((body, i) => ({
      messageId: `m${i}`,
      receiptHandle: `r${i}`,
      body: JSON.stringify(body),
      attributes: {} as SQSEvent['Records'][number]['attributes'],
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:notifications',
      awsRegion: 'us-east-1',
    })),
  };
}

const mintedEvent = (claimId: string) => ({
  event: {
    id: `minted:${claimId}`,
    trigger: 'token_minted',
    occurredAt: 1_750_000_000,
    data: { holder: HOLDER, amount: '42', credentialId: 'c-9', claimId },
  },
});

describe('notifications queue consumer', () => {
  it('reports the message whose channel failed and sends only that channel when SQS redelivers it', async () => {
    const first = await handler(sqsEvent([mintedEvent('claim-a')]), {} as Context);
    smsDown = false;
    const redelivered = await handler(sqsEvent([mintedEvent('claim-a')]), {} as Context);

    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }]);
    expect(redelivered.batchItemFailures).toEqual([]);
    expect(email.sent).toHaveLength(1);
    const rows =
      await t.sql`select channel, status, attempts from market.notification_outbox where trigger = 'token_minted' order by channel`;
    expect(rows.map((r) => [r['channel'], r['status'], r['attempts']])).toEqual([
      ['email', 'sent', 1],
      ['sms', 'sent', 2],
    ]);
  });

  it('marks a notification for a channel this deployment does not run failed at once, without a batch failure', async () => {
    // No push channel here (no VAPID keys): redelivering cannot send it, and the DLQ would page the admins.
    await subscribe(t.sql, {
      userId: 'ivan',
      trigger: 'token_minted',
      params: { holder: HOLDER },
      contact: { pushEndpoint: 'https://push.example.test/ivan' },
    });
    await t.sql`insert into market.notification_preferences (user_id, channels) values ('ivan', '["push"]'::jsonb)`;
    smsDown = false;

    const response = await handler(sqsEvent([mintedEvent('claim-push')]), {} as Context);

    expect(response.batchItemFailures).toEqual([]);
    const rows = await t.sql`
      select status, attempts, last_error from market.notification_outbox
      where user_id = 'ivan' and event_id = 'minted:claim-push'`;
    expect(rows.map((r) => ({ ...r }))).toEqual([
      { status: 'failed', attempts: 1, last_error: 'no push channel configured' },
    ]);
  });

  it('takes domain events in the envelope the EventBridge rule delivers, matched by their params', async () => {
    const creator = `0x${'ab'.repeat(20)}`;
    await subscribe(t.sql, {
      userId: 'gina',
      trigger: 'creator_milestone',
      params: { creator },
      contact: { email: 'gina@example.test' },
    });
    await confirmContacts(t.sql, 'gina');
    await subscribe(t.sql, {
      userId: 'hugo',
      trigger: 'epoch_published',
      params: { channel: 'other_channel' },
      contact: { email: 'hugo@example.test' },
    });
    await confirmContacts(t.sql, 'hugo');
    const envelope = (detailType: string, detail: Record<string, unknown>) => ({
      version: '0',
      id: 'eb-1',
      source: 'engagement-oracle',
      'detail-type': detailType,
      account: '000000000000',
      time: '2025-06-15T12:00:00Z',
      region: 'us-east-1',
      resources: [],
      detail,
    });
    const milestone = envelope('MilestoneReached', {
      type: 'MilestoneReached',
      creatorId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      creator,
      stageName: 'Nova Vale',
      milestone: 'plays_100k',
      description: '100K plays',
      value: '100250',
      timestamp: 1_750_000_000,
    });
    const published = envelope('RootPublished', {
      type: 'RootPublished',
      epoch: 1_749_999_600,
      channel: 'some_channel',
      root: `0x${'cd'.repeat(32)}`,
      signature: null,
      slot: null,
      timestamp: 1_750_000_000,
    });
    const sentBefore = email.sent.length;

    const response = await handler(sqsEvent([milestone, published, milestone]), {} as Context);

    expect(response.batchItemFailures).toEqual([]);
    // Gina follows that creator: one email, however often the event comes; Hugo follows another channel.
    expect(email.sent.slice(sentBefore)).toEqual([
      { to: 'gina@example.test', subject: 'Milestone reached', body: 'Nova Vale reached 100K plays.' },
    ]);
    const rows = await t.sql`
      select user_id, event_id from market.notification_outbox where trigger in ('creator_milestone', 'epoch_published')`;
    expect(rows.map((r) => [r['user_id'], r['event_id']])).toEqual([
      ['gina', 'milestone:7c9e6679-7425-40de-944b-e07fc1f90ae7:plays_100k'],
    ]);
  });

  it('fails an envelope whose detail does not fit its detail-type', async () => {
    const body = {
      source: 'engagement-oracle',
      'detail-type': 'RootPublished',
      detail: { epoch: 1_749_999_601, channel: 'c', root: '0x00', signature: null, slot: null, timestamp: 1 },
    };
    const response = await handler(sqsEvent([body]), {} as Context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }]);
  });

  it('fails an EpochSealed envelope, which no rule routes here and nobody is notified of', async () => {
    const body = {
      source: 'engagement-oracle',
      'detail-type': 'EpochSealed',
      detail: { epoch: 1_749_999_600, channels: 2, participants: 3, trees: 2, timestamp: 1_750_000_000 },
    };
    const response = await handler(sqsEvent([body]), {} as Context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }]);
  });

  it('rejects a malformed message as a batch item failure', async () => {
    const response = await handler(sqsEvent([{ event: { id: '' } }]), {} as Context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm0' }]);
  });
});

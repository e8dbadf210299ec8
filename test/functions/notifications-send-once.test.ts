/**
 * The notifications consumer sends an outbox row once however often SQS delivers its message:
 * here the first delivery's send goes out, then the transaction that would record it fails (as
 * when the connection drops or the invocation times out right after sending), so the message
 * fails and comes back. The redelivery must not send the notification again.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from '../../functions/platform.ts';
import {
  notificationsConsumer,
  notificationsDependencies,
} from '../../functions/queue/notifications/index.ts';
import type {
  ChannelName,
  NotificationChannel,
  OutgoingNotification,
} from '../../layers/shared/src/ports/notification-channel.ts';
import { dispatchNotificationPage } from '../../layers/shared/src/services/market/notification-dispatch.ts';
import { subscribe } from '../../layers/shared/src/services/market/notifications.ts';
import { confirmContacts } from '../../local/market/demo-users.ts';
import { type DynamoService, startDynamo } from '../../local/services.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { platformFromEnv } from '../fixtures/platform.ts';

const HOLDER = `0x${'34'.repeat(20)}`;

let t: TestDatabase;
let dynamo: DynamoService;
let platform: Platform;
let consume: (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;
const sent: OutgoingNotification[] = [];
const email: NotificationChannel = {
  name: 'email',
  async send(message) {
    sent.push(message);
  },
};

/**
 * The first write to the outbox fails, as a transaction does whose connection is lost after the
 * send (a sequence, since it counts across the rollback).
 */
async function failFirstOutboxWrite(): Promise<void> {
  await t.sql.unsafe(`
    create sequence outbox_writes;
    create function fail_first_outbox_write() returns trigger language plpgsql as $$
    begin
      if nextval('outbox_writes') = 1 then raise exception 'connection lost before the send was recorded'; end if;
      return new;
    end $$;
    create trigger fail_first_outbox_write before update on market.notification_outbox
      for each row execute function fail_first_outbox_write();`);
}

beforeAll(async () => {
  [t, dynamo] = await Promise.all([createTestDatabase(), startDynamo()]);
  Object.assign(process.env, {
    ORACLE_MODE: 'local',
    LOG_LEVEL: 'SILENT',
    DATABASE_URL: t.url,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    IDEMPOTENCY_TABLE: dynamo.tables.idempotency,
  });
  platform = platformFromEnv();
  const channels = new Map<ChannelName, NotificationChannel>([['email', email]]);
  consume = notificationsConsumer((on) => notificationsDependencies(on, channels)).on(platform);
  await subscribe(t.sql, {
    userId: HOLDER,
    trigger: 'token_minted',
    params: {},
    contact: { email: 'nora@example.test' },
  });
  await confirmContacts(t.sql, HOLDER);
});

afterAll(async () => {
  await platform.close();
  await dynamo.stop();
  await t.close();
});

function delivery(body: unknown, receiveCount: number): SQSEvent {
  return {
    Records: [
      {
        messageId: 'outbox-message',
        receiptHandle: `r${receiveCount}`,
        body: JSON.stringify(body),
        attributes: {
          ApproximateReceiveCount: String(receiveCount),
        } as SQSEvent['Records'][number]['attributes'],
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:notifications',
        awsRegion: 'us-east-1',
      },
    ],
  };
}

describe('notifications consumer under redelivery', () => {
  it('sends a notification once when its message comes again after the send went out but was not recorded', async () => {
    const page = await dispatchNotificationPage(t.sql, {
      id: 'minted:claim-once',
      trigger: 'token_minted',
      occurredAt: Math.floor(Date.now() / 1000),
      data: { holder: HOLDER, amount: '7', credentialId: 'c-1', claimId: 'claim-once' },
    });
    expect(page.deliverable).toHaveLength(1);
    const message = { outboxIds: page.deliverable };
    await failFirstOutboxWrite();

    const first = await consume(delivery(message, 1));
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'outbox-message' }]);
    expect(sent).toHaveLength(1);
    const [pending] =
      await t.sql`select status from market.notification_outbox where id = ${page.deliverable[0] ?? 0}`;
    expect(pending?.['status']).toBe('pending');

    const second = await consume(delivery(message, 2));

    expect(second.batchItemFailures).toEqual([]);
    expect(sent).toHaveLength(1);
    const [row] =
      await t.sql`select status from market.notification_outbox where id = ${page.deliverable[0] ?? 0}`;
    expect(row?.['status']).toBe('sent');
  });
});

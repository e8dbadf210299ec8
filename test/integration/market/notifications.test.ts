import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  PriceUpdatedEvent,
  TokenMintedEvent,
} from '../../../layers/shared/src/core/events/domain-events.ts';
import type {
  ChannelName,
  NotificationChannel,
} from '../../../layers/shared/src/ports/notification-channel.ts';
import { deliverNotifications } from '../../../layers/shared/src/services/market/notification-delivery.ts';
import { dispatchNotificationEvent } from '../../../layers/shared/src/services/market/notification-dispatch.ts';
import {
  notificationEventFor,
  notificationHistory,
  RecordingChannel,
  setPreferences,
  subscribe,
} from '../../../layers/shared/src/services/market/notifications.ts';
import { createTestDatabase, type TestDatabase } from '../../fixtures/db.ts';
import { confirmContacts } from '../../fixtures/market-api.ts';

const HOLDER = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
const TOKEN = `0x${'ab'.repeat(20)}`;
const NOON = 1_750_003_200 - (1_750_003_200 % 86_400) + 12 * 3600;

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.close());

function minted(claimId: string): TokenMintedEvent {
  return {
    type: 'TokenMinted',
    claimId,
    credentialId: 'cred-1',
    holder: HOLDER,
    amount: '1000',
    txHash: '0x01',
    timestamp: NOON,
  };
}

function price(value: string, block: number): PriceUpdatedEvent {
  return {
    type: 'PriceUpdated',
    chainId: 31337,
    tokenAddress: TOKEN,
    poolAddress: `0x${'cd'.repeat(20)}`,
    quoteToken: `0x${'ef'.repeat(20)}`,
    price: value,
    priceX112: '0',
    blockNumber: block,
    timestamp: NOON + block,
  };
}

const channels = () => {
  const email = new RecordingChannel('email');
  const sms = new RecordingChannel('sms');
  return {
    email,
    sms,
    map: new Map<ChannelName, NotificationChannel>([
      ['email', email],
      ['sms', sms],
    ]),
  };
};

describe('notifications', () => {
  it('notifies a holder once per minted claim on each preferred channel, even if the event comes twice', async () => {
    await subscribe(t.sql, {
      userId: HOLDER,
      trigger: 'token_minted',
      params: {},
      contact: { email: 'alice@example.test', phone: '+15550100' },
    });
    await confirmContacts(t.sql, HOLDER);
    await setPreferences(t.sql, { userId: HOLDER, channels: ['email', 'sms'], quietHours: null });
    const { email, sms, map } = channels();

    const first = await dispatchNotificationEvent(t.sql, notificationEventFor(minted('claim-1')));
    const again = await dispatchNotificationEvent(t.sql, notificationEventFor(minted('claim-1')));
    const outcome = await deliverNotifications(t.sql, map, NOON);

    expect(first).toHaveLength(2);
    expect(again).toHaveLength(0);
    expect(outcome.sent).toBe(2);
    expect(email.sent).toEqual([
      {
        to: 'alice@example.test',
        subject: 'Tokens minted',
        body: '1000 base units were minted to 0x70997970c51812dc3a010c7d01b50e0d17dc79c8 for credential cred-1.',
      },
    ]);
    expect(sms.sent).toHaveLength(1);
    const history = await notificationHistory(t.sql, HOLDER, 10);
    expect(history.map((row) => [row.channel, row.trigger, row.status])).toEqual([
      ['sms', 'token_minted', 'sent'],
      ['email', 'token_minted', 'sent'],
      ['sms', 'contact_verification', 'sent'],
      ['email', 'contact_verification', 'sent'],
    ]);
  });

  it('raises a price alert only when the price crosses the threshold', async () => {
    await subscribe(t.sql, {
      userId: 'bob',
      trigger: 'price_alert',
      params: { token: TOKEN, above: '2' },
      contact: { email: 'bob@example.test' },
    });
    await confirmContacts(t.sql, 'bob');
    const raised: number[] = [];
    for (const [value, block] of [
      ['1.0', 1],
      ['1.5', 2],
      ['2.1', 3],
      ['2.5', 4],
      ['1.9', 5],
    ] as const) {
      raised.push((await dispatchNotificationEvent(t.sql, notificationEventFor(price(value, block)))).length);
    }
    expect(raised).toEqual([0, 0, 1, 0, 0]);
    const { email, map } = channels();
    await deliverNotifications(t.sql, map, NOON + 10);
    expect(email.sent.map((m) => m.body)).toEqual([`The price of ${TOKEN} crossed above 2: now 2.1.`]);
  });

  it('holds a notification during the user quiet hours and sends it when they end', async () => {
    await subscribe(t.sql, {
      userId: 'carol',
      trigger: 'token_minted',
      params: { holder: HOLDER },
      contact: { email: 'carol@example.test' },
    });
    await confirmContacts(t.sql, 'carol');
    // Quiet from 11:00 to 13:00 UTC; the event happens at noon.
    await setPreferences(t.sql, {
      userId: 'carol',
      channels: ['email'],
      quietHours: { startMinute: 660, endMinute: 780 },
    });
    await dispatchNotificationEvent(t.sql, notificationEventFor(minted('claim-2')));
    const { email, map } = channels();

    await deliverNotifications(t.sql, map, NOON);
    const duringQuiet = email.sent.filter((m) => m.to === 'carol@example.test').length;
    await deliverNotifications(t.sql, map, NOON + 3600);

    expect(duringQuiet).toBe(0);
    expect(email.sent.filter((m) => m.to === 'carol@example.test')).toHaveLength(1);
  });

  it('retries a failing channel and marks the notification failed after the last attempt', async () => {
    await subscribe(t.sql, {
      userId: 'dave',
      trigger: 'token_minted',
      params: { holder: HOLDER },
      contact: { email: 'dave@example.test' },
    });
    await confirmContacts(t.sql, 'dave');
    const [id] = await dispatchNotificationEvent(t.sql, notificationEventFor(minted('claim-3')));
    const broken: NotificationChannel = {
      name: 'email',
      send: async () => {
        throw new Error('mail relay down');
      },
    };
    const map = new Map<ChannelName, NotificationChannel>([['email', broken]]);

    const outcomes = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      outcomes.push(
        await deliverNotifications(t.sql, map, NOON + attempt * 10_000, { ids: [id!], maxAttempts: 3 }),
      );
    }

    expect(outcomes.map((o) => [o.retried, o.failed])).toEqual([
      [1, 0],
      [1, 0],
      [0, 1],
    ]);
    const [row] =
      await t.sql`select status, attempts, last_error from market.notification_outbox where id = ${id!}`;
    expect(row).toMatchObject({ status: 'failed', attempts: 3, last_error: 'mail relay down' });
  });
});

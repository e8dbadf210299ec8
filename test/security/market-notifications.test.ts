/**
 * H3: the notification routes act for a market user, an EVM address, and only for that address;
 * nothing but a verification reaches a contact that has not confirmed it; subscriptions are
 * capped; dispatch is batched so no number of subscriptions times it out. Each attack goes
 * through the real routes (local HTTP server) and the notifications queue's Lambda consumer.
 */
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Wallet } from 'ethers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  notificationsConsumer,
  notificationsDependencies,
} from '../../functions/queue/notifications/index.ts';
import type { ChannelName, NotificationChannel } from '../../layers/shared/src/ports/notification-channel.ts';
import { RecordingChannel } from '../../layers/shared/src/services/market/notifications.ts';
import { type MarketApi, startMarketApi } from '../fixtures/market-api.ts';

const TOKEN = `0x${'ab'.repeat(20)}`;

let api: MarketApi;
let channels: Record<ChannelName, RecordingChannel>;
let handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** The consumer as Lambda runs it, with `budgetMs` left before the function's timeout. */
function consumer(budgetMs = 60_000, durations?: number[]) {
  return async (event: SQSEvent) => {
    const started = Date.now();
    const context = { getRemainingTimeInMillis: () => started + budgetMs - Date.now() } as Context;
    try {
      return await handler(event, context);
    } finally {
      durations?.push(Date.now() - started);
    }
  };
}

function rootPublished(channel: string, epoch: number) {
  return {
    event: {
      id: `published:${epoch}:${channel}`,
      trigger: 'epoch_published',
      occurredAt: epoch + 3600,
      data: { epoch: new Date(epoch * 1000).toISOString(), channel, root: `0x${'cd'.repeat(32)}` },
    },
  };
}

async function enqueue(body: unknown): Promise<void> {
  const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
  await api.sqs.client.send(
    new SendMessageCommand({ QueueUrl: api.sqs.queues.notifications.url, MessageBody: JSON.stringify(body) }),
  );
}

beforeAll(async () => {
  api = await startMarketApi({ NOTIFICATIONS_MAX_SUBSCRIPTIONS_PER_IP_PER_DAY: '30' });
});
afterAll(() => api.close());
beforeEach(() => {
  channels = {
    email: new RecordingChannel('email'),
    sms: new RecordingChannel('sms'),
    push: new RecordingChannel('push'),
  };
  const given = new Map<ChannelName, NotificationChannel>(Object.entries(channels) as never);
  handler = notificationsConsumer((platform) => notificationsDependencies(platform, given)).on(api.platform);
});

describe('market notifications under attack', () => {
  it("a stranger cannot overwrite another user's email, phone, push endpoint or preferences", async () => {
    const victim = Wallet.createRandom();
    const victimId = victim.address.toLowerCase();
    const subscribed = await api.request('POST', '/api/notifications/subscribe', {
      headers: await api.signIn(victim),
      body: {
        userId: victimId,
        trigger: 'epoch_published',
        email: 'victim@example.test',
        phone: '+15550100001',
        pushEndpoint: 'https://push.example.test/victim',
      },
    });
    expect(subscribed.status).toBe(201);
    const before = await api.db.sql`
      select u.email, u.phone, u.push_endpoint, p.channels from market.users u
      left join market.notification_preferences p on p.user_id = u.id where u.id = ${victimId}`;

    const stranger = await api.signIn(Wallet.createRandom());
    const takeover = {
      userId: victimId,
      trigger: 'epoch_published',
      params: { channel: 'anything' },
      email: 'thief@example.test',
      phone: '+15550109999',
      pushEndpoint: 'https://push.example.test/thief',
    };
    const answers = [
      await api.request('POST', '/api/notifications/subscribe', { body: takeover }),
      await api.request('POST', '/api/notifications/subscribe', { body: takeover, headers: stranger }),
      await api.request('POST', '/api/notifications/preferences', {
        body: { userId: victimId, channels: ['sms'] },
      }),
      await api.request('POST', '/api/notifications/preferences', {
        body: { userId: victimId, channels: ['sms'] },
        headers: stranger,
      }),
    ];

    expect(answers.map((answer) => answer.status)).toEqual([401, 403, 401, 403]);
    const after = await api.db.sql`
      select u.email, u.phone, u.push_endpoint, p.channels from market.users u
      left join market.notification_preferences p on p.user_id = u.id where u.id = ${victimId}`;
    expect(after).toEqual(before);
    expect(after[0]).toMatchObject({ email: 'victim@example.test', phone: '+15550100001' });
  });

  it("a stranger cannot read another user's notification history", async () => {
    const victimId = Wallet.createRandom().address.toLowerCase();
    await api.db.sql`
      insert into market.notification_outbox (user_id, channel, event_id, trigger, subject, body, status)
      values (${victimId}, 'email', 'minted:claim-private', 'token_minted', 'Tokens minted to the victim',
              'private', 'sent')`;
    const stranger = await api.signIn(Wallet.createRandom());

    const anonymous = await api.request('GET', `/api/notifications/history/${victimId}`);
    const other = await api.request('GET', `/api/notifications/history/${victimId}`, { headers: stranger });

    expect([anonymous.status, other.status]).toEqual([401, 403]);
    expect(anonymous.text + other.text).not.toContain('Tokens minted to the victim');
  });

  it('an unverified phone number receives no notification other than its verification code', async () => {
    const owner = Wallet.createRandom();
    const userId = owner.address.toLowerCase();
    const session = await api.signIn(owner);
    const phone = '+15550100042';
    await api.request('POST', '/api/notifications/preferences', {
      headers: session,
      body: { userId, channels: ['sms'] },
    });
    const subscribed = await api.request('POST', '/api/notifications/subscribe', {
      headers: session,
      body: { userId, trigger: 'epoch_published', params: { channel: 'sms_channel' }, phone },
    });
    expect(subscribed.status).toBe(201);

    await enqueue(rootPublished('sms_channel', 1_750_000_000));
    await api.drainNotifications(consumer());

    const toPhone = channels.sms.sent.filter((message) => message.to === phone);
    expect(toPhone).toHaveLength(1);
    expect(toPhone[0]?.body).toMatch(/verification code is \d{6}/);
  });

  it('an unverified email address receives nothing but its confirmation link', async () => {
    const owner = Wallet.createRandom();
    const userId = owner.address.toLowerCase();
    const email = 'someone-else@example.test';
    const subscribed = await api.request('POST', '/api/notifications/subscribe', {
      headers: await api.signIn(owner),
      body: { userId, trigger: 'epoch_published', params: { channel: 'mail_channel' }, email },
    });
    expect(subscribed.status).toBe(201);

    await enqueue(rootPublished('mail_channel', 1_750_003_600));
    await api.drainNotifications(consumer());

    const toEmail = channels.email.sent.filter((message) => message.to === email);
    expect(toEmail).toHaveLength(1);
    expect(toEmail[0]?.body).toMatch(/\/api\/notifications\/verify\/email\?token=[A-Za-z0-9_-]{43}/);
  });

  it('a flood of subscriptions from one user is capped', async () => {
    const flooder = Wallet.createRandom();
    const userId = flooder.address.toLowerCase();
    const session = await api.signIn(flooder, { ip: '198.51.100.20' });
    const statuses: number[] = [];
    for (let i = 1; i <= 40; i++) {
      const answer = await api.request('POST', '/api/notifications/subscribe', {
        headers: session,
        ip: '198.51.100.20',
        body: { userId, trigger: 'price_alert', params: { token: TOKEN, above: String(i) } },
      });
      statuses.push(answer.status);
    }

    const [held] = await api.db.sql<{ n: number }[]>`
      select count(*)::int as n from market.notification_subscriptions where user_id = ${userId} and active`;
    expect(held?.n).toBe(20);
    expect(statuses.filter((status) => status === 201)).toHaveLength(20);
    expect(statuses.slice(20).every((status) => status === 409)).toBe(true);
  });

  it('a flood of subscriptions from one IP is capped, and other addresses stay unaffected', async () => {
    const ip = '198.51.100.77';
    const created: string[] = [];
    let refused = 0;
    for (let w = 0; w < 10; w++) {
      const wallet = Wallet.createRandom();
      const session = await api.signIn(wallet, { ip });
      for (let i = 1; i <= 5; i++) {
        const answer = await api.request('POST', '/api/notifications/subscribe', {
          headers: session,
          ip,
          body: {
            userId: wallet.address.toLowerCase(),
            trigger: 'creator_milestone',
            params: { creator: `0x${String(i).padStart(40, '0')}` },
          },
        });
        if (answer.status === 201) created.push(wallet.address);
        else if (answer.status === 429) refused++;
      }
    }
    const elsewhere = Wallet.createRandom();
    const fromElsewhere = await api.request('POST', '/api/notifications/subscribe', {
      headers: await api.signIn(elsewhere, { ip: '198.51.100.78' }),
      ip: '198.51.100.78',
      body: { userId: elsewhere.address.toLowerCase(), trigger: 'creator_milestone' },
    });

    expect(created).toHaveLength(30);
    expect(refused).toBe(20);
    expect(fromElsewhere.status).toBe(201);
  });

  it('dispatch to ten thousand subscriptions returns within every invocation time and sends each once', async () => {
    const n = 10_000;
    const users = Array.from({ length: n }, (_, i) => `0x${(i + 1).toString(16).padStart(40, '0')}`);
    const endpoints = users.map((user) => `https://push.example.test/${user}`);
    await api.db.sql`
      insert into market.users (id, push_endpoint) select * from unnest(${users}::text[], ${endpoints}::text[])`;
    await api.db.sql`
      insert into market.notification_preferences (user_id, channels)
      select id, '["push"]'::jsonb from unnest(${users}::text[]) as id`;
    await api.db.sql`
      insert into market.notification_subscriptions (id, user_id, trigger, params)
      select 'sub_flood_' || id, id, 'epoch_published', '{"channel":"busy_channel"}'::jsonb
      from unnest(${users}::text[]) as id`;
    const durations: number[] = [];
    const budgetMs = 3_000;

    const started = Date.now();
    await enqueue(rootPublished('busy_channel', 1_750_007_200));
    await api.drainNotifications(consumer(budgetMs, durations));
    // SQS delivers at least once: the same event again changes nothing.
    await enqueue(rootPublished('busy_channel', 1_750_007_200));
    await api.drainNotifications(consumer(budgetMs, durations));
    const elapsed = Date.now() - started;

    expect(Math.max(...durations), `invocations took ${durations.join(', ')} ms`).toBeLessThan(budgetMs);
    const perEndpoint = new Map<string, number>();
    for (const message of channels.push.sent) {
      perEndpoint.set(message.to, (perEndpoint.get(message.to) ?? 0) + 1);
    }
    expect(perEndpoint.size).toBe(n);
    expect([...perEndpoint.values()].every((count) => count === 1)).toBe(true);
    const [sent] = await api.db.sql<{ n: number }[]>`
      select count(*)::int as n from market.notification_outbox where event_id = 'published:1750007200:busy_channel'
        and status = 'sent'`;
    expect(sent?.n).toBe(n);
    console.info(`dispatch of ${n}: ${durations.length} invocations, ${elapsed} ms in all`);
  }, 180_000);
});

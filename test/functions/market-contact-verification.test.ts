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

let api: MarketApi;
let email: RecordingChannel;
let sms: RecordingChannel;

beforeAll(async () => {
  api = await startMarketApi({ NOTIFICATIONS_VERIFICATIONS_PER_USER_PER_DAY: '3' });
});
afterAll(() => api.close());
beforeEach(() => {
  email = new RecordingChannel('email');
  sms = new RecordingChannel('sms');
  const channels = new Map<ChannelName, NotificationChannel>([
    ['email', email],
    ['sms', sms],
  ]);
  handler = notificationsConsumer((platform) => notificationsDependencies(platform, channels)).on(
    api.platform,
  );
});

let handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

const deliver = () =>
  api.drainNotifications((event: SQSEvent) =>
    handler(event, { getRemainingTimeInMillis: () => 60_000 } as Context),
  );

async function signedInUser() {
  const wallet = Wallet.createRandom();
  return { id: wallet.address.toLowerCase(), session: await api.signIn(wallet) };
}

async function subscribeWith(session: Record<string, string>, contact: Record<string, string>) {
  return api.request('POST', '/api/notifications/subscribe', {
    headers: session,
    body: { trigger: 'epoch_published', ...contact },
  });
}

const tokenIn = (body: string) => /token=([A-Za-z0-9_-]{43})/.exec(body)?.[1] as string;
const codeIn = (body: string) => /code is (\d{6})/.exec(body)?.[1] as string;
const errorMessage = (body: unknown) => (body as { error: { message: string } }).error.message;

async function verifiedAt(userId: string) {
  const [row] = await api.db.sql<{ email: string | null; phone: string | null }[]>`
    select email_verified_at::text as email, phone_verified_at::text as phone from market.users where id = ${userId}`;
  return row;
}

describe('confirming an email address', () => {
  it('sends a link whose page changes nothing, and whose button confirms the address', async () => {
    const user = await signedInUser();
    const subscribed = await subscribeWith(user.session, { email: 'one@example.test' });
    expect(subscribed.body).toMatchObject({ created: true, verificationsSent: 1 });
    await deliver();
    const [link] = email.sent;
    expect(link?.to).toBe('one@example.test');
    const token = tokenIn(link?.body ?? '');

    const page = await api.request('GET', `/api/notifications/verify/email?token=${token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.text).toContain(`name="token" value="${token}"`);
    expect((await verifiedAt(user.id))?.email).toBeNull();

    const confirmed = await api.request('POST', '/api/notifications/verify/email', { form: { token } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.text).toContain('Confirmed');
    expect((await verifiedAt(user.id))?.email).not.toBeNull();
    const again = await api.request('POST', '/api/notifications/verify/email', { body: { token } });
    expect(again.status).toBe(404);
  });

  it('keeps no link once sent: the stored message is blanked and the token kept only hashed', async () => {
    const user = await signedInUser();
    await subscribeWith(user.session, { email: 'two@example.test' });
    await deliver();
    const token = tokenIn(email.sent[0]?.body ?? '');
    const rows = await api.db.sql<{ body: string }[]>`
      select body from market.notification_outbox where user_id = ${user.id}
      union all select secret_hash from market.contact_verifications where user_id = ${user.id}`;
    expect(rows.length).toBe(2);
    expect(rows.every((row) => !row.body.includes(token))).toBe(true);
  });

  it('does not confirm an address replaced since its link was sent', async () => {
    const user = await signedInUser();
    await subscribeWith(user.session, { email: 'old@example.test' });
    await deliver();
    const oldToken = tokenIn(email.sent[0]?.body ?? '');
    await subscribeWith(user.session, { email: 'new@example.test' });

    const answer = await api.request('POST', '/api/notifications/verify/email', {
      body: { token: oldToken },
    });

    expect(answer.status).toBe(404);
    expect(errorMessage(answer.body)).toMatch(/replaced since/);
    expect((await verifiedAt(user.id))?.email).toBeNull();
  });

  it('sends a waiting verification once, however often the same address is given within a minute', async () => {
    const user = await signedInUser();
    const first = await subscribeWith(user.session, { email: 'same@example.test' });
    const second = await subscribeWith(user.session, { email: 'same@example.test' });
    await deliver();
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(email.sent.filter((m) => m.to === 'same@example.test')).toHaveLength(1);
    const [made] = await api.db.sql<{ n: number }[]>`
      select count(*)::int as n from market.contact_verifications where user_id = ${user.id}`;
    expect(made?.n).toBe(1);
  });

  it('caps the verifications one user gets a day, and writes nothing for the refused request', async () => {
    const user = await signedInUser();
    for (const n of [1, 2, 3]) {
      expect((await subscribeWith(user.session, { email: `try${n}@example.test` })).status).toBeLessThan(300);
    }
    const fourth = await api.request('POST', '/api/notifications/subscribe', {
      headers: user.session,
      body: { trigger: 'creator_milestone', email: 'try4@example.test' },
    });
    expect(fourth.status).toBe(429);
    expect(errorMessage(fourth.body)).toMatch(/at most 3 verifications a day per user/);
    const [row] = await api.db.sql`select email from market.users where id = ${user.id}`;
    expect(row?.['email']).toBe('try3@example.test');
    const subscriptions = await api.db.sql`
      select trigger from market.notification_subscriptions where user_id = ${user.id}`;
    expect(subscriptions.map((s) => s['trigger'])).toEqual(['epoch_published']);
  });
});

describe('confirming a phone number', () => {
  it('takes the code from its user only, a few wrong attempts, then no more', async () => {
    const user = await signedInUser();
    const stranger = await signedInUser();
    await subscribeWith(user.session, { phone: '+15550100077' });
    await deliver();
    const code = codeIn(sms.sent[0]?.body ?? '');
    const wrong = code === '000000' ? '000001' : '000000';

    const anonymous = await api.request('POST', '/api/notifications/verify/sms', { body: { code } });
    const byStranger = await api.request('POST', '/api/notifications/verify/sms', {
      headers: stranger.session,
      body: { code },
    });
    expect([anonymous.status, byStranger.status]).toEqual([401, 404]);
    const attempts = [];
    for (let i = 0; i < 5; i++) {
      attempts.push(
        await api.request('POST', '/api/notifications/verify/sms', {
          headers: user.session,
          body: { code: wrong },
        }),
      );
    }
    const late = await api.request('POST', '/api/notifications/verify/sms', {
      headers: user.session,
      body: { code },
    });

    expect(attempts.map((a) => a.status)).toEqual([400, 400, 400, 400, 400]);
    expect(errorMessage(attempts[0]?.body)).toBe('code: not the code that was sent; 4 attempts left');
    expect(late.status).toBe(409);
    expect((await verifiedAt(user.id))?.phone).toBeNull();
  });

  it('confirms the number with the right code', async () => {
    const user = await signedInUser();
    await subscribeWith(user.session, { phone: '+15550100078' });
    await deliver();
    const answer = await api.request('POST', '/api/notifications/verify/sms', {
      headers: user.session,
      body: { code: codeIn(sms.sent[0]?.body ?? '') },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ userId: user.id, channel: 'sms', contact: '+15550100078' });
    expect((await verifiedAt(user.id))?.phone).not.toBeNull();
  });
});

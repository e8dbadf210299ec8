import { describe, expect, it } from 'vitest';
import { verificationMessage } from '../../../layers/shared/src/core/market/contact-messages.ts';
import {
  type EventToNotify,
  type Subscriber,
  subscriberMessages,
  subscriptionMatches,
} from '../../../layers/shared/src/core/market/notification-messages.ts';

const MIDNIGHT = 1_749_945_600; // a UTC midnight
const HOLDER = '0xabc';
const FALLBACK = {
  subject: 'Price alert: {{token}}',
  body: '{{token}} crossed {{direction}} {{threshold}}: {{price}}',
};

const subscriber = (over: Partial<Subscriber> = {}): Subscriber => ({
  userId: HOLDER,
  params: {},
  state: {},
  address: HOLDER,
  email: 'a@example.org',
  phone: null,
  pushEndpoint: null,
  channels: null,
  quietStartMinute: null,
  quietEndMinute: null,
  ...over,
});
const priceEvent = (price: string): EventToNotify => ({
  trigger: 'price_alert',
  occurredAt: MIDNIGHT + 12 * 3600,
  data: { token: '0xtok', price },
});

describe('which subscriptions an event reaches', () => {
  it('a minted token reaches its holder, by the subscription’s holder or else the user’s address', () => {
    const minted: EventToNotify = {
      trigger: 'token_minted',
      occurredAt: MIDNIGHT,
      data: { holder: '0xABC' },
    };
    expect(subscriptionMatches(minted, subscriber())).toBe(true);
    expect(subscriptionMatches(minted, subscriber({ address: '0xother' }))).toBe(false);
    expect(subscriptionMatches(minted, subscriber({ address: '0xother', params: { holder: '0xAbc' } }))).toBe(
      true,
    );
  });

  it('a milestone reaches subscribers of its creator, or of every creator', () => {
    const milestone: EventToNotify = {
      trigger: 'creator_milestone',
      occurredAt: MIDNIGHT,
      data: { creator: 'c1' },
    };
    expect(subscriptionMatches(milestone, subscriber({ params: { creator: 'c1' } }))).toBe(true);
    expect(subscriptionMatches(milestone, subscriber({ params: { creator: 'c2' } }))).toBe(false);
    expect(subscriptionMatches(milestone, subscriber())).toBe(true);
  });
});

describe('what a subscriber is sent', () => {
  it('a price alert that crossed renders its template per confirmed channel and remembers the price', () => {
    const alert = subscriber({
      params: { token: '0xtok', above: '2' },
      state: { lastPrice: '1.5', other: 'kept' },
      channels: ['email', 'sms', 'push'],
      pushEndpoint: 'https://push.example/1',
    });
    const planned = subscriberMessages(
      priceEvent('2.5'),
      alert,
      [{ channel: 'push', subject: 'P', body: 'up {{threshold}}' }],
      FALLBACK,
    );
    expect(planned.state).toEqual({ lastPrice: '2.5', other: 'kept' });
    // SMS has no confirmed number: no message there.
    expect(planned.messages).toEqual([
      {
        user: HOLDER,
        channel: 'email',
        subject: 'Price alert: 0xtok',
        body: '0xtok crossed above 2: 2.5',
        notBefore: MIDNIGHT + 12 * 3600,
      },
      { user: HOLDER, channel: 'push', subject: 'P', body: 'up 2', notBefore: MIDNIGHT + 12 * 3600 },
    ]);
  });

  it('a price alert that did not cross sends nothing but still remembers the price', () => {
    const alert = subscriber({ params: { token: '0xtok', above: '2' }, state: { lastPrice: '1.5' } });
    expect(subscriberMessages(priceEvent('1.8'), alert, [], FALLBACK)).toEqual({
      messages: [],
      state: { lastPrice: '1.8' },
    });
  });

  it('a subscription the event does not match keeps its state and gets nothing', () => {
    const alert = subscriber({ params: { token: '0xelse', above: '2' }, state: { lastPrice: '1.5' } });
    expect(subscriberMessages(priceEvent('2.5'), alert, [], FALLBACK)).toEqual({ messages: [] });
  });

  it('a message inside the user’s quiet hours waits for their end', () => {
    const published: EventToNotify = {
      trigger: 'epoch_published',
      occurredAt: MIDNIGHT + 3600,
      data: { channel: 'x' },
    };
    const quiet = subscriber({ quietStartMinute: 0, quietEndMinute: 360 });
    const [message] = subscriberMessages(published, quiet, [], { subject: 's', body: 'b' }).messages;
    expect(message?.notBefore).toBe(MIDNIGHT + 6 * 3600);
  });
});

describe('verification messages', () => {
  it('an email names the account asking and carries the link', () => {
    const message = verificationMessage({ channel: 'email', userId: HOLDER, link: 'https://x/confirm?t=1' });
    expect(message.subject).toBe('Confirm your email for Engagement Oracle notifications');
    expect(message.body).toContain(`The Ethereum account ${HOLDER} asked`);
    expect(message.body).toContain('open https://x/confirm?t=1 within 24 hours');
  });

  it('an SMS carries the code and how long it lasts', () => {
    expect(verificationMessage({ channel: 'sms', code: '012345' })).toEqual({
      subject: 'Engagement Oracle',
      body: 'Your Engagement Oracle verification code is 012345. It expires in 15 minutes. Ignore this message if you did not ask for it.',
    });
  });
});

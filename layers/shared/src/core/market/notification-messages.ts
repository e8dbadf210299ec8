/**
 * What one notification event says to one subscriber, with no I/O: whether the subscription
 * matches the event, what a price alert remembers, and one rendered message per channel the user
 * chose that has a confirmed contact, held back past the user's quiet hours.
 */
import type { ChannelName } from '../../ports/notification-channel.ts';
import { alertCrossed, deliverAfterQuietHours, renderTemplate } from './notification-rules.ts';

export interface EventToNotify {
  readonly trigger: string;
  readonly occurredAt: number;
  readonly data: Readonly<Record<string, string | number>>;
}

/** A subscription with its user's confirmed contacts (null: none) and preferences (null: not set). */
export interface Subscriber {
  readonly userId: string;
  readonly params: Readonly<Record<string, string>>;
  readonly state: Readonly<Record<string, string>>;
  readonly address: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly pushEndpoint: string | null;
  readonly channels: readonly ChannelName[] | null;
  readonly quietStartMinute: number | null;
  readonly quietEndMinute: number | null;
}

export interface MessageTemplate {
  readonly subject: string;
  readonly body: string;
}

export interface SubscriberMessage {
  readonly user: string;
  readonly channel: ChannelName;
  readonly subject: string;
  readonly body: string;
  /** Unix seconds. */
  readonly notBefore: number;
}

/** Whether the subscription's parameters select this event (no parameter: every event of its trigger). */
export function subscriptionMatches(event: EventToNotify, subscriber: Subscriber): boolean {
  if (event.trigger === 'token_minted') {
    const holder = String(event.data['holder']).toLowerCase();
    return (subscriber.params['holder'] ?? subscriber.address ?? '').toLowerCase() === holder;
  }
  if (event.trigger === 'price_alert')
    return subscriber.params['token'] === String(event.data['token']).toLowerCase();
  const wanted =
    event.trigger === 'creator_milestone' ? subscriber.params['creator'] : subscriber.params['channel'];
  const actual = event.trigger === 'creator_milestone' ? event.data['creator'] : event.data['channel'];
  return wanted === undefined || wanted === String(actual);
}

/**
 * The subscriber's messages for the event (none when it does not match, or a price alert did not
 * cross), and for a price alert the state it keeps from now on (the price it saw), crossed or not.
 * A channel's template comes from `templates`, else `fallback`.
 */
export function subscriberMessages(
  event: EventToNotify,
  subscriber: Subscriber,
  templates: readonly (MessageTemplate & { readonly channel: ChannelName })[],
  fallback: MessageTemplate,
): { messages: SubscriberMessage[]; state?: Record<string, string> } {
  if (!subscriptionMatches(event, subscriber)) return { messages: [] };
  const data: Record<string, string | number> = { ...event.data };
  let state: Record<string, string> | undefined;
  if (event.trigger === 'price_alert') {
    const price = String(event.data['price']);
    state = { ...subscriber.state, lastPrice: price };
    const direction = alertCrossed(subscriber.state['lastPrice'], price, {
      above: subscriber.params['above'],
      below: subscriber.params['below'],
    });
    if (direction === undefined) return { messages: [], state };
    data['direction'] = direction;
    data['threshold'] =
      (direction === 'above' ? subscriber.params['above'] : subscriber.params['below']) ?? '';
  }
  const notBefore = deliverAfterQuietHours(
    event.occurredAt,
    subscriber.quietStartMinute,
    subscriber.quietEndMinute,
  );
  const messages: SubscriberMessage[] = [];
  for (const channel of subscriber.channels ?? ['email']) {
    const to =
      channel === 'email' ? subscriber.email : channel === 'sms' ? subscriber.phone : subscriber.pushEndpoint;
    if (to === null) continue;
    const template = templates.find((t) => t.channel === channel) ?? fallback;
    messages.push({
      user: subscriber.userId,
      channel,
      subject: renderTemplate(template.subject, data),
      body: renderTemplate(template.body, data),
      notBefore,
    });
  }
  return state === undefined ? { messages } : { messages, state };
}

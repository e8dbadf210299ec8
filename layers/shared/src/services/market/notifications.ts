/**
 * Notifications: subscriptions to triggers (token minted, price alert crossing, creator
 * milestone, epoch published), per-user channel preferences and quiet hours, templates, and an
 * outbox that is also the history. An event becomes at most one outbox row per user and channel
 * (unique on user, channel, event id), so a redelivered event notifies nobody twice. Dispatch is
 * ./notification-dispatch.ts, delivery ./notification-delivery.ts.
 */
import { createHash } from 'node:crypto';
import { outboxHistory } from '../../adapters/db/market/notification-outbox-store.ts';
import { upsertPreferences } from '../../adapters/db/market/notification-preference-store.ts';
import {
  activeSubscriptionCount,
  activeSubscriptionsOf,
  deactivateSubscription,
  subscriptionActive,
  subscriptionsMadeSince,
  upsertSubscription,
} from '../../adapters/db/market/notification-subscription-store.ts';
import type { NotifyingEvent } from '../../core/events/domain-events.ts';
import { ConflictError, NotFoundError, RateLimitedError } from '../../errors.ts';
import type { ChannelName, NotificationChannel } from '../../ports/notification-channel.ts';
import type { Sql } from '../../ports/sql.ts';
import { lockKeys } from '../platform/advisory-locks.ts';
import { type ContactUpdate, updateContacts, type VerificationLimits } from './contact-verification.ts';
import { sourceHash } from './market-sessions.ts';

export const TRIGGERS = ['token_minted', 'price_alert', 'creator_milestone', 'epoch_published'] as const;
export type NotificationTrigger = (typeof TRIGGERS)[number];
export const CHANNELS: readonly ChannelName[] = ['email', 'push', 'sms'];

export const DEFAULT_TEMPLATES: Readonly<Record<NotificationTrigger, { subject: string; body: string }>> = {
  token_minted: {
    subject: 'Tokens minted',
    body: '{{amount}} base units were minted to {{holder}} for credential {{credentialId}}.',
  },
  price_alert: {
    subject: 'Price alert: {{token}}',
    body: 'The price of {{token}} crossed {{direction}} {{threshold}}: now {{price}}.',
  },
  creator_milestone: { subject: 'Milestone reached', body: '{{creatorName}} reached {{milestone}}.' },
  epoch_published: {
    subject: 'Epoch published',
    body: 'Epoch {{epoch}} of {{channel}} was published: root {{root}}.',
  },
};

export interface SubscribeInput {
  /** The market user: a lowercase address (the signed-in one, on the routes). */
  readonly userId: string;
  readonly trigger: NotificationTrigger;
  readonly params: Readonly<Record<string, string>>;
  /** Contacts to set; an email or phone not yet confirmed gets a verification (./contact-verification.ts). */
  readonly contact: ContactUpdate;
  /** For a price alert: the token's price now, so the first update after subscribing can cross. */
  readonly currentPrice?: string;
  /** The caller's IP address (verifications are capped per source). @default 'internal' */
  readonly sourceIp?: string;
  /** Unix seconds. @default the clock */
  readonly now?: number;
  /** @default DEFAULT_VERIFICATION_LIMITS */
  readonly verificationLimits?: VerificationLimits;
  /** The confirmation link for an email token. @default the API route on localhost */
  readonly emailLink?: (token: string) => string;
  /** @default DEFAULT_SUBSCRIPTION_LIMITS */
  readonly subscriptionLimits?: SubscriptionLimits;
}

/**
 * Every subscription is work for every event of its trigger and, on SMS, money: a user holds a
 * bounded number, and one IP address creates a bounded number a day (addresses cost nothing to make).
 */
export interface SubscriptionLimits {
  readonly perUser: number;
  readonly perSourcePerDay: number;
}

export const DEFAULT_SUBSCRIPTION_LIMITS: SubscriptionLimits = { perUser: 20, perSourcePerDay: 100 };

export interface Subscribed {
  readonly subscriptionId: string;
  readonly created: boolean;
  /** Outbox rows of verifications to send now (the caller hands them to the notifications queue). */
  readonly verificationOutboxIds: readonly number[];
}

export const DEFAULT_VERIFICATION_LIMITS: VerificationLimits = { perUserPerDay: 5, perSourcePerDay: 20 };

export async function subscribe(sql: Sql, input: SubscribeInput): Promise<Subscribed> {
  const canonical = JSON.stringify(Object.entries(input.params).sort(([a], [b]) => a.localeCompare(b)));
  const subscriptionId = `sub_${createHash('sha256').update(`${input.userId}\0${input.trigger}\0${canonical}`).digest('hex').slice(0, 24)}`;
  const params = Object.fromEntries(
    Object.entries(input.params).map(([key, value]) => [
      key,
      /^0x[0-9a-fA-F]{40}$/.test(value) ? value.toLowerCase() : value,
    ]),
  );
  const now = input.now ?? Math.floor(Date.now() / 1000);
  return sql.begin(async (tx) => {
    const verificationOutboxIds = await updateContacts(tx as unknown as Sql, {
      userId: input.userId,
      contact: input.contact,
      sourceIp: input.sourceIp ?? 'internal',
      now,
      limits: input.verificationLimits ?? DEFAULT_VERIFICATION_LIMITS,
      emailLink:
        input.emailLink ?? ((token) => `http://localhost/api/notifications/verify/email?token=${token}`),
    });
    const active = await subscriptionActive(tx, subscriptionId);
    if (active !== true) {
      // The user's row is locked (updateContacts), so the user's count is exact.
      await withinLimits(tx as unknown as Sql, input, now, active === undefined);
    }
    const created = await upsertSubscription(tx, {
      id: subscriptionId,
      userId: input.userId,
      trigger: input.trigger,
      params,
      state: input.currentPrice === undefined ? {} : { lastPrice: input.currentPrice },
      createdAt: now,
      sourceHash: sourceHash(input.sourceIp ?? 'internal'),
    });
    return { subscriptionId, created, verificationOutboxIds };
  }) as Promise<Subscribed>;
}

/** Refuses a subscription the user, or its source today, has no room left for. */
async function withinLimits(tx: Sql, input: SubscribeInput, now: number, creates: boolean): Promise<void> {
  const limits = input.subscriptionLimits ?? DEFAULT_SUBSCRIPTION_LIMITS;
  const held = await activeSubscriptionCount(tx, input.userId);
  if (held >= limits.perUser) {
    throw new ConflictError(
      `${input.userId} holds ${held} subscriptions, the most one user may hold; unsubscribe from one first`,
    );
  }
  if (!creates) return;
  const source = sourceHash(input.sourceIp ?? 'internal');
  await lockKeys(tx, [`subscribe:${source}`], 'exclusive');
  const made = await subscriptionsMadeSince(tx, source, now - 86_400);
  if (made.n >= limits.perSourcePerDay) {
    throw new RateLimitedError(
      `at most ${limits.perSourcePerDay} subscriptions a day from one IP address`,
      Math.max(1, Math.ceil((made.oldest ?? now) + 86_400 - now)),
    );
  }
}

/** Ends one of the user's subscriptions; 404 for one that is not theirs or not active. */
export async function unsubscribe(sql: Sql, userId: string, subscriptionId: string): Promise<void> {
  if (!(await deactivateSubscription(sql, userId, subscriptionId)))
    throw new NotFoundError(`${userId} has no active subscription ${subscriptionId}`);
}

/** The user's active subscriptions, newest first. */
export async function subscriptionsOf(
  sql: Sql,
  userId: string,
): Promise<{ subscriptionId: string; trigger: string; params: Record<string, string>; createdAt: Date }[]> {
  const rows = await activeSubscriptionsOf(sql, userId);
  return rows.map((row) => ({
    subscriptionId: row.id,
    trigger: row.trigger,
    params: row.params,
    createdAt: new Date(row.createdAt),
  }));
}

export interface PreferencesInput {
  readonly userId: string;
  readonly channels: readonly ChannelName[];
  readonly quietHours: { readonly startMinute: number; readonly endMinute: number } | null;
}

export async function setPreferences(sql: Sql, input: PreferencesInput): Promise<PreferencesInput> {
  await upsertPreferences(sql, {
    userId: input.userId,
    channels: input.channels,
    quietStartMinute: input.quietHours?.startMinute ?? null,
    quietEndMinute: input.quietHours?.endMinute ?? null,
  });
  return input;
}

export interface NotificationEvent {
  /** Stable per event: the same event delivered twice has the same id. */
  readonly id: string;
  readonly trigger: NotificationTrigger;
  readonly occurredAt: number;
  readonly data: Readonly<Record<string, string | number>>;
}

/** The notification event a domain event raises; its id is stable, so a redelivery is the same event. */
export function notificationEventFor(event: NotifyingEvent): NotificationEvent {
  switch (event.type) {
    case 'TokenMinted':
      return {
        id: `minted:${event.claimId}`,
        trigger: 'token_minted',
        occurredAt: event.timestamp,
        data: {
          holder: event.holder,
          amount: event.amount,
          credentialId: event.credentialId,
          claimId: event.claimId,
        },
      };
    case 'PriceUpdated':
      return {
        id: `price:${event.chainId}:${event.tokenAddress}:${event.blockNumber}`,
        trigger: 'price_alert',
        occurredAt: event.timestamp,
        data: { token: event.tokenAddress, price: event.price, blockNumber: event.blockNumber },
      };
    case 'MilestoneReached':
      return {
        id: `milestone:${event.creatorId}:${event.milestone}`,
        trigger: 'creator_milestone',
        occurredAt: event.timestamp,
        data: {
          creator: event.creator.toLowerCase(),
          creatorName: event.stageName,
          milestone: event.description,
          milestoneId: event.milestone,
          value: event.value,
        },
      };
    case 'RootPublished':
      return {
        id: `published:${event.epoch}:${event.channel}`,
        trigger: 'epoch_published',
        occurredAt: event.timestamp,
        data: {
          epoch: new Date(event.epoch * 1000).toISOString(),
          channel: event.channel,
          root: event.root,
          signature: event.signature ?? '',
        },
      };
  }
}

export async function notificationHistory(
  sql: Sql,
  userId: string,
  limit: number,
): Promise<
  {
    id: number;
    channel: string;
    trigger: string;
    subject: string;
    status: string;
    createdAt: Date;
    sentAt: Date | null;
  }[]
> {
  return outboxHistory(sql, userId, limit);
}

/** The local channel: remembers what it sent (the outbox row is the durable record). */
export class RecordingChannel implements NotificationChannel {
  readonly sent: { to: string; subject: string; body: string }[] = [];
  constructor(readonly name: ChannelName) {}
  async send(message: { to: string; subject: string; body: string }): Promise<void> {
    this.sent.push(message);
  }
}

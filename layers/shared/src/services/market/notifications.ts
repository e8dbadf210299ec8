/**
 * Notifications: subscriptions to triggers (token minted, price alert crossing, creator
 * milestone, epoch published), per-user channel preferences and quiet hours, templates, and an
 * outbox that is also the history. An event becomes at most one outbox row per user and channel
 * (unique on user, channel, event id), so a redelivered event notifies nobody twice. Delivery
 * retries with backoff and gives up after `maxAttempts`, leaving the row `failed` (the queue's
 * DLQ holds the message on AWS).
 */
import { createHash } from 'node:crypto';
import type { Sql } from '../../adapters/db/client.ts';
import {
  alertCrossed,
  deliverAfterQuietHours,
  renderTemplate,
} from '../../core/market/notification-rules.ts';
import type { NotifyingEvent } from '../../ports/event-bus.ts';
import type { ChannelName, NotificationChannel } from '../../ports/notification-channel.ts';

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
  readonly userId: string;
  readonly trigger: NotificationTrigger;
  readonly params: Readonly<Record<string, string>>;
  readonly contact: {
    readonly email?: string;
    readonly phone?: string;
    readonly pushEndpoint?: string;
    readonly address?: string;
  };
  /** For a price alert: the token's price now, so the first update after subscribing can cross. */
  readonly currentPrice?: string;
}

export async function subscribe(
  sql: Sql,
  input: SubscribeInput,
): Promise<{ subscriptionId: string; created: boolean }> {
  const canonical = JSON.stringify(Object.entries(input.params).sort(([a], [b]) => a.localeCompare(b)));
  const subscriptionId = `sub_${createHash('sha256').update(`${input.userId}\0${input.trigger}\0${canonical}`).digest('hex').slice(0, 24)}`;
  const params = Object.fromEntries(
    Object.entries(input.params).map(([key, value]) => [
      key,
      /^0x[0-9a-fA-F]{40}$/.test(value) ? value.toLowerCase() : value,
    ]),
  );
  return sql.begin(async (tx) => {
    await tx`
      insert into market.users (id, address, email, phone, push_endpoint)
      values (${input.userId}, ${input.contact.address?.toLowerCase() ?? null}, ${input.contact.email ?? null},
              ${input.contact.phone ?? null}, ${input.contact.pushEndpoint ?? null})
      on conflict (id) do update set
        address = coalesce(excluded.address, market.users.address),
        email = coalesce(excluded.email, market.users.email),
        phone = coalesce(excluded.phone, market.users.phone),
        push_endpoint = coalesce(excluded.push_endpoint, market.users.push_endpoint)`;
    // xmax is 0 only for a row this statement inserted (not one it updated on conflict).
    const [row] = await tx<{ inserted: boolean }[]>`
      insert into market.notification_subscriptions (id, user_id, trigger, params, state)
      values (${subscriptionId}, ${input.userId}, ${input.trigger}, ${JSON.stringify(params)}::jsonb,
              ${JSON.stringify(input.currentPrice === undefined ? {} : { lastPrice: input.currentPrice })}::jsonb)
      on conflict (id) do update set active = true
      returning (xmax = 0) as inserted`;
    return { subscriptionId, created: row?.inserted ?? false };
  }) as Promise<{ subscriptionId: string; created: boolean }>;
}

export interface PreferencesInput {
  readonly userId: string;
  readonly channels: readonly ChannelName[];
  readonly quietHours: { readonly startMinute: number; readonly endMinute: number } | null;
}

export async function setPreferences(sql: Sql, input: PreferencesInput): Promise<PreferencesInput> {
  await sql`
    insert into market.notification_preferences (user_id, channels, quiet_start_minute, quiet_end_minute, updated_at)
    values (${input.userId}, ${JSON.stringify([...input.channels])}::jsonb, ${input.quietHours?.startMinute ?? null},
            ${input.quietHours?.endMinute ?? null}, now())
    on conflict (user_id) do update set channels = excluded.channels, quiet_start_minute = excluded.quiet_start_minute,
      quiet_end_minute = excluded.quiet_end_minute, updated_at = now()`;
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

interface CandidateRow {
  subscription_id: string;
  user_id: string;
  params: Record<string, string>;
  state: Record<string, string>;
  address: string | null;
  email: string | null;
  phone: string | null;
  push_endpoint: string | null;
  channels: ChannelName[] | null;
  quiet_start_minute: number | null;
  quiet_end_minute: number | null;
}

/**
 * Turns one event into outbox rows for every matching subscription, honouring preferences and
 * quiet hours. Returns the ids of the rows created (none for a repeated event).
 */
export async function dispatchNotificationEvent(sql: Sql, event: NotificationEvent): Promise<number[]> {
  return sql.begin(async (tx) => {
    const candidates = await tx<CandidateRow[]>`
      select s.id as subscription_id, s.user_id, s.params, s.state, u.address, u.email, u.phone, u.push_endpoint,
             p.channels, p.quiet_start_minute, p.quiet_end_minute
      from market.notification_subscriptions s
      join market.users u on u.id = s.user_id
      left join market.notification_preferences p on p.user_id = s.user_id
      where s.trigger = ${event.trigger} and s.active
      order by s.id
      for update of s`;
    const templates = await tx<{ channel: ChannelName; subject: string; body: string }[]>`
      select channel, subject, body from market.notification_templates where trigger = ${event.trigger}`;
    const created: number[] = [];
    for (const row of candidates) {
      const data: Record<string, string | number> = { ...event.data };
      if (!matches(event, row)) continue;
      if (event.trigger === 'price_alert') {
        const price = String(event.data['price']);
        const previous = row.state['lastPrice'];
        await tx`
          update market.notification_subscriptions set state = ${JSON.stringify({ ...row.state, lastPrice: price })}::jsonb
          where id = ${row.subscription_id}`;
        const direction = alertCrossed(previous, price, {
          above: row.params['above'],
          below: row.params['below'],
        });
        if (direction === undefined) continue;
        data['direction'] = direction;
        data['threshold'] = (direction === 'above' ? row.params['above'] : row.params['below']) ?? '';
      }
      const notBefore = deliverAfterQuietHours(
        event.occurredAt,
        row.quiet_start_minute,
        row.quiet_end_minute,
      );
      for (const channel of row.channels ?? ['email']) {
        const to = channel === 'email' ? row.email : channel === 'sms' ? row.phone : row.push_endpoint;
        if (to === null) continue;
        const template = templates.find((t) => t.channel === channel) ?? DEFAULT_TEMPLATES[event.trigger];
        const inserted = await tx<{ id: number }[]>`
          insert into market.notification_outbox (user_id, channel, event_id, trigger, subject, body, not_before)
          values (${row.user_id}, ${channel}, ${event.id}, ${event.trigger}, ${renderTemplate(template.subject, data)},
                  ${renderTemplate(template.body, data)}, to_timestamp(${notBefore}))
          on conflict do nothing returning id`;
        for (const { id } of inserted) created.push(Number(id));
      }
    }
    return created;
  }) as Promise<number[]>;
}

function matches(event: NotificationEvent, row: CandidateRow): boolean {
  if (event.trigger === 'token_minted') {
    const holder = String(event.data['holder']).toLowerCase();
    return (row.params['holder'] ?? row.address ?? '').toLowerCase() === holder;
  }
  if (event.trigger === 'price_alert')
    return row.params['token'] === String(event.data['token']).toLowerCase();
  const wanted = event.trigger === 'creator_milestone' ? row.params['creator'] : row.params['channel'];
  const actual = event.trigger === 'creator_milestone' ? event.data['creator'] : event.data['channel'];
  return wanted === undefined || wanted === String(actual);
}

export interface DeliveryOutcome {
  readonly sent: number;
  readonly retried: number;
  readonly failed: number;
  /** Rows this deployment can never send (no such channel, no address): failed at once, never retried. */
  readonly undeliverable: number;
}

const BACKOFF_SECONDS = [30, 120, 600, 1800];

/**
 * Sends outbox rows that are due (all, or the ones named). A failed send is retried later with
 * backoff; after `maxAttempts` the row is `failed` and the caller reports it (DLQ). A row this
 * deployment can never send (a channel it does not run, such as email without a verified sender,
 * or a user without that address) is `failed` at once with the reason and counted apart:
 * retrying cannot change it, and a queue redelivery would end in the DLQ and page the admins
 * over a user's choice of channel.
 */
export async function deliverNotifications(
  sql: Sql,
  channels: ReadonlyMap<ChannelName, NotificationChannel>,
  now: number,
  options: {
    ids?: readonly number[];
    maxAttempts?: number;
    limit?: number;
    /** A queue redelivery is the backoff: send rows that already failed without waiting for `not_before`. */
    queueRetry?: boolean;
  } = {},
): Promise<DeliveryOutcome & { failedIds: number[]; undeliverableIds: number[] }> {
  const maxAttempts = options.maxAttempts ?? 5;
  const rows = await sql<
    {
      id: number;
      user_id: string;
      channel: ChannelName;
      subject: string;
      body: string;
      attempts: number;
      to: string | null;
    }[]
  >`
    select o.id, o.user_id, o.channel, o.subject, o.body, o.attempts,
      case o.channel when 'email' then u.email when 'sms' then u.phone else u.push_endpoint end as "to"
    from market.notification_outbox o join market.users u on u.id = o.user_id
    where o.status = 'pending'
      and (o.not_before <= to_timestamp(${now}) or (${options.queueRetry === true} and o.attempts > 0))
      ${options.ids === undefined ? sql`` : sql`and o.id in ${sql(options.ids.map(Number))}`}
    order by o.id limit ${options.limit ?? 500}`;
  let sent = 0;
  let retried = 0;
  const failedIds: number[] = [];
  const undeliverableIds: number[] = [];
  for (const row of rows) {
    const channel = channels.get(row.channel);
    if (channel === undefined || row.to === null) {
      const reason =
        channel === undefined
          ? `no ${row.channel} channel configured`
          : `user ${row.user_id} has no ${row.channel} address`;
      await sql`
        update market.notification_outbox set status = 'failed', attempts = attempts + 1, last_error = ${reason}
        where id = ${row.id}`;
      undeliverableIds.push(row.id);
      continue;
    }
    try {
      await channel.send({ to: row.to, subject: row.subject, body: row.body });
      await sql`
        update market.notification_outbox set status = 'sent', sent_at = to_timestamp(${now}), attempts = attempts + 1
        where id = ${row.id}`;
      sent++;
    } catch (error) {
      const attempts = row.attempts + 1;
      const give = attempts >= maxAttempts;
      const delay = BACKOFF_SECONDS[Math.min(attempts - 1, BACKOFF_SECONDS.length - 1)] ?? 1800;
      await sql`
        update market.notification_outbox set attempts = ${attempts}, last_error = ${(error as Error).message},
          status = ${give ? 'failed' : 'pending'}, not_before = to_timestamp(${now + delay})
        where id = ${row.id}`;
      if (give) failedIds.push(row.id);
      else retried++;
    }
  }
  return {
    sent,
    retried,
    failed: failedIds.length,
    failedIds,
    undeliverable: undeliverableIds.length,
    undeliverableIds,
  };
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
  const rows = await sql<
    {
      id: number;
      channel: string;
      trigger: string;
      subject: string;
      status: string;
      created_at: Date;
      sent_at: Date | null;
    }[]
  >`
    select id, channel, trigger, subject, status, created_at, sent_at from market.notification_outbox
    where user_id = ${userId} order by id desc limit ${limit}`;
  return rows.map((row) => ({
    id: Number(row.id),
    channel: row.channel,
    trigger: row.trigger,
    subject: row.subject,
    status: row.status,
    createdAt: row.created_at,
    sentAt: row.sent_at,
  }));
}

/** The local channel: remembers what it sent (the outbox row is the durable record). */
export class RecordingChannel implements NotificationChannel {
  readonly sent: { to: string; subject: string; body: string }[] = [];
  constructor(readonly name: ChannelName) {}
  async send(message: { to: string; subject: string; body: string }): Promise<void> {
    this.sent.push(message);
  }
}

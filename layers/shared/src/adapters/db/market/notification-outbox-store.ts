/**
 * The notification outbox, which is also the history (`market.notification_outbox`): one row per
 * (user, channel, event), so an event notifies once. A row is `pending` until it is `sent`,
 * `failed` or `skipped`; a sender claims rows with `FOR UPDATE SKIP LOCKED`. Ids are returned as
 * numbers, times taken as unix seconds.
 */
import type { notificationOutbox } from '../../../../../../drizzle/schema/market.ts';
import type { ChannelName } from '../../../ports/notification-channel.ts';
import type { Queryable } from '../../../ports/sql.ts';

type OutboxColumns = typeof notificationOutbox.$inferSelect;

/** A message to one exact destination (a verification goes only to the contact being verified). */
export type DirectMessage = Pick<
  OutboxColumns,
  'userId' | 'eventId' | 'trigger' | 'subject' | 'body' | 'destination'
> & { readonly channel: ChannelName; readonly notBefore: number };

/** Returns the row's id. */
export async function insertDirectMessage(q: Queryable, message: DirectMessage): Promise<number> {
  const [row] = await q<{ id: number }[]>`
    insert into market.notification_outbox (user_id, channel, event_id, trigger, subject, body, destination, not_before)
    values (${message.userId}, ${message.channel}, ${message.eventId}, ${message.trigger}, ${message.subject},
            ${message.body}, ${message.destination}, to_timestamp(${message.notBefore}))
    returning id`;
  return Number(row?.id);
}

/** A row due to be sent, with where it goes: its destination, else the user's confirmed contact (null: none). */
export type DueRow = Pick<OutboxColumns, 'id' | 'userId' | 'subject' | 'body' | 'attempts' | 'trigger'> & {
  readonly channel: ChannelName;
  readonly to: string | null;
};

/**
 * Up to `limit` pending rows after id `after` that are due at `now` (or, on a queue retry, failed
 * before), only `ids` when given, in id order; locked until the transaction ends, skipping rows
 * another sender holds.
 */
export async function lockDueRows(
  q: Queryable,
  options: {
    readonly after: number;
    readonly now: number;
    readonly queueRetry: boolean;
    readonly ids: readonly number[] | undefined;
    readonly limit: number;
  },
): Promise<DueRow[]> {
  const rows = await q<
    {
      id: number;
      user_id: string;
      channel: ChannelName;
      subject: string;
      body: string;
      attempts: number;
      trigger: string;
      to: string | null;
    }[]
  >`
    select o.id, o.user_id, o.channel, o.subject, o.body, o.attempts, o.trigger,
      coalesce(o.destination,
        case o.channel
          when 'email' then case when u.email_verified_at is not null then u.email end
          when 'sms' then case when u.phone_verified_at is not null then u.phone end
          else u.push_endpoint end
      ) as "to"
    from market.notification_outbox o join market.users u on u.id = o.user_id
    where o.status = 'pending' and o.id > ${options.after}
      and (o.not_before <= to_timestamp(${options.now}) or (${options.queueRetry} and o.attempts > 0))
      ${options.ids === undefined ? q`` : q`and o.id in ${q(options.ids.map(Number))}`}
    order by o.id limit ${options.limit}
    for update of o skip locked`;
  return rows.map((row) => ({
    id: Number(row.id),
    userId: row.user_id,
    channel: row.channel,
    subject: row.subject,
    body: row.body,
    attempts: row.attempts,
    trigger: row.trigger,
    to: row.to,
  }));
}

/** What one send did to its row: null leaves the error, not-before or body as they were. */
export interface SendResult {
  readonly id: number;
  readonly status: 'sent' | 'pending' | 'failed' | 'skipped';
  readonly attempts: number;
  readonly error: string | null;
  /** When to try again, unix seconds. */
  readonly retryAt: number | null;
  readonly body: string | null;
}

/** Records the sends in one statement; a row sent gets `now` as its sent time. */
export async function recordSendResults(
  q: Queryable,
  results: readonly SendResult[],
  now: number,
): Promise<void> {
  if (results.length === 0) return;
  await q`
    update market.notification_outbox o set
      status = r.status,
      attempts = r.attempts,
      last_error = coalesce(r.error, o.last_error),
      not_before = coalesce(to_timestamp(r.retry_at), o.not_before),
      sent_at = case when r.status = 'sent' then to_timestamp(${now}) else o.sent_at end,
      body = coalesce(r.body, o.body)
    from unnest(${q.array(texts(results, 'id'))}::text[]::bigint[], ${q.array(texts(results, 'status'))}::text[],
                ${q.array(texts(results, 'attempts'))}::text[]::int[], ${q.array(texts(results, 'error'))}::text[],
                ${q.array(texts(results, 'retryAt'))}::text[]::float8[], ${q.array(texts(results, 'body'))}::text[])
      as r(id, status, attempts, error, retry_at, body)
    where o.id = r.id`;
}

/** One field of every result as text (null stays null), for a text[] parameter cast in SQL. */
function texts(results: readonly SendResult[], field: keyof SendResult): (string | null)[] {
  return results.map((result) => (result[field] === null ? null : String(result[field])));
}

/** A rendered message for a user's channel, not sent before `notBefore` (unix seconds). */
export interface EventMessage {
  readonly user: string;
  readonly channel: ChannelName;
  readonly subject: string;
  readonly body: string;
  readonly notBefore: number;
}

/** Adds one row per message for the event; a (user, channel) that has one for it already is skipped. Returns the new ids. */
export async function insertEventMessages(
  q: Queryable,
  event: { readonly id: string; readonly trigger: string },
  messages: readonly EventMessage[],
): Promise<number[]> {
  if (messages.length === 0) return [];
  const rows = await q<{ id: number }[]>`
    insert into market.notification_outbox (user_id, channel, event_id, trigger, subject, body, not_before)
    select r.user_id, r.channel, ${event.id}, ${event.trigger}, r.subject, r.body, to_timestamp(r.not_before)
    from unnest(${q.array(messages.map((r) => r.user))}::text[], ${q.array(messages.map((r) => r.channel))}::text[],
                ${q.array(messages.map((r) => r.subject))}::text[], ${q.array(messages.map((r) => r.body))}::text[],
                ${q.array(messages.map((r) => String(r.notBefore)))}::text[]::float8[])
      as r(user_id, channel, subject, body, not_before)
    on conflict do nothing returning id`;
  return rows.map((row) => Number(row.id));
}

/** The event's rows still pending for these users, in id order. */
export async function pendingEventRows(
  q: Queryable,
  eventId: string,
  users: readonly string[],
): Promise<number[]> {
  const rows = await q<{ id: number }[]>`
    select id from market.notification_outbox
    where event_id = ${eventId} and status = 'pending' and user_id = any(${q.array(users as string[])}::text[])
    order by id`;
  return rows.map((row) => Number(row.id));
}

export type HistoryRow = Pick<
  OutboxColumns,
  'id' | 'channel' | 'trigger' | 'subject' | 'status' | 'createdAt' | 'sentAt'
>;

/** The user's last `limit` rows, newest first. */
export async function outboxHistory(q: Queryable, userId: string, limit: number): Promise<HistoryRow[]> {
  const rows = await q<
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

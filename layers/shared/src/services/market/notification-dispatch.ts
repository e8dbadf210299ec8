/**
 * Turns one notification event into outbox rows, a page of subscriptions at a time (in id
 * order, each page its own short transaction with one insert for all its rows), so no number of
 * subscriptions makes one transaction or one invocation run long: a caller with little time left
 * stops after a page and continues later from the page's cursor. Preferences (channels) and quiet
 * hours decide the rows; an email or phone counts only once its owner confirmed it. The outbox is
 * unique on (user, channel, event), so a page dispatched twice adds nothing, and the rows still
 * `pending` are answered again, so a redelivered event loses nothing either.
 */

import {
  alertCrossed,
  deliverAfterQuietHours,
  renderTemplate,
} from '../../core/market/notification-rules.ts';
import type { ChannelName } from '../../ports/notification-channel.ts';
import type { Sql } from '../../ports/sql.ts';
import { DEFAULT_TEMPLATES, type NotificationEvent } from './notifications.ts';

/** Subscriptions per page: one insert of their rows stays well under a second. */
export const DISPATCH_PAGE_SIZE = 500;

export interface DispatchPage {
  /** Outbox rows this page created (none when the page was dispatched before). */
  readonly created: number[];
  /** Every row of this page's users for the event still `pending`: what to send now. */
  readonly deliverable: number[];
  /** The cursor of the next page; undefined after the last one. */
  readonly next: string | undefined;
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

interface OutboxRow {
  user: string;
  channel: ChannelName;
  subject: string;
  body: string;
  notBefore: number;
}

/** One page: the subscriptions of the event's trigger with ids after `after`. */
export async function dispatchNotificationPage(
  sql: Sql,
  event: NotificationEvent,
  options: { after?: string | undefined; pageSize?: number } = {},
): Promise<DispatchPage> {
  const pageSize = options.pageSize ?? DISPATCH_PAGE_SIZE;
  return sql.begin(async (tx) => {
    // A price alert remembers the last price it saw: its rows are locked while the page updates them.
    const candidates = await tx<CandidateRow[]>`
      select s.id as subscription_id, s.user_id, s.params, s.state, u.address,
             case when u.email_verified_at is not null then u.email end as email,
             case when u.phone_verified_at is not null then u.phone end as phone, u.push_endpoint,
             p.channels, p.quiet_start_minute, p.quiet_end_minute
      from market.notification_subscriptions s
      join market.users u on u.id = s.user_id
      left join market.notification_preferences p on p.user_id = s.user_id
      where s.trigger = ${event.trigger} and s.active and s.id > ${options.after ?? ''}
      order by s.id limit ${pageSize}
      ${event.trigger === 'price_alert' ? tx`for update of s` : tx``}`;
    if (candidates.length === 0) return { created: [], deliverable: [], next: undefined };
    const templates = await tx<{ channel: ChannelName; subject: string; body: string }[]>`
      select channel, subject, body from market.notification_templates where trigger = ${event.trigger}`;
    const rows: OutboxRow[] = [];
    const states: { id: string; state: string }[] = [];
    for (const row of candidates) {
      if (!matches(event, row)) continue;
      const data: Record<string, string | number> = { ...event.data };
      if (event.trigger === 'price_alert') {
        const price = String(event.data['price']);
        states.push({ id: row.subscription_id, state: JSON.stringify({ ...row.state, lastPrice: price }) });
        const direction = alertCrossed(row.state['lastPrice'], price, {
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
        rows.push({
          user: row.user_id,
          channel,
          subject: renderTemplate(template.subject, data),
          body: renderTemplate(template.body, data),
          notBefore,
        });
      }
    }
    if (states.length > 0) {
      await tx`
        update market.notification_subscriptions s set state = u.state::jsonb
        from unnest(${tx.array(states.map((s) => s.id))}::text[], ${tx.array(states.map((s) => s.state))}::text[])
          as u(id, state)
        where s.id = u.id`;
    }
    const created =
      rows.length === 0
        ? []
        : await tx<{ id: number }[]>`
            insert into market.notification_outbox (user_id, channel, event_id, trigger, subject, body, not_before)
            select r.user_id, r.channel, ${event.id}, ${event.trigger}, r.subject, r.body, to_timestamp(r.not_before)
            from unnest(${tx.array(rows.map((r) => r.user))}::text[], ${tx.array(rows.map((r) => r.channel))}::text[],
                        ${tx.array(rows.map((r) => r.subject))}::text[], ${tx.array(rows.map((r) => r.body))}::text[],
                        ${tx.array(rows.map((r) => String(r.notBefore)))}::text[]::float8[])
              as r(user_id, channel, subject, body, not_before)
            on conflict do nothing returning id`;
    const users = [...new Set(candidates.map((c) => c.user_id))];
    const deliverable = await tx<{ id: number }[]>`
      select id from market.notification_outbox
      where event_id = ${event.id} and status = 'pending' and user_id = any(${tx.array(users)}::text[])
      order by id`;
    const last = candidates[candidates.length - 1] as CandidateRow;
    return {
      created: created.map((r) => Number(r.id)),
      deliverable: deliverable.map((r) => Number(r.id)),
      next: candidates.length === pageSize ? last.subscription_id : undefined,
    };
  }) as Promise<DispatchPage>;
}

/**
 * Every page of an event, one after the other (in-process callers: the local market cycle).
 * Returns the ids of the rows created (none for a repeated event).
 */
export async function dispatchNotificationEvent(sql: Sql, event: NotificationEvent): Promise<number[]> {
  const created: number[] = [];
  let after: string | undefined;
  do {
    const page = await dispatchNotificationPage(sql, event, { after });
    created.push(...page.created);
    after = page.next;
  } while (after !== undefined);
  return created;
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

/**
 * Turns one notification event into outbox rows, a page of subscriptions at a time (in id
 * order, each page its own short transaction with one insert for all its rows), so no number of
 * subscriptions makes one transaction or one invocation run long: a caller with little time left
 * stops after a page and continues later from the page's cursor. Preferences (channels) and quiet
 * hours decide the rows; an email or phone counts only once its owner confirmed it. The outbox is
 * unique on (user, channel, event), so a page dispatched twice adds nothing, and the rows still
 * `pending` are answered again, so a redelivered event loses nothing either.
 */

import { insertEventMessages, pendingEventRows } from '../../adapters/db/market/notification-outbox-store.ts';
import { templatesOf } from '../../adapters/db/market/notification-preference-store.ts';
import {
  dispatchCandidates,
  updateSubscriptionStates,
} from '../../adapters/db/market/notification-subscription-store.ts';
import { type SubscriberMessage, subscriberMessages } from '../../core/market/notification-messages.ts';
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

/** One page: the subscriptions of the event's trigger with ids after `after`. */
export async function dispatchNotificationPage(
  sql: Sql,
  event: NotificationEvent,
  options: { after?: string | undefined; pageSize?: number } = {},
): Promise<DispatchPage> {
  const pageSize = options.pageSize ?? DISPATCH_PAGE_SIZE;
  return sql.begin(async (tx) => {
    // A price alert remembers the last price it saw: its rows are locked while the page updates them.
    const candidates = await dispatchCandidates(tx, event.trigger, {
      after: options.after ?? '',
      limit: pageSize,
      lock: event.trigger === 'price_alert',
    });
    if (candidates.length === 0) return { created: [], deliverable: [], next: undefined };
    const templates = await templatesOf(tx, event.trigger);
    const messages: SubscriberMessage[] = [];
    const states: { id: string; state: Record<string, string> }[] = [];
    for (const candidate of candidates) {
      const planned = subscriberMessages(event, candidate, templates, DEFAULT_TEMPLATES[event.trigger]);
      if (planned.state !== undefined) states.push({ id: candidate.subscriptionId, state: planned.state });
      messages.push(...planned.messages);
    }
    await updateSubscriptionStates(tx, states);
    const created = await insertEventMessages(tx, event, messages);
    const users = [...new Set(candidates.map((c) => c.userId))];
    const deliverable = await pendingEventRows(tx, event.id, users);
    const last = candidates[candidates.length - 1]!;
    return { created, deliverable, next: candidates.length === pageSize ? last.subscriptionId : undefined };
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

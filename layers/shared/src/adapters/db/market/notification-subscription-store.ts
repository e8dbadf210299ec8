/**
 * Subscriptions to notification triggers (`market.notification_subscriptions`): a trigger with its
 * parameters, and what the trigger remembers between events (a price alert's last price). Each
 * keeps the SHA-256 of the IP address that created it, so creations can be capped per source.
 * Times are unix seconds.
 */
import type {
  notificationPreferences,
  notificationSubscriptions,
} from '../../../../../../drizzle/schema/market.ts';
import type { marketUsers } from '../../../../../../drizzle/schema/market-users.ts';
import type { ChannelName } from '../../../ports/notification-channel.ts';
import type { Queryable } from '../../../ports/sql.ts';

type SubscriptionColumns = typeof notificationSubscriptions.$inferSelect;

/** Whether the subscription is active (undefined: there is none). */
export async function subscriptionActive(q: Queryable, id: string): Promise<boolean | undefined> {
  const [row] = await q<{ active: boolean }[]>`
    select active from market.notification_subscriptions where id = ${id}`;
  return row?.active;
}

export async function activeSubscriptionCount(q: Queryable, userId: string): Promise<number> {
  const [row] = await q<{ n: number }[]>`
    select count(*)::int as n from market.notification_subscriptions where user_id = ${userId} and active`;
  return row?.n ?? 0;
}

/** Subscriptions the source created after `since`, and when the oldest of them was (null: none). */
export async function subscriptionsMadeSince(
  q: Queryable,
  sourceHash: string,
  since: number,
): Promise<{ n: number; oldest: number | null }> {
  const [row] = await q<{ n: number; oldest: number | null }[]>`
    select count(*)::int as n, extract(epoch from min(created_at))::float8 as oldest
    from market.notification_subscriptions
    where source_hash = ${sourceHash} and created_at > to_timestamp(${since})`;
  return { n: row?.n ?? 0, oldest: row?.oldest ?? null };
}

export type NewSubscription = Pick<SubscriptionColumns, 'id' | 'userId' | 'trigger' | 'sourceHash'> & {
  readonly params: Readonly<Record<string, string>>;
  readonly state: Readonly<Record<string, string>>;
  readonly createdAt: number;
};

/** Adds the subscription, or makes the existing one of the same id active again; true when it is new. */
export async function upsertSubscription(q: Queryable, subscription: NewSubscription): Promise<boolean> {
  // xmax is 0 only for a row this statement inserted (not one it updated on conflict).
  const [row] = await q<{ inserted: boolean }[]>`
    insert into market.notification_subscriptions (id, user_id, trigger, params, state, created_at, source_hash)
    values (${subscription.id}, ${subscription.userId}, ${subscription.trigger}, ${JSON.stringify(subscription.params)}::jsonb,
            ${JSON.stringify(subscription.state)}::jsonb, to_timestamp(${subscription.createdAt}), ${subscription.sourceHash})
    on conflict (id) do update set active = true
    returning (xmax = 0) as inserted`;
  return row?.inserted ?? false;
}

/** Ends the user's active subscription; false when it is not theirs or not active. */
export async function deactivateSubscription(q: Queryable, userId: string, id: string): Promise<boolean> {
  const ended = await q`
    update market.notification_subscriptions set active = false
    where id = ${id} and user_id = ${userId} and active`;
  return ended.count > 0;
}

export type ActiveSubscription = Pick<SubscriptionColumns, 'id' | 'trigger'> & {
  readonly params: Record<string, string>;
  /** As the database wrote it (timestamps are read as text). */
  readonly createdAt: string;
};

/** The user's active subscriptions, newest first. */
export async function activeSubscriptionsOf(q: Queryable, userId: string): Promise<ActiveSubscription[]> {
  const rows = await q<{ id: string; trigger: string; params: Record<string, string>; created_at: string }[]>`
    select id, trigger, params, created_at from market.notification_subscriptions
    where user_id = ${userId} and active order by created_at desc, id`;
  return rows.map((row) => ({
    id: row.id,
    trigger: row.trigger,
    params: row.params,
    createdAt: row.created_at,
  }));
}

/** An active subscription of a trigger with its user's confirmed contacts (null: none) and preferences (null: not set). */
export type DispatchCandidate = Pick<SubscriptionColumns, 'userId'> &
  Pick<typeof marketUsers.$inferSelect, 'address' | 'email' | 'phone' | 'pushEndpoint'> &
  Pick<typeof notificationPreferences.$inferSelect, 'quietStartMinute' | 'quietEndMinute'> & {
    readonly subscriptionId: string;
    readonly params: Record<string, string>;
    readonly state: Record<string, string>;
    readonly channels: ChannelName[] | null;
  };

/**
 * Up to `limit` active subscriptions of `trigger` with ids after `after`, in id order; with `lock`,
 * locked until the transaction ends (their state is about to be updated).
 */
export async function dispatchCandidates(
  q: Queryable,
  trigger: string,
  page: { readonly after: string; readonly limit: number; readonly lock: boolean },
): Promise<DispatchCandidate[]> {
  const rows = await q<
    {
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
    }[]
  >`
    select s.id as subscription_id, s.user_id, s.params, s.state, u.address,
           case when u.email_verified_at is not null then u.email end as email,
           case when u.phone_verified_at is not null then u.phone end as phone, u.push_endpoint,
           p.channels, p.quiet_start_minute, p.quiet_end_minute
    from market.notification_subscriptions s
    join market.users u on u.id = s.user_id
    left join market.notification_preferences p on p.user_id = s.user_id
    where s.trigger = ${trigger} and s.active and s.id > ${page.after}
    order by s.id limit ${page.limit}
    ${page.lock ? q`for update of s` : q``}`;
  return rows.map((row) => ({
    subscriptionId: row.subscription_id,
    userId: row.user_id,
    params: row.params,
    state: row.state,
    address: row.address,
    email: row.email,
    phone: row.phone,
    pushEndpoint: row.push_endpoint,
    channels: row.channels,
    quietStartMinute: row.quiet_start_minute,
    quietEndMinute: row.quiet_end_minute,
  }));
}

/** Replaces the state of each subscription named, in one statement. */
export async function updateSubscriptionStates(
  q: Queryable,
  states: readonly { readonly id: string; readonly state: Readonly<Record<string, string>> }[],
): Promise<void> {
  if (states.length === 0) return;
  await q`
    update market.notification_subscriptions s set state = u.state::jsonb
    from unnest(${q.array(states.map((s) => s.id))}::text[], ${q.array(states.map((s) => JSON.stringify(s.state)))}::text[])
      as u(id, state)
    where s.id = u.id`;
}

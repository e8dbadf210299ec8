/**
 * Per-user notification settings (`market.notification_preferences`: the channels, and quiet
 * hours as minutes after UTC midnight) and the per-trigger templates (`market.notification_templates`).
 */
import type {
  notificationPreferences,
  notificationTemplates,
} from '../../../../../../drizzle/schema/market.ts';
import type { ChannelName } from '../../../ports/notification-channel.ts';
import type { Queryable } from '../../../ports/sql.ts';

export type Preferences = Pick<
  typeof notificationPreferences.$inferSelect,
  'userId' | 'quietStartMinute' | 'quietEndMinute'
> & { readonly channels: readonly ChannelName[] };

/** Sets the user's preferences, replacing any set before. */
export async function upsertPreferences(q: Queryable, preferences: Preferences): Promise<void> {
  await q`
    insert into market.notification_preferences (user_id, channels, quiet_start_minute, quiet_end_minute, updated_at)
    values (${preferences.userId}, ${JSON.stringify([...preferences.channels])}::jsonb, ${preferences.quietStartMinute},
            ${preferences.quietEndMinute}, now())
    on conflict (user_id) do update set channels = excluded.channels, quiet_start_minute = excluded.quiet_start_minute,
      quiet_end_minute = excluded.quiet_end_minute, updated_at = now()`;
}

export type Template = Pick<typeof notificationTemplates.$inferSelect, 'subject' | 'body'> & {
  readonly channel: ChannelName;
};

/** The templates of a trigger, one per channel that has one. */
export async function templatesOf(q: Queryable, trigger: string): Promise<Template[]> {
  return q<Template[]>`
    select channel, subject, body from market.notification_templates where trigger = ${trigger}`;
}

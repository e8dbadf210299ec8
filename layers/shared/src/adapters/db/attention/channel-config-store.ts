/**
 * The named queries of the operator's channel configuration (services/attention/channel-config.ts):
 * each row with whether discovery tracks the channel now. Discovery reads the same table through
 * discovery-store.ts.
 */

import type { channelConfig } from '../../../../../../drizzle/schema/attention.ts';
import type { Category } from '../../../core/attention/category.ts';
import type { Queryable } from '../../../ports/sql.ts';

/** A configured channel, and whether discovery tracks it (null: discovery never saw it). */
export type ChannelConfigSetting = Pick<
  typeof channelConfig.$inferSelect,
  'channel' | 'tokenGroup' | 'blocked' | 'reason' | 'updatedAt'
> & {
  readonly categoryOverride: Category | null;
  readonly tracked: boolean | null;
};

/** The fields a change sets; a field left out keeps its value (or the column default on insert). */
export type ChannelConfigChange = Partial<
  Pick<typeof channelConfig.$inferInsert, 'tokenGroup' | 'blocked' | 'reason'>
> & { readonly categoryOverride?: Category | null };

export async function listChannelConfigSettings(
  q: Queryable,
  filter: { readonly blocked?: boolean; readonly tokenGroup?: string },
): Promise<ChannelConfigSetting[]> {
  return q<ChannelConfigSetting[]>`
    select cc.channel, cc.token_group as "tokenGroup", cc.category_override as "categoryOverride", cc.blocked,
      cc.reason, cc.updated_at as "updatedAt", c.tracked
    from attention.channel_config cc left join attention.channels c on c.channel = cc.channel
    where (${filter.blocked ?? null}::boolean is null or cc.blocked = ${filter.blocked ?? null})
      and (${filter.tokenGroup ?? null}::text is null or cc.token_group = ${filter.tokenGroup ?? null})
    order by cc.channel`;
}

/** The channel's configuration, locked for the rest of the transaction; undefined when it has none. */
export async function lockChannelConfigSetting(
  q: Queryable,
  channel: string,
): Promise<ChannelConfigSetting | undefined> {
  const [row] = await q<ChannelConfigSetting[]>`
    select cc.channel, cc.token_group as "tokenGroup", cc.category_override as "categoryOverride", cc.blocked,
      cc.reason, cc.updated_at as "updatedAt",
      (select tracked from attention.channels c where c.channel = cc.channel) as tracked
    from attention.channel_config cc where cc.channel = ${channel} for update`;
  return row;
}

/** Writes the fields `change` gives (a new row takes the defaults for the others); the row after. */
export async function upsertChannelConfigSetting(
  q: Queryable,
  channel: string,
  change: ChannelConfigChange,
): Promise<ChannelConfigSetting> {
  const [row] = await q<ChannelConfigSetting[]>`
    insert into attention.channel_config as cc (channel, token_group, category_override, blocked, reason, updated_at)
    values (${channel}, ${change.tokenGroup ?? 'OTHER'}, ${change.categoryOverride ?? null},
      ${change.blocked ?? false}, ${change.reason ?? null}, now())
    on conflict (channel) do update set
      token_group = ${change.tokenGroup === undefined ? q`cc.token_group` : q`excluded.token_group`},
      category_override = ${change.categoryOverride === undefined ? q`cc.category_override` : q`excluded.category_override`},
      blocked = ${change.blocked === undefined ? q`cc.blocked` : q`excluded.blocked`},
      reason = ${change.reason === undefined ? q`cc.reason` : q`excluded.reason`},
      updated_at = now()
    returning channel, token_group as "tokenGroup", category_override as "categoryOverride", blocked, reason,
      updated_at as "updatedAt",
      (select tracked from attention.channels c where c.channel = cc.channel) as tracked`;
  if (row === undefined) throw new Error(`channel_config upsert of ${channel} returned nothing`);
  return row;
}

export async function deleteChannelConfigSetting(q: Queryable, channel: string): Promise<void> {
  await q`delete from attention.channel_config where channel = ${channel}`;
}

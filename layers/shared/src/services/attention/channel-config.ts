/**
 * The operator's configuration of channels (`attention.channel_config`): token group, category
 * override and the blocklist (`CLS_BLOCKLIST` in attention-oracle.md). Discovery reads it at every
 * run (a blocklisted channel is untracked at the next liveness pass), sealing under its locks (a
 * blocklisted channel is never sealed again, and a sealed channel takes its configured group and
 * category). Every change is audited in its own transaction (./admin-audit.ts).
 */

import {
  type ChannelConfigSetting,
  deleteChannelConfigSetting,
  listChannelConfigSettings,
  lockChannelConfigSetting,
  upsertChannelConfigSetting,
} from '../../adapters/db/attention/channel-config-store.ts';
import { CATEGORIES, type Category, TOKEN_GROUPS } from '../../core/attention/category.ts';
import { NotFoundError, ValidationError } from '../../errors.ts';
import type { Sql } from '../../ports/sql.ts';
import { recordAdminAction } from '../platform/admin-audit.ts';

/** A Twitch login as Twitch issues them: 4–25 of a-z, 0-9 and _, not starting with _. */
export const TWITCH_LOGIN = /^[a-z0-9][a-z0-9_]{3,24}$/;
/** How a token group is written: upper case, as in TOKEN_GROUP_MINTS. */
export const TOKEN_GROUP_NAME = /^[A-Z][A-Z0-9_]{0,31}$/;

export interface ChannelSetting {
  readonly channel: string;
  readonly tokenGroup: string;
  readonly categoryOverride: Category | null;
  readonly blocked: boolean;
  readonly reason: string | null;
  readonly updatedAt: string;
  /** Whether discovery tracks it now (the IRC worker joins tracked channels). */
  readonly tracked: boolean;
}

export interface ChannelChange {
  readonly tokenGroup?: string;
  /** null takes the override away: the category comes from the Twitch game again. */
  readonly categoryOverride?: Category | null;
  readonly blocked?: boolean;
  readonly reason?: string | null;
}

/** MILO, CLS, OTHER, and every group the deployment declares a mint for (TOKEN_GROUP_MINTS). */
export function declaredTokenGroups(mints: Readonly<Record<string, unknown>> | undefined): string[] {
  return [...new Set([...TOKEN_GROUPS, ...Object.keys(mints ?? {})])].sort();
}

export function parseChannel(raw: string): string {
  const channel = raw.trim().toLowerCase();
  if (!TWITCH_LOGIN.test(channel)) {
    throw new ValidationError(
      `channel must be a Twitch login (4–25 of a-z, 0-9 and _, not starting with _), got ${JSON.stringify(raw.slice(0, 40))}`,
      { details: { field: 'channel' } },
    );
  }
  return channel;
}

function checkChange(change: ChannelChange, declared: readonly string[]): void {
  if (Object.values(change).every((v) => v === undefined)) {
    throw new ValidationError('nothing to set: give tokenGroup, categoryOverride, blocked or reason', {
      details: { field: 'body' },
    });
  }
  if (change.tokenGroup !== undefined && !declared.includes(change.tokenGroup)) {
    throw new ValidationError(
      `tokenGroup must be a declared token group (${declared.join(', ')}), got ${change.tokenGroup}; declare a new one in TOKEN_GROUP_MINTS`,
      { details: { field: 'tokenGroup' } },
    );
  }
  if (
    change.categoryOverride !== undefined &&
    change.categoryOverride !== null &&
    !CATEGORIES.includes(change.categoryOverride)
  ) {
    throw new ValidationError(`categoryOverride must be one of ${CATEGORIES.join(', ')} or null`, {
      details: { field: 'categoryOverride' },
    });
  }
}

function toSetting(row: ChannelConfigSetting): ChannelSetting {
  return {
    channel: row.channel,
    tokenGroup: row.tokenGroup,
    categoryOverride: row.categoryOverride,
    blocked: row.blocked,
    reason: row.reason,
    updatedAt: new Date(row.updatedAt).toISOString(),
    tracked: row.tracked === true,
  };
}

/** What the audit log keeps of a setting: the operator's fields, not the tracking state. */
function audited(setting: ChannelSetting | undefined) {
  if (setting === undefined) return null;
  const { tracked: _tracked, updatedAt: _updatedAt, ...fields } = setting;
  return fields;
}

export async function listChannelSettings(
  sql: Sql,
  filter: { readonly blocked?: boolean; readonly tokenGroup?: string } = {},
): Promise<ChannelSetting[]> {
  return (await listChannelConfigSettings(sql, filter)).map(toSetting);
}

/**
 * Sets the given fields of a channel's configuration (the others keep their value, or the
 * default for a channel not configured yet: OTHER, no override, not blocked).
 */
export async function setChannelSetting(
  sql: Sql,
  rawChannel: string,
  change: ChannelChange,
  options: { readonly actor: string; readonly declaredGroups: readonly string[] },
): Promise<{ before: ChannelSetting | null; after: ChannelSetting }> {
  const channel = parseChannel(rawChannel);
  checkChange(change, options.declaredGroups);
  return sql.begin(async (tx) => {
    const t = tx as unknown as Sql;
    const before = await readForUpdate(t, channel);
    const after = toSetting(await upsertChannelConfigSetting(t, channel, change));
    await recordAdminAction(t, {
      actor: options.actor,
      action: 'channel.set',
      targetType: 'channel',
      targetId: channel,
      before: audited(before),
      after: audited(after),
    });
    return { before: before ?? null, after };
  });
}

/** Removes a channel's configuration: it is OTHER, categorised by its game and not blocked again. */
export async function clearChannelSetting(
  sql: Sql,
  rawChannel: string,
  actor: string,
): Promise<{ before: ChannelSetting }> {
  const channel = parseChannel(rawChannel);
  return sql.begin(async (tx) => {
    const t = tx as unknown as Sql;
    const before = await readForUpdate(t, channel);
    if (before === undefined) throw new NotFoundError(`channel ${channel} has no configuration to clear`);
    await deleteChannelConfigSetting(t, channel);
    await recordAdminAction(t, {
      actor,
      action: 'channel.clear',
      targetType: 'channel',
      targetId: channel,
      before: audited(before),
      after: null,
    });
    return { before };
  });
}

async function readForUpdate(t: Sql, channel: string): Promise<ChannelSetting | undefined> {
  const row = await lockChannelConfigSetting(t, channel);
  return row === undefined ? undefined : toSetting(row);
}

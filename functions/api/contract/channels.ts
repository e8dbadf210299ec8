/** The operator's channel configuration: token groups, category overrides and the blocklist. */
import { CATEGORIES } from '../../../layers/shared/src/core/attention/category.ts';
import {
  TOKEN_GROUP_NAME,
  TWITCH_LOGIN,
} from '../../../layers/shared/src/services/attention/channel-config.ts';
import { defineRoute, isoTime } from './route-contract.ts';
import { z } from './zod.ts';

const channelParam = z.object({
  channel: z
    .string()
    .transform((v) => v.trim().toLowerCase())
    .pipe(
      z
        .string()
        .regex(TWITCH_LOGIN, 'channel must be a Twitch login (4–25 of a-z, 0-9 and _, not starting with _)'),
    )
    .openapi({ description: "The channel's Twitch login", example: 'somechannel' }),
});

const channelSetting = z
  .object({
    channel: z.string(),
    tokenGroup: z
      .string()
      .openapi({ description: 'MILO, CLS, OTHER, or a group declared in TOKEN_GROUP_MINTS' }),
    categoryOverride: z
      .enum(CATEGORIES)
      .nullable()
      .openapi({ description: "null: the category comes from the channel's Twitch game" }),
    blocked: z
      .boolean()
      .openapi({ description: 'Blocklisted: untracked at the next liveness pass, never sealed' }),
    reason: z.string().nullable(),
    updatedAt: isoTime,
    tracked: z.boolean().openapi({ description: 'Whether discovery tracks the channel now' }),
  })
  .openapi('ChannelSetting');

export const CHANNEL_ROUTES = {
  'GET /admin/channels': defineRoute({
    tag: 'attention',
    summary: 'Configured channels: token group, category override, blocklist',
    description:
      'A channel not listed is in OTHER, categorised by its Twitch game, and not blocked. `declaredTokenGroups` are the groups a channel may be put in.',
    query: z
      .object({
        blocked: z
          .enum(['true', 'false'])
          .optional()
          .openapi({ description: 'Only the blocklist, or only the rest' }),
        tokenGroup: z
          .string()
          .regex(TOKEN_GROUP_NAME, 'tokenGroup must be upper case (MILO, CLS, ...)')
          .optional(),
      })
      .strict(),
    responses: {
      200: {
        description: 'Configured channels, by login',
        schema: z.object({ channels: z.array(channelSetting), declaredTokenGroups: z.array(z.string()) }),
      },
    },
    errors: { 400: 'a query parameter is malformed or unknown' },
  }),
  'PUT /admin/channels/{channel}': defineRoute({
    tag: 'attention',
    summary: "Set a channel's token group, category override or blocklisting",
    description:
      'Fields not given keep their value. Discovery applies the change at its next run (a blocklisted channel is untracked at the next liveness pass, every 5 minutes) and sealing from the next epoch it seals: a blocklisted channel is never sealed again. Audited (`channel.set`, with the setting before and after).',
    params: channelParam,
    body: {
      schema: z
        .object({
          tokenGroup: z
            .string()
            .regex(TOKEN_GROUP_NAME, 'tokenGroup must be upper case (MILO, CLS, ...)')
            .optional()
            .openapi({ description: 'A declared token group (see `GET /admin/channels`)' }),
          categoryOverride: z
            .enum(CATEGORIES)
            .nullable()
            .optional()
            .openapi({ description: 'null removes the override' }),
          blocked: z.boolean().optional(),
          reason: z.string().max(500, 'reason must be at most 500 characters').nullable().optional(),
        })
        .strict(),
      required: true,
    },
    responses: {
      200: {
        description: 'The setting before (null: the channel was not configured) and after',
        schema: z.object({ before: channelSetting.nullable(), after: channelSetting }),
      },
    },
    errors: {
      400: 'the channel is not a Twitch login, the token group is not declared, the category is unknown, or nothing is set',
    },
  }),
  'DELETE /admin/channels/{channel}': defineRoute({
    tag: 'attention',
    summary: "Clear a channel's configuration",
    description:
      'The channel is OTHER again, categorised by its game, and off the blocklist (discovery may track it again). Audited (`channel.clear`).',
    params: channelParam,
    responses: {
      200: { description: 'The setting that was removed', schema: z.object({ before: channelSetting }) },
    },
    errors: { 400: 'the channel is not a Twitch login', 404: 'the channel has no configuration' },
  }),
};

/** POST /api/notifications/preferences: a user's channels and quiet hours (minutes after UTC midnight). */
import { z } from 'zod';
import type { ChannelName } from '../../../../layers/shared/src/ports/notification-channel.ts';
import { CHANNELS, setPreferences } from '../../../../layers/shared/src/services/market/notifications.ts';
import { json, jsonBody } from '../../http.ts';
import { marketRoute, parseInput } from '../market-http.ts';

const minute = z.number().int().min(0).max(1439);
const body = z.object({
  userId: z.string().min(1).max(200),
  channels: z
    .array(z.enum(CHANNELS as [ChannelName, ...ChannelName[]]))
    .min(1)
    .max(3),
  quietHours: z.object({ startMinute: minute, endMinute: minute }).nullable().default(null),
});

export const route = marketRoute(async (event, deps) => {
  const input = parseInput(body, jsonBody(event), 'body');
  return json(200, await setPreferences(deps.sql, { ...input, channels: [...new Set(input.channels)] }));
});
export const handler = route.handler;

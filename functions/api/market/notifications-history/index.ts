/** GET /api/notifications/history/{userId}?limit=: the user's notifications, newest first, with status. */
import { z } from 'zod';
import { notificationHistory } from '../../../../layers/shared/src/services/market/notifications.ts';
import { json } from '../../http.ts';
import { marketRoute, parseInput, pathParams, queryParams } from '../market-http.ts';

const params = z.object({ userId: z.string().min(1).max(200) });
const query = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

export const route = marketRoute(async (event, deps) => {
  const { userId } = parseInput(params, pathParams(event), 'userId');
  const { limit } = parseInput(query, queryParams(event), 'query');
  return json(200, { userId, notifications: await notificationHistory(deps.sql, userId, limit) });
});
export const handler = route.handler;

/** The token market's notification routes: subscriptions, preferences and history. */
import type { ChannelName } from '../../../layers/shared/src/ports/notification-channel.ts';
import { CHANNELS, TRIGGERS } from '../../../layers/shared/src/services/market/notifications.ts';
import { ADDRESS_PATTERN, defineRoute, isoTime } from './route-contract.ts';
import { z } from './zod.ts';

const minute = z.number().int().min(0).max(1439).openapi({ description: 'Minutes after UTC midnight' });

/**
 * The user a notification route acts for is the session's address. A request may still name it
 * (`userId`, as the source's routes did); naming another user is refused with 403.
 */
const userId = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .openapi({ description: "The signed-in address; if given, it must be the session's" });

const preferences = z.object({
  userId,
  channels: z
    .array(z.enum(CHANNELS as [ChannelName, ...ChannelName[]]))
    .min(1)
    .max(3),
  quietHours: z.object({ startMinute: minute, endMinute: minute }).nullable().default(null),
});

const subscription = z
  .object({
    userId,
    trigger: z.enum(TRIGGERS),
    params: z
      .record(z.string().max(200))
      .default({})
      .openapi({ description: 'For `price_alert`: `token` (address) and `above` and/or `below` (decimal)' }),
    email: z.string().email().optional(),
    phone: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 phone number')
      .optional(),
    pushEndpoint: z.string().url().optional(),
  })
  .superRefine((value, ctx) => {
    if (value.trigger !== 'price_alert') return;
    if (value.params['token'] === undefined || !ADDRESS_PATTERN.test(value.params['token']))
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['params', 'token'],
        message: 'a price alert needs a token address',
      });
    for (const key of ['above', 'below'] as const) {
      const threshold = value.params[key];
      if (threshold !== undefined && !/^\d+(\.\d+)?$/.test(threshold))
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['params', key],
          message: 'expected a decimal number',
        });
    }
    if (value.params['above'] === undefined && value.params['below'] === undefined)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['params', 'above'],
        message: 'a price alert needs above or below',
      });
  });

const subscribed = z.object({
  subscriptionId: z.string(),
  created: z.boolean(),
  verificationsSent: z.number().int().openapi({
    description:
      'Verifications sent to the email or phone given (a link, a code): until confirmed, a contact receives nothing else',
  }),
});

export const NOTIFICATION_ROUTES = {
  'POST /api/notifications/subscribe': defineRoute({
    session: 'market',
    tag: 'market',
    summary: 'Subscribe the signed-in user to a notification trigger',
    description:
      "Repeating a subscription changes nothing; contact fields given update the signed-in user's contacts. An email address or phone number receives nothing but its verification (a link by email, a code by SMS) until its owner confirms it (`/api/notifications/verify/*`); a verification is not sent again within a minute.",
    body: { schema: subscription, required: true },
    responses: {
      201: { description: 'Subscribed', schema: subscribed },
      200: { description: 'Already subscribed', schema: subscribed },
    },
    errors: {
      400: 'a field is malformed',
      403: '`userId` names another user than the session',
      409: 'the user holds as many subscriptions as one may (`NOTIFICATIONS_MAX_SUBSCRIPTIONS_PER_USER`)',
      429: 'this IP address created as many subscriptions today as one may, or too many verifications were sent today for this user or IP address',
    },
  }),
  'POST /api/notifications/unsubscribe': defineRoute({
    session: 'market',
    tag: 'market',
    summary: "End one of the signed-in user's subscriptions",
    body: { schema: z.object({ subscriptionId: z.string().min(1).max(64) }), required: true },
    responses: {
      200: {
        description: 'Ended',
        schema: z.object({ subscriptionId: z.string(), active: z.literal(false) }),
      },
    },
    errors: { 400: '`subscriptionId` is malformed', 404: 'the user has no such active subscription' },
  }),
  'GET /api/notifications/subscriptions': defineRoute({
    session: 'market',
    tag: 'market',
    summary: "The signed-in user's active subscriptions, newest first",
    responses: {
      200: {
        description: 'Subscriptions',
        schema: z.object({
          userId: z.string(),
          subscriptions: z.array(
            z.object({
              subscriptionId: z.string(),
              trigger: z.enum(TRIGGERS),
              params: z.record(z.string()),
              createdAt: isoTime,
            }),
          ),
        }),
      },
    },
    errors: {},
  }),
  'POST /api/notifications/preferences': defineRoute({
    session: 'market',
    tag: 'market',
    summary: "Set the signed-in user's channels and quiet hours",
    body: { schema: preferences, required: true },
    responses: {
      200: {
        description: 'The preferences as stored',
        schema: preferences.extend({
          userId: z.string(),
          quietHours: z.object({ startMinute: minute, endMinute: minute }).nullable(),
        }),
      },
    },
    errors: { 400: 'a field is malformed', 403: '`userId` names another user than the session' },
  }),
  'GET /api/notifications/history/{userId}': defineRoute({
    session: 'market',
    tag: 'market',
    summary: "The signed-in user's notifications, newest first, with their status",
    params: z.object({ userId: z.string().min(1).max(200) }),
    query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
    responses: {
      200: {
        description: 'Notifications',
        schema: z.object({
          userId: z.string(),
          notifications: z.array(
            z.object({
              id: z.number().int(),
              channel: z.string(),
              trigger: z.string(),
              subject: z.string(),
              status: z.string(),
              createdAt: isoTime,
              sentAt: isoTime.nullable(),
            }),
          ),
        }),
      },
    },
    errors: { 400: '`limit` is malformed', 403: '`userId` is another user than the session' },
  }),
} as const;

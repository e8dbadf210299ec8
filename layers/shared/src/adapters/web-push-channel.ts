/**
 * The push notification channel: Web Push (RFC 8030, VAPID-signed, payload encrypted for the
 * browser). The recipient is the browser's PushSubscription as JSON; a subscription the push
 * service no longer knows (404/410) is reported as gone, not retried forever.
 */
import webpush from 'web-push';
import { z } from 'zod';
import { ValidationError } from '../errors.ts';
import type { NotificationChannel, OutgoingNotification } from '../ports/notification-channel.ts';
import { parseSecret } from '../secret-value.ts';

export interface VapidKeys {
  /** `mailto:` or `https:` contact of the sender, required by push services. */
  readonly subject: string;
  readonly publicKey: string;
  readonly privateKey: string;
}

/** The web push secret: `{"subject", "publicKey", "privateKey"}`. */
export function vapidKeysFromSecret(text: string): VapidKeys {
  return parseSecret(
    text,
    z.object({
      subject: z.string().min(1),
      publicKey: z.string().min(1),
      privateKey: z.string().min(1),
    }),
    'the web push secret',
  );
}

export class PushSubscriptionGoneError extends Error {}

export class WebPushChannel implements NotificationChannel {
  readonly name = 'push' as const;

  constructor(
    private readonly vapid: VapidKeys,
    /** TLS settings toward push services (a test's own certificate authority). */
    private readonly agent?: import('node:https').Agent,
  ) {}

  async send(message: OutgoingNotification): Promise<void> {
    let subscription: webpush.PushSubscription;
    try {
      subscription = JSON.parse(message.to) as webpush.PushSubscription;
    } catch {
      throw new ValidationError('push recipient must be a PushSubscription as JSON');
    }
    if (typeof subscription?.endpoint !== 'string' || subscription.keys === undefined) {
      throw new ValidationError('push recipient must have an endpoint and keys');
    }
    try {
      await webpush.sendNotification(
        subscription,
        JSON.stringify({ title: message.subject, body: message.body }),
        {
          vapidDetails: this.vapid,
          TTL: 3600,
          ...(this.agent === undefined ? {} : { agent: this.agent }),
        },
      );
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404 || status === 410)
        throw new PushSubscriptionGoneError(`push subscription gone (${status})`);
      throw error;
    }
  }
}

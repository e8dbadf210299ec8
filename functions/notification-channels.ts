/**
 * The notification channels of a deployment: SMS over SNS always, email over SES and web push
 * where they are configured; each sends an outbox row once (adapters/aws/idempotent-channel.ts)
 * where IDEMPOTENCY_TABLE names the table that remembers sends.
 */
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { dynamoDbClient } from '../layers/shared/src/adapters/aws/dynamodb-rate-limiter.ts';
import {
  type IdempotentChannels,
  idempotentChannels,
} from '../layers/shared/src/adapters/aws/idempotent-channel.ts';
import { SesEmailChannel } from '../layers/shared/src/adapters/aws/ses-email-channel.ts';
import { SnsSmsChannel } from '../layers/shared/src/adapters/aws/sns-sms-channel.ts';
import { vapidKeysFromSecret, WebPushChannel } from '../layers/shared/src/adapters/web-push-channel.ts';
import type { ChannelName, NotificationChannel } from '../layers/shared/src/ports/notification-channel.ts';
import type { Platform } from './platform.ts';

export type Channels = ReadonlyMap<ChannelName, NotificationChannel>;

/** SMS over SNS always; email over SES and web push where they are configured. */
export function deploymentChannels(platform: Platform): Channels {
  const c = platform.config;
  const local = (endpoint: string | undefined) =>
    endpoint === undefined
      ? {}
      : { endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const map = new Map<ChannelName, NotificationChannel>([
    ['sms', new SnsSmsChannel(new SNSClient({ region: c.AWS_REGION, ...local(c.SNS_ENDPOINT) }))],
  ]);
  if (c.NOTIFICATIONS_EMAIL_FROM !== undefined) {
    map.set(
      'email',
      new SesEmailChannel(
        new SESv2Client({ region: c.AWS_REGION, ...local(c.SES_ENDPOINT) }),
        c.NOTIFICATIONS_EMAIL_FROM,
      ),
    );
  }
  const pushSecret = c.WEB_PUSH_SECRET_ARN;
  if (pushSecret !== undefined) {
    let push: Promise<WebPushChannel> | undefined;
    map.set('push', {
      name: 'push',
      async send(notification) {
        push ??= platform.secrets
          .getSecret(pushSecret)
          .then((text) => new WebPushChannel(vapidKeysFromSecret(text)));
        return (await push).send(notification);
      },
    });
  }
  return map;
}

/** `channels`, each sending a row once where the platform has the idempotency table; as they are elsewhere. */
export function sendOnceChannels(platform: Platform, channels: Channels): IdempotentChannels {
  const table = platform.config.IDEMPOTENCY_TABLE;
  if (table === undefined) return { channels, registerContext: () => {} };
  return idempotentChannels(channels, {
    name: table,
    client: dynamoDbClient({
      region: platform.config.AWS_REGION,
      endpoint: platform.config.DYNAMODB_ENDPOINT,
    }),
  });
}

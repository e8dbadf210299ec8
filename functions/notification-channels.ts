/**
 * The notification channels of a deployment: SMS over SNS always, email over SES and web push
 * where they are configured; each sends an outbox row once (adapters/aws/idempotent-channel.ts)
 * where IDEMPOTENCY_TABLE names the table that remembers sends. Each channel's client (SNS, SES,
 * web-push) loads with its first send, not with the function.
 */
import type { Context } from 'aws-lambda';
import type { IdempotentChannels } from '../layers/shared/src/adapters/aws/idempotent-channel.ts';
import type { ChannelName, NotificationChannel } from '../layers/shared/src/ports/notification-channel.ts';
import { loadOnce, localEndpoint } from './lazy-ports.ts';
import type { Platform } from './platform.ts';

export type Channels = ReadonlyMap<ChannelName, NotificationChannel>;

/** SMS over SNS always; email over SES and web push where they are configured. */
export function deploymentChannels(platform: Platform): Channels {
  const c = platform.config;
  const map = new Map<ChannelName, NotificationChannel>([
    [
      'sms',
      lazyChannel('sms', async () => {
        const [{ SNSClient }, { SnsSmsChannel }] = await Promise.all([
          import('@aws-sdk/client-sns'),
          import('../layers/shared/src/adapters/aws/sns-sms-channel.ts'),
        ]);
        return new SnsSmsChannel(new SNSClient({ region: c.AWS_REGION, ...localEndpoint(c.SNS_ENDPOINT) }));
      }),
    ],
  ]);
  const from = c.NOTIFICATIONS_EMAIL_FROM;
  if (from !== undefined) {
    map.set(
      'email',
      lazyChannel('email', async () => {
        const [{ SESv2Client }, { SesEmailChannel }] = await Promise.all([
          import('@aws-sdk/client-sesv2'),
          import('../layers/shared/src/adapters/aws/ses-email-channel.ts'),
        ]);
        return new SesEmailChannel(
          new SESv2Client({ region: c.AWS_REGION, ...localEndpoint(c.SES_ENDPOINT) }),
          from,
        );
      }),
    );
  }
  const pushSecret = c.WEB_PUSH_SECRET_ARN;
  if (pushSecret !== undefined) {
    map.set(
      'push',
      lazyChannel('push', async () => {
        const [text, { vapidKeysFromSecret, WebPushChannel }] = await Promise.all([
          platform.secrets.getSecret(pushSecret),
          import('../layers/shared/src/adapters/web-push-channel.ts'),
        ]);
        return new WebPushChannel(vapidKeysFromSecret(text));
      }),
    );
  }
  return map;
}

/** The channel `load` gives, loaded by its first send (once; a failed load is tried again). */
function lazyChannel(name: ChannelName, load: () => Promise<NotificationChannel>): NotificationChannel {
  const channel = loadOnce(load);
  return { name, send: async (message, options) => (await channel()).send(message, options) };
}

/**
 * `channels`, each sending a row once where the platform has the idempotency table; as they are
 * elsewhere. Powertools idempotency and the DynamoDB client load with the first send that needs them.
 */
export function sendOnceChannels(platform: Platform, channels: Channels): IdempotentChannels {
  const table = platform.config.IDEMPOTENCY_TABLE;
  if (table === undefined) return { channels, registerContext: () => {} };
  let context: Context | undefined;
  const sendOnce = loadOnce(async () => {
    const [{ idempotentChannels }, { dynamoDbClient }] = await Promise.all([
      import('../layers/shared/src/adapters/aws/idempotent-channel.ts'),
      import('../layers/shared/src/adapters/aws/dynamodb-rate-limiter.ts'),
    ]);
    return idempotentChannels(channels, {
      name: table,
      client: dynamoDbClient({
        region: platform.config.AWS_REGION,
        endpoint: platform.config.DYNAMODB_ENDPOINT,
      }),
    });
  });
  const wrapped = new Map<ChannelName, NotificationChannel>();
  for (const [name, channel] of channels) {
    wrapped.set(name, {
      name,
      async send(message, options) {
        if (options === undefined) return channel.send(message);
        const once = await sendOnce();
        if (context !== undefined) once.registerContext(context);
        const send = once.channels.get(name);
        if (send === undefined) throw new Error(`no ${name} channel to send once`);
        await send.send(message, options);
      },
    });
  }
  return { channels: wrapped, registerContext: (c) => (context = c) };
}

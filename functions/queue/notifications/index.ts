/**
 * The notifications queue's consumer. A message carries a domain event as EventBridge's rule
 * delivers it (`{ "detail-type", detail }`), a notification event (the local bus), or outbox ids
 * to retry. An event is dispatched into the outbox (once per user, channel
 * and event) and its rows are sent; a row that fails is reported as a batch item failure, so SQS
 * redelivers it and, past maxReceiveCount, moves it to the DLQ.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { SesEmailChannel } from '../../../layers/shared/src/adapters/aws/ses-email-channel.ts';
import { SnsSmsChannel } from '../../../layers/shared/src/adapters/aws/sns-sms-channel.ts';
import { type VapidKeys, WebPushChannel } from '../../../layers/shared/src/adapters/web-push-channel.ts';
import { config, loadConfig } from '../../../layers/shared/src/config.ts';
import {
  domainEventFromEnvelope,
  eventBridgeEnvelopeSchema,
} from '../../../layers/shared/src/core/events/domain-event-schema.ts';
import { ValidationError } from '../../../layers/shared/src/errors.ts';
import { marketConfig } from '../../../layers/shared/src/market-config.ts';
import { flushMetrics } from '../../../layers/shared/src/observability.ts';
import { isNotifying } from '../../../layers/shared/src/ports/event-bus.ts';
import type {
  ChannelName,
  NotificationChannel,
} from '../../../layers/shared/src/ports/notification-channel.ts';
import {
  deliverNotifications,
  dispatchNotificationEvent,
  type NotificationEvent,
  notificationEventFor,
  TRIGGERS,
} from '../../../layers/shared/src/services/market/notifications.ts';
import { secretStore } from '../../dependencies.ts';
import { marketDependencies } from '../../market-dependencies.ts';

loadConfig(process.env, { require: ['DATABASE_URL'] });
marketConfig();

/** A notification event or outbox ids to retry (an EventBridge envelope is read first). */
export const notificationMessageSchema = z
  .object({
    event: z
      .object({
        id: z.string().min(1),
        trigger: z.enum(TRIGGERS),
        occurredAt: z.number().int(),
        data: z.record(z.union([z.string(), z.number()])),
      })
      .optional(),
    outboxIds: z.array(z.number().int().positive()).min(1).optional(),
  })
  .refine(
    (value) => value.event !== undefined || value.outboxIds !== undefined,
    'expected event or outboxIds',
  );

const processor = new BatchProcessor(EventType.SQS);

let channels: ReadonlyMap<ChannelName, NotificationChannel> | undefined;

/** SMS over SNS always; email over SES and web push where they are configured. */
function defaultChannels(): ReadonlyMap<ChannelName, NotificationChannel> {
  const c = config();
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
        push ??= secretStore()
          .getSecret(pushSecret)
          .then((text) => new WebPushChannel(JSON.parse(text) as VapidKeys));
        return (await push).send(notification);
      },
    });
  }
  return map;
}

/** The local runtime and tests give the channels they run. */
export function useNotificationChannels(replacement: ReadonlyMap<ChannelName, NotificationChannel>): void {
  channels = replacement;
}

function parseMessage(body: string): {
  event?: NotificationEvent | undefined;
  outboxIds?: number[] | undefined;
} {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new ValidationError('notification message is not JSON');
  }
  const envelope = eventBridgeEnvelopeSchema.safeParse(value);
  if (envelope.success) {
    const event = domainEventFromEnvelope(envelope.data);
    if (!isNotifying(event)) throw new ValidationError(`${event.type} events raise no notification`);
    return { event: notificationEventFor(event) };
  }
  const parsed = notificationMessageSchema.safeParse(value);
  if (!parsed.success) throw new ValidationError(`notification message: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

async function recordHandler(record: SQSRecord): Promise<void> {
  const parsed = parseMessage(record.body);
  const deps = await marketDependencies();
  let ids = parsed.outboxIds ?? [];
  if (parsed.event !== undefined) {
    await dispatchNotificationEvent(deps.sql, parsed.event);
    // A redelivered event creates nothing new but retries what failed for it before.
    const rows = await deps.sql<{ id: number }[]>`
      select id from market.notification_outbox where event_id = ${parsed.event.id} and status = 'pending'`;
    ids = rows.map((row) => Number(row.id));
  }
  if (ids.length === 0) return;
  channels ??= defaultChannels();
  const outcome = await deliverNotifications(deps.sql, channels, deps.now(), { ids, queueRetry: true });
  if (outcome.retried > 0 || outcome.failed > 0) {
    throw new Error(`${outcome.retried + outcome.failed} of ${ids.length} notifications not delivered`);
  }
}

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  try {
    return await processPartialResponse(event, recordHandler, processor, {
      context,
      throwOnFullBatchFailure: false,
    });
  } finally {
    flushMetrics();
  }
}

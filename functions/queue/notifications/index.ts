/**
 * The notifications queue's consumer. A message carries a domain event as EventBridge's rule
 * delivers it (`{ "detail-type", detail }`), a notification event (the local bus, or the
 * continuation of one: `{ event, after }`), or outbox ids to send (`{ outboxIds }`).
 *
 * An event is dispatched into the outbox a page of subscriptions at a time
 * (services/market/notification-dispatch.ts) for as long as the invocation has time; what is left
 * goes back on the queue as a continuation from the last page, so no number of subscriptions makes
 * one invocation time out. An event that fits one page with few rows is sent at once; otherwise its
 * rows go on the queue in messages of OUTBOX_IDS_PER_MESSAGE ids. A row that fails is reported as a
 * batch item failure, so SQS redelivers it and, past maxReceiveCount, moves it to the DLQ. The
 * outbox decides what was sent: redelivered messages send nothing twice.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { SesEmailChannel } from '../../../layers/shared/src/adapters/aws/ses-email-channel.ts';
import { SnsSmsChannel } from '../../../layers/shared/src/adapters/aws/sns-sms-channel.ts';
import { vapidKeysFromSecret, WebPushChannel } from '../../../layers/shared/src/adapters/web-push-channel.ts';
import { config, loadConfig } from '../../../layers/shared/src/config.ts';
import {
  domainEventFromEnvelope,
  eventBridgeEnvelopeSchema,
} from '../../../layers/shared/src/core/events/domain-event-schema.ts';
import { isNotifying } from '../../../layers/shared/src/core/events/domain-events.ts';
import { ValidationError } from '../../../layers/shared/src/errors.ts';
import { marketConfig } from '../../../layers/shared/src/market-config.ts';
import { flushMetrics, logger } from '../../../layers/shared/src/observability.ts';
import type {
  ChannelName,
  NotificationChannel,
} from '../../../layers/shared/src/ports/notification-channel.ts';
import { deliverNotifications } from '../../../layers/shared/src/services/market/notification-delivery.ts';
import { dispatchNotificationPage } from '../../../layers/shared/src/services/market/notification-dispatch.ts';
import {
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
    /** Where a dispatch left off: the last subscription id of the page before. */
    after: z.string().min(1).max(200).optional(),
    outboxIds: z.array(z.number().int().positive()).min(1).max(500).optional(),
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
          .then((text) => new WebPushChannel(vapidKeysFromSecret(text)));
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

/** Rows per `{ outboxIds }` message: one invocation sends them well within its timeout. */
export const OUTBOX_IDS_PER_MESSAGE = 50;
/** An event whose one page made no more rows than this is sent at once, not through the queue. */
const SEND_AT_ONCE = 50;

type ParsedMessage = z.infer<typeof notificationMessageSchema>;

function parseMessage(body: string): ParsedMessage {
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

/**
 * Dispatches pages of the event while the invocation has time; returns the rows to send at once
 * (when the whole event fit one small page), having queued everything else.
 */
async function dispatch(
  event: NotificationEvent,
  from: string | undefined,
  context: Context,
): Promise<number[]> {
  const deps = await marketDependencies();
  let after = from;
  let slowestMs = 0;
  for (let pages = 0; ; pages++) {
    const started = Date.now();
    const page = await dispatchNotificationPage(deps.sql, event, { after });
    slowestMs = Math.max(slowestMs, Date.now() - started);
    if (pages === 0 && page.next === undefined && page.deliverable.length <= SEND_AT_ONCE)
      return page.deliverable;
    const messages = [];
    for (let i = 0; i < page.deliverable.length; i += OUTBOX_IDS_PER_MESSAGE) {
      messages.push({ body: { outboxIds: page.deliverable.slice(i, i + OUTBOX_IDS_PER_MESSAGE) } });
    }
    after = page.next;
    // Time left for another page, with room to hand the rest over: otherwise continue later.
    const more = after !== undefined && remainingMs(context) > 3 * slowestMs + 5_000;
    if (after !== undefined && !more) messages.push({ body: { event, after } });
    if (messages.length > 0) {
      // Only a dispatch that spills over uses the queue (one that fits a page sends at once).
      const { failed } = await deps.notificationQueue().sendBatch(messages);
      if (failed > 0)
        throw new Error(`the notifications queue refused ${failed} of ${messages.length} messages`);
    }
    if (!more) {
      if (after !== undefined)
        logger.info('dispatch continues in a new message', { eventId: event.id, after });
      return [];
    }
  }
}

/** Lambda's time left; none known (a caller without a Lambda context) means one page per invocation. */
const remainingMs = (context: Context | undefined) => context?.getRemainingTimeInMillis?.() ?? 0;

async function recordHandler(record: SQSRecord, context: Context): Promise<void> {
  const parsed = parseMessage(record.body);
  const ids =
    parsed.event === undefined
      ? (parsed.outboxIds ?? [])
      : await dispatch(parsed.event, parsed.after, context);
  if (ids.length === 0) return;
  const deps = await marketDependencies();
  channels ??= defaultChannels();
  const outcome = await deliverNotifications(deps.sql, channels, deps.now(), { ids, queueRetry: true });
  if (outcome.undeliverable > 0) {
    logger.warn('notifications this deployment cannot send were marked failed', {
      messageId: record.messageId,
      outboxIds: outcome.undeliverableIds,
    });
  }
  if (outcome.retried > 0 || outcome.failed > 0) {
    throw new Error(`${outcome.retried + outcome.failed} of ${ids.length} notifications not delivered`);
  }
}

/** The batch processor reports a failed record without saying why; the log says it. */
async function loggedRecordHandler(record: SQSRecord, context: Context): Promise<void> {
  try {
    await recordHandler(record, context);
  } catch (error) {
    logger.error('notification message failed; SQS will redeliver it', {
      messageId: record.messageId,
      error: error as Error,
    });
    throw error;
  }
}

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  try {
    return await processPartialResponse(event, loggedRecordHandler, processor, {
      context,
      throwOnFullBatchFailure: false,
    });
  } finally {
    flushMetrics();
  }
}

/**
 * Notification channels that send each outbox row once, whatever SQS redelivers: Powertools
 * idempotency, its records in the IdempotencyTable (DynamoDB). The outbox marks a row sent in the
 * transaction that claimed it, after the send; a send that went out while that transaction then
 * failed (the connection lost, the invocation timed out) would go out again with the next
 * delivery. Here the second send finds the first one's record and is skipped, and the row is
 * marked sent. A send that failed leaves no record, so its retry sends.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import type {
  ChannelName,
  NotificationChannel,
  OutgoingNotification,
} from '../../ports/notification-channel.ts';

/** How long a send is remembered: well past SQS's redeliveries of one message and the outbox's retries. */
const REMEMBERED_SECONDS = 24 * 3600;

export interface IdempotentChannels {
  readonly channels: ReadonlyMap<ChannelName, NotificationChannel>;
  /**
   * Tells the records the invocation's deadline, so a send cut short by the Lambda timeout does
   * not block its retry past that.
   */
  registerContext(context: Context): void;
}

export function idempotentChannels(
  channels: ReadonlyMap<ChannelName, NotificationChannel>,
  table: { readonly name: string; readonly client: DynamoDBClient },
): IdempotentChannels {
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: table.name,
    awsSdkV3Client: table.client,
    // The table's TTL attribute (lib/stacks/data-stack.ts).
    expiryAttr: 'expiresAt',
  });
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'key', expiresAfterSeconds: REMEMBERED_SECONDS });
  const wrapped = new Map<ChannelName, NotificationChannel>();
  for (const [name, channel] of channels) {
    const sendOnce = makeIdempotent(
      async (request: { readonly key: string; readonly message: OutgoingNotification }) => {
        await channel.send(request.message);
        return { sent: request.key };
      },
      { persistenceStore, config, keyPrefix: `notifications.${name}` },
    );
    wrapped.set(name, {
      name,
      async send(message, options) {
        if (options === undefined) return channel.send(message);
        await sendOnce({ key: options.key, message });
      },
    });
  }
  return {
    channels: wrapped,
    registerContext: (context) => {
      // A caller outside Lambda may hand over a context without a clock: no deadline is known then.
      if (typeof context.getRemainingTimeInMillis === 'function') config.registerLambdaContext(context);
    },
  };
}

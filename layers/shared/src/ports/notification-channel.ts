/**
 * One delivery channel: email (SES), push (web push) or SMS (SNS) on AWS; locally a channel
 * that records what it was given. A send that throws is retried by the caller.
 */
export type ChannelName = 'email' | 'push' | 'sms';

export interface OutgoingNotification {
  readonly to: string;
  readonly subject: string;
  readonly body: string;
}

export interface SendOptions {
  /**
   * What makes a repeated send the same send (its outbox row): a channel that remembers what it
   * sent (adapters/aws/idempotent-channel.ts) sends it once however often it is asked.
   */
  readonly key: string;
}

export interface NotificationChannel {
  readonly name: ChannelName;
  send(message: OutgoingNotification, options?: SendOptions): Promise<void>;
}

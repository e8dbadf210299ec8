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

export interface NotificationChannel {
  readonly name: ChannelName;
  send(message: OutgoingNotification): Promise<void>;
}

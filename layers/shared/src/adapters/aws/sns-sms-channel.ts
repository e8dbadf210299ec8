/**
 * The SMS notification channel: SNS direct publish to a phone number (E.164). Subject lines do
 * not exist in SMS, so the message is the subject and the body.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { NotificationChannel, OutgoingNotification } from '../../ports/notification-channel.ts';

export class SnsSmsChannel implements NotificationChannel {
  readonly name = 'sms' as const;

  constructor(private readonly client: SNSClient) {}

  async send(message: OutgoingNotification): Promise<void> {
    await this.client.send(
      new PublishCommand({
        PhoneNumber: message.to,
        // SMS segments: keep one notification within 3 × 153 characters.
        Message: `${message.subject}: ${message.body}`.slice(0, 459),
        MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
      }),
    );
  }
}

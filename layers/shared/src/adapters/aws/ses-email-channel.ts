/** The email notification channel: SES (v2 API) from a verified sender address. */
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { NotificationChannel, OutgoingNotification } from '../../ports/notification-channel.ts';

export class SesEmailChannel implements NotificationChannel {
  readonly name = 'email' as const;

  constructor(
    private readonly client: SESv2Client,
    private readonly from: string,
  ) {}

  async send(message: OutgoingNotification): Promise<void> {
    await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: this.from,
        Destination: { ToAddresses: [message.to] },
        Content: {
          Simple: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: message.body, Charset: 'UTF-8' } },
          },
        },
      }),
    );
  }
}

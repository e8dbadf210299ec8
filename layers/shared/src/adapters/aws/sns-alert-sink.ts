/** Admin alerts to the SNS admin topic (email / SMS / HTTPS subscriptions are set up at deploy). */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { AdminAlert, AlertSink } from '../../ports/alert-sink.ts';

export class SnsAlertSink implements AlertSink {
  readonly destination: string;

  constructor(
    private readonly topicArn: string,
    private readonly client: SNSClient = new SNSClient({}),
  ) {
    this.destination = `sns:${topicArn}`;
  }

  async publish(alert: AdminAlert): Promise<void> {
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        // SNS limits subjects to 100 characters.
        Subject: alert.subject.slice(0, 100),
        Message: JSON.stringify({ ...alert, raisedAt: alert.raisedAt.toISOString() }),
      }),
    );
  }
}

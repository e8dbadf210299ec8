/**
 * An event bus that forwards each market event to the notifications queue as the notification
 * event it raises. It stands in for the EventBridge rule (bus → notifications queue) until the
 * EventBridge adapter exists, so the Lambdas' PriceUpdated and TokenMinted still notify users.
 */
import { type DomainEvent, isNotifying } from '../../core/events/domain-events.ts';
import type { EventBus } from '../../ports/event-bus.ts';
import type { WorkQueue } from '../../ports/work-queue.ts';
import { notificationEventFor } from './notifications.ts';

export class NotificationQueueBus implements EventBus {
  constructor(private readonly queue: WorkQueue) {}

  async publish(event: DomainEvent): Promise<void> {
    // What the rule does not route (EpochSealed) reaches no notification here either.
    if (!isNotifying(event)) return;
    await this.queue.send({ body: { event: notificationEventFor(event) } });
  }
}

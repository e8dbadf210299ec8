/**
 * The event bus on AWS: EventBridge instead of the source's Redis pub/sub (DESIGN.md section 2).
 * Each event goes out with source `engagement-oracle` and its type as the detail-type; rules on
 * the bus route `PriceUpdated` to the WebSocket broadcast and events to notifications.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DomainEvent } from '../../core/events/domain-events.ts';
import { DependencyError } from '../../errors.ts';
import type { EventBus } from '../../ports/event-bus.ts';

export const EVENT_SOURCE = 'engagement-oracle';

export class EventBridgeBus implements EventBus {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(event: DomainEvent): Promise<void> {
    const out = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.busName,
            Source: EVENT_SOURCE,
            DetailType: event.type,
            Detail: JSON.stringify(event),
          },
        ],
      }),
    );
    if ((out.FailedEntryCount ?? 0) > 0) {
      const entry = out.Entries?.[0];
      throw new DependencyError(
        `EventBridge refused ${event.type}: ${entry?.ErrorCode ?? ''} ${entry?.ErrorMessage ?? ''}`.trim(),
      );
    }
  }
}

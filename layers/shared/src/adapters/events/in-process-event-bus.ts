/**
 * The local event bus: handlers run in subscription order for each event, events in publish
 * order, so a subscriber sees a token's price updates in the order they were published. A
 * failing handler is reported and does not keep the event from the others.
 * (The EventBridge adapter needs @aws-sdk/client-eventbridge, which is not installed yet.)
 */
import type { DomainEvent } from '../../core/events/domain-events.ts';
import type { EventBus } from '../../ports/event-bus.ts';

type Handler<E extends DomainEvent> = (event: E) => void | Promise<void>;

export class InProcessEventBus implements EventBus {
  private readonly handlers = new Map<DomainEvent['type'], Handler<DomainEvent>[]>();
  readonly published: DomainEvent[] = [];
  readonly failures: { event: DomainEvent; error: unknown }[] = [];

  constructor(private readonly keepHistory = false) {}

  subscribe<T extends DomainEvent['type']>(
    type: T,
    handler: Handler<Extract<DomainEvent, { type: T }>>,
  ): () => void {
    const list = this.handlers.get(type) ?? [];
    list.push(handler as Handler<DomainEvent>);
    this.handlers.set(type, list);
    return () => {
      const index = list.indexOf(handler as Handler<DomainEvent>);
      if (index >= 0) list.splice(index, 1);
    };
  }

  async publish(event: DomainEvent): Promise<void> {
    if (this.keepHistory) this.published.push(event);
    for (const handler of [...(this.handlers.get(event.type) ?? [])]) {
      try {
        await handler(event);
      } catch (error) {
        this.failures.push({ event, error });
      }
    }
  }
}

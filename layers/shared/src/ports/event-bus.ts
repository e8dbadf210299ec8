/**
 * Domain events between services. On AWS the bus is EventBridge (the Redis pub/sub of
 * token-market-services.md becomes the platform bus, DESIGN.md section 2); locally an in-process
 * bus delivers to subscribers in publish order. The events themselves are core/events.
 */
import type { DomainEvent } from '../core/events/domain-events.ts';

export interface EventBus {
  publish(event: DomainEvent): Promise<void>;
}

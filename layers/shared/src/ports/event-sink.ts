import type { IngestEvent } from '../core/attention/signals.ts';

/** Where producers hand events to the ingest pipeline (the ingest queue). */
export interface EventSink {
  /**
   * Delivers every event or throws: on a throw the caller still holds the events and sends
   * them again later (the writer's event-id idempotency makes a partial resend harmless).
   */
  sendBatch(events: readonly IngestEvent[]): Promise<void>;
}

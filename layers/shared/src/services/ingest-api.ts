/**
 * `POST /ingest` for outside producers: per-IP rate limit, validation of every event (nothing
 * is enqueued unless all are valid), then the events go to the ingest queue packed into as
 * few messages as SQS allows. The writer does the rest.
 */
import { encodeIngestMessages } from '../core/attention/ingest-message.ts';
import { describeIssues, parseIngestRequest } from '../core/attention/ingest-request.ts';
import { RateLimitedError, ValidationError } from '../errors.ts';
import { MetricUnit, metrics } from '../observability.ts';
import type { RateLimiter } from '../ports/rate-limiter.ts';
import type { WorkQueue } from '../ports/work-queue.ts';

export interface IngestApiDeps {
  readonly queue: WorkQueue;
  readonly rateLimiter: RateLimiter;
  /** Requests per minute per IP. @default 1000 (the source's limit) */
  readonly perMinute?: number;
}

export interface IngestAccepted {
  readonly received: number;
  readonly enqueued: number;
  readonly messages: number;
}

export async function acceptIngestRequest(
  deps: IngestApiDeps,
  request: { body: unknown; sourceIp: string; nowMs: number; bodyError?: unknown },
): Promise<IngestAccepted> {
  const limit = await deps.rateLimiter.hit(
    `ingest:${request.sourceIp}`,
    deps.perMinute ?? 1000,
    60,
    request.nowMs,
  );
  if (!limit.allowed) {
    throw new RateLimitedError(
      `rate limit of ${deps.perMinute ?? 1000} requests per minute exceeded`,
      limit.retryAfterSeconds,
    );
  }
  if (request.bodyError !== undefined) throw request.bodyError;
  const parsed = parseIngestRequest(request.body, request.nowMs);
  if (!parsed.ok) {
    metrics.addMetric('IngestInvalidRequests', MetricUnit.Count, 1);
    throw new ValidationError(describeIssues(parsed.issues), { details: { issues: parsed.issues } });
  }
  const bodies = encodeIngestMessages(parsed.events);
  const { failed } = await deps.queue.sendBatch(bodies.map((body) => ({ body })));
  if (failed > 0) {
    // Some messages were refused: report the request as failed so the producer retries it
    // whole; the writer's event-id idempotency makes the retry safe.
    throw new RateLimitedError('ingest queue refused part of the request; retry it', 1);
  }
  metrics.addMetric('IngestEventsEnqueued', MetricUnit.Count, parsed.events.length);
  return { received: parsed.events.length, enqueued: parsed.events.length, messages: bodies.length };
}

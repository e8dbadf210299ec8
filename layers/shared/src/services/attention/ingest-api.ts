/**
 * `POST /ingest` for outside producers: per-IP rate limit, validation of every event (nothing
 * is enqueued unless all are valid), the sending key's quota of events, then the events go to
 * the ingest queue, marked with the key's name and packed into as few messages as SQS allows.
 * The writer does the rest.
 */
import { encodeIngestMessages } from '../../core/attention/ingest-message.ts';
import { describeIssues, parseIngestRequest } from '../../core/attention/ingest-request.ts';
import { RateLimitedError, ValidationError } from '../../errors.ts';
import { logger, MetricUnit, metrics } from '../../observability.ts';
import type { RateLimiter } from '../../ports/rate-limiter.ts';
import type { WorkQueue } from '../../ports/work-queue.ts';

/** Events one key may send per window (issue 17, H4: a key is a mint authority, so its volume is bounded). */
export interface KeyQuota {
  readonly perMinute: number;
  readonly perHour: number;
}

/** What a key may send when nothing is configured: far above one producer's real chat, far below a flood. */
export const DEFAULT_KEY_QUOTA: KeyQuota = { perMinute: 60_000, perHour: 1_000_000 };

export interface IngestApiDeps {
  readonly queue: WorkQueue;
  readonly rateLimiter: RateLimiter;
  /** Requests per minute per IP. @default 1000 (the source's limit) */
  readonly perMinute?: number;
  /** @default DEFAULT_KEY_QUOTA */
  readonly keyQuota?: KeyQuota;
}

export interface IngestAccepted {
  readonly received: number;
  readonly enqueued: number;
  readonly messages: number;
}

export async function acceptIngestRequest(
  deps: IngestApiDeps,
  request: {
    body: unknown;
    sourceIp: string;
    nowMs: number;
    /** The name of the ingest API key that sent the request (from the authorizer). */
    keyId: string;
    bodyError?: unknown;
  },
): Promise<IngestAccepted> {
  const perMinute = deps.perMinute ?? 1000;
  const parsed =
    request.bodyError === undefined ? parseIngestRequest(request.body, request.nowMs) : undefined;
  // The IP limit counts every request, valid or not; the key's quota the events of a valid one.
  // Both counted in one round trip.
  const [limit, quota] = await Promise.all([
    deps.rateLimiter.hit(`ingest:${request.sourceIp}`, perMinute, 60, request.nowMs),
    parsed?.ok === true
      ? chargeKeyQuota(deps, request.keyId, parsed.events.length, request.nowMs)
      : Promise.resolve(undefined),
  ]);
  if (!limit.allowed) {
    throw new RateLimitedError(
      `rate limit of ${perMinute} requests per minute exceeded`,
      limit.retryAfterSeconds,
    );
  }
  if (request.bodyError !== undefined) throw request.bodyError;
  if (parsed === undefined || !parsed.ok) {
    metrics.addMetric('IngestInvalidRequests', MetricUnit.Count, 1);
    const issues = parsed?.ok === false ? parsed.issues : [];
    throw new ValidationError(describeIssues(issues), { details: { issues } });
  }
  if (quota !== undefined) throw quota;
  const bodies = encodeIngestMessages(parsed.events, request.keyId);
  const { failed } = await deps.queue.sendBatch(bodies.map((body) => ({ body })));
  if (failed > 0) {
    // Some messages were refused: report the request as failed so the producer retries it
    // whole; the writer's event-id idempotency makes the retry safe.
    throw new RateLimitedError('ingest queue refused part of the request; retry it', 1);
  }
  metrics.addMetric('IngestEventsEnqueued', MetricUnit.Count, parsed.events.length);
  return { received: parsed.events.length, enqueued: parsed.events.length, messages: bodies.length };
}

/**
 * Counts the request's events against the key's minute and hour windows. A request that takes
 * the key past either is refused whole (429, the error returned here), nothing of it enqueued.
 */
async function chargeKeyQuota(
  deps: IngestApiDeps,
  keyId: string,
  events: number,
  nowMs: number,
): Promise<RateLimitedError | undefined> {
  const quota = deps.keyQuota ?? DEFAULT_KEY_QUOTA;
  const windows = [
    { window: 'minute', windowSeconds: 60, limit: quota.perMinute },
    { window: 'hour', windowSeconds: 3600, limit: quota.perHour },
  ] as const;
  // One write counts both windows.
  const decisions = await deps.rateLimiter.hitEach(`ingest-key:${keyId}`, windows, nowMs, events);
  for (const [i, { window, limit }] of windows.entries()) {
    const decision = decisions[i];
    if (decision === undefined || decision.allowed) continue;
    metrics.addMetric('IngestKeyQuotaExceeded', MetricUnit.Count, 1);
    logger.warn('ingest key over its quota', { keyId, window, limit, count: decision.count, events });
    return new RateLimitedError(
      `ingest key ${keyId} is over its quota of ${limit} events per ${window}; retry after ${decision.retryAfterSeconds} s`,
      decision.retryAfterSeconds,
    );
  }
  return undefined;
}

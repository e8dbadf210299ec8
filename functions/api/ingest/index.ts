/** POST /ingest: outside producers' events, validated, counted against the sending key's quota and enqueued (202 with counts). */
import { UnauthorizedError } from '../../../layers/shared/src/errors.ts';
import { powertoolsTelemetry } from '../../../layers/shared/src/observability.ts';
import {
  acceptIngestRequest,
  type IngestApiDeps,
} from '../../../layers/shared/src/services/attention/ingest-api.ts';
import { httpRoute, type PlatformOf } from '../../handlers.ts';
import { credentialName, type HttpEvent, type HttpResult, json, jsonBody, sourceIp } from '../http.ts';

export function ingestDependencies(
  platform: PlatformOf<'INGEST_QUEUE_URL' | 'RATE_LIMIT_TABLE'>,
): IngestApiDeps {
  const c = platform.config;
  return {
    queue: platform.queue(c.INGEST_QUEUE_URL, 'INGEST_QUEUE_URL'),
    rateLimiter: platform.rateLimiter(),
    telemetry: powertoolsTelemetry,
    perMinute: c.INGEST_RATE_LIMIT_PER_MINUTE,
    keyQuota: { perMinute: c.INGEST_KEY_EVENTS_PER_MINUTE, perHour: c.INGEST_KEY_EVENTS_PER_HOUR },
  };
}

export async function handle(event: HttpEvent, deps: IngestApiDeps): Promise<HttpResult> {
  const nowMs = Date.now();
  const keyId = credentialName(event);
  // The authorizer names the key of every request it lets through; without one, nothing is taken.
  if (keyId === undefined) throw new UnauthorizedError('POST /ingest needs an ingest API key (x-api-key)');
  // The rate limit counts every request, valid or not, so it is checked before the body is read.
  const body = (() => {
    try {
      return { ok: true as const, value: jsonBody(event) };
    } catch (error) {
      return { ok: false as const, error };
    }
  })();
  const accepted = await acceptIngestRequest(deps, {
    body: body.ok ? body.value : undefined,
    sourceIp: sourceIp(event),
    nowMs,
    keyId,
    bodyError: body.ok ? undefined : body.error,
  });
  return json(202, accepted);
}

export const handler = httpRoute(ingestDependencies, handle, {
  require: ['INGEST_QUEUE_URL', 'RATE_LIMIT_TABLE'],
});

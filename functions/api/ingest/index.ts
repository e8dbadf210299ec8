/** POST /ingest: outside producers' events, validated, counted against the sending key's quota and enqueued (202 with counts). */
import { loadConfig } from '../../../layers/shared/src/config.ts';
import { UnauthorizedError } from '../../../layers/shared/src/errors.ts';
import { flushMetrics } from '../../../layers/shared/src/observability.ts';
import { acceptIngestRequest } from '../../../layers/shared/src/services/attention/ingest-api.ts';
import { ingestQueue, rateLimiter } from '../../dependencies.ts';
import { credentialName, httpHandler, json, jsonBody, sourceIp } from '../http.ts';

const settings = loadConfig(process.env, { require: ['INGEST_QUEUE_URL', 'RATE_LIMIT_TABLE'] });

export const handler = httpHandler(async (event) => {
  try {
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
    const accepted = await acceptIngestRequest(
      {
        queue: ingestQueue(),
        rateLimiter: rateLimiter(),
        perMinute: settings.INGEST_RATE_LIMIT_PER_MINUTE,
        keyQuota: {
          perMinute: settings.INGEST_KEY_EVENTS_PER_MINUTE,
          perHour: settings.INGEST_KEY_EVENTS_PER_HOUR,
        },
      },
      {
        body: body.ok ? body.value : undefined,
        sourceIp: sourceIp(event),
        nowMs,
        keyId,
        bodyError: body.ok ? undefined : body.error,
      },
    );
    return json(202, accepted);
  } finally {
    flushMetrics();
  }
});

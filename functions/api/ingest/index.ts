/** POST /ingest: outside producers' events, validated and enqueued (202 with counts). */
import { loadConfig } from '../../../layers/shared/src/config.ts';
import { flushMetrics } from '../../../layers/shared/src/observability.ts';
import { acceptIngestRequest } from '../../../layers/shared/src/services/ingest-api.ts';
import { ingestQueue, rateLimiter } from '../../dependencies.ts';
import { httpHandler, json, jsonBody, sourceIp } from '../http.ts';

const settings = loadConfig(process.env, { require: ['INGEST_QUEUE_URL', 'RATE_LIMIT_TABLE'] });

export const handler = httpHandler(async (event) => {
  try {
    const nowMs = Date.now();
    // The rate limit counts every request, valid or not, so it is checked before the body is read.
    const body = (() => {
      try {
        return { ok: true as const, value: jsonBody(event) };
      } catch (error) {
        return { ok: false as const, error };
      }
    })();
    const accepted = await acceptIngestRequest(
      { queue: ingestQueue(), rateLimiter: rateLimiter(), perMinute: settings.INGEST_RATE_LIMIT_PER_MINUTE },
      {
        body: body.ok ? body.value : undefined,
        sourceIp: sourceIp(event),
        nowMs,
        bodyError: body.ok ? undefined : body.error,
      },
    );
    return json(202, accepted);
  } finally {
    flushMetrics();
  }
});

import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpEvent, HttpResult } from '../../functions/api/http.ts';
import type { Platform } from '../../functions/platform.ts';
import { decodeIngestMessage } from '../../layers/shared/src/core/attention/ingest-message.ts';
import { SILENT_TELEMETRY } from '../../layers/shared/src/ports/telemetry.ts';
import { type DynamoService, type SqsService, startDynamo, startSqs } from '../../local/services.ts';
import { conformingBody } from '../fixtures/api-contract.ts';
import { makeHttpEvent } from '../fixtures/http-event.ts';
import { platformFromEnv } from '../fixtures/platform.ts';
import { queueDepth } from '../fixtures/queue-depth.ts';

let sqs: SqsService;
let dynamo: DynamoService;
let handler: (event: HttpEvent) => Promise<HttpResult>;
let platform: Platform;
let ipCounter = 0;

const post = (body: string | undefined, sourceIp?: string) =>
  handler(
    makeHttpEvent({
      method: 'POST',
      path: '/ingest',
      body,
      sourceIp: sourceIp ?? `198.51.100.${(ipCounter++ % 250) + 1}`,
      credential: { credential: 'ingest', credentialName: 'partner' },
    }),
  );

const depth = () => queueDepth(sqs.client, sqs.queues.ingest.url);

beforeAll(async () => {
  sqs = await startSqs();
  dynamo = await startDynamo();
  Object.assign(process.env, {
    ORACLE_MODE: 'local',
    SQS_ENDPOINT: sqs.endpoint,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    INGEST_QUEUE_URL: sqs.queues.ingest.url,
    RATE_LIMIT_TABLE: dynamo.tables.rateLimits,
    LOG_LEVEL: 'SILENT',
  });
  platform = platformFromEnv();
  handler = (await import('../../functions/api/ingest/index.ts')).handler.on(platform);
});

afterAll(async () => {
  await platform.close();
  await sqs.stop();
  await dynamo.stop();
});

beforeEach(async () => {
  await sqs.client.send(new PurgeQueueCommand({ QueueUrl: sqs.queues.ingest.url }));
});

describe('POST /ingest', () => {
  it('answers 202 with counts and enqueues every event once', async () => {
    const events = Array.from({ length: 3 }, (_, i) => ({
      channel: 'chan_one',
      user: `viewer_${i}x`,
      kind: 'presence',
    }));
    const response = await post(
      JSON.stringify({
        events: [...events, { channel: 'Chan_One', user: 'giver_1', kind: 'gift', amount: 5 }],
      }),
    );
    expect(response.statusCode).toBe(202);
    expect(conformingBody('POST /ingest', response)).toEqual({ received: 4, enqueued: 4, messages: 1 });
    const { ReceiveMessageCommand } = await import('@aws-sdk/client-sqs');
    const out = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: sqs.queues.ingest.url, MaxNumberOfMessages: 10 }),
    );
    const stored = decodeIngestMessage(out.Messages?.[0]?.Body ?? '');
    expect(new Set(stored.map((e) => e.keyId))).toEqual(new Set(['partner']));
    expect(stored.map((e) => [e.channel, e.user, e.kind, e.amount])).toEqual([
      ['chan_one', 'viewer_0x', 'presence', 1],
      ['chan_one', 'viewer_1x', 'presence', 1],
      ['chan_one', 'viewer_2x', 'presence', 1],
      ['chan_one', 'giver_1', 'gift', 5],
    ]);
  });

  it('refuses a request no ingest key was identified for, and enqueues nothing', async () => {
    const response = await handler(
      makeHttpEvent({
        method: 'POST',
        path: '/ingest',
        body: JSON.stringify([{ channel: 'chan_one', user: 'viewer_ok', kind: 'presence' }]),
      }),
    );
    expect(response.statusCode).toBe(401);
    expect(await depth()).toBe(0);
  });

  it('names the event index and field of a bad event, and enqueues nothing', async () => {
    const response = await post(
      JSON.stringify({
        events: [
          { channel: 'chan_one', user: 'viewer_ok', kind: 'presence' },
          { channel: 'chan_one', user: 'viewer_ok', kind: 'bits' },
        ],
      }),
    );
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).error.message).toBe('events[1].amount is required for kind bits');
    expect(await depth()).toBe(0);
  });

  it('refuses 1001 events in one request', async () => {
    const events = Array.from({ length: 1001 }, () => ({
      channel: 'chan_one',
      user: 'viewer_ok',
      kind: 'presence',
    }));
    const response = await post(JSON.stringify({ events }));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).error.message).toContain('at most 1000 events (got 1001)');
  });

  it('answers 429 with Retry-After past 1000 requests a minute from one IP', async () => {
    const { acceptIngestRequest } = await import('../../layers/shared/src/services/attention/ingest-api.ts');
    const deps = {
      queue: platform.queue(platform.config.INGEST_QUEUE_URL, 'INGEST_QUEUE_URL'),
      rateLimiter: platform.rateLimiter(),
      telemetry: SILENT_TELEMETRY,
      perMinute: 1000,
    };
    // A fixed clock 10 s into a minute, so the window cannot roll over during the test.
    const nowMs = Date.UTC(2026, 5, 1, 12, 0, 10);
    const body = [{ channel: 'chan_one', user: 'viewer_ok', kind: 'presence' }];
    const keyId = 'partner';
    for (let i = 0; i < 1000; i++)
      await acceptIngestRequest(deps, { body, sourceIp: '192.0.2.55', nowMs, keyId });
    const refused = await acceptIngestRequest(deps, { body, sourceIp: '192.0.2.55', nowMs, keyId }).catch(
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 50 });
    await expect(
      acceptIngestRequest(deps, { body, sourceIp: '192.0.2.56', nowMs, keyId }),
    ).resolves.toMatchObject({
      enqueued: 1,
    });
    await expect(
      acceptIngestRequest(deps, { body, sourceIp: '192.0.2.55', nowMs: nowMs + 60_000, keyId }),
    ).resolves.toMatchObject({
      enqueued: 1,
    });
  });

  it("counts a key's events in its minute and its hour with one write, refusing past either", async () => {
    const windows = [
      { limit: 5, windowSeconds: 60 },
      { limit: 8, windowSeconds: 3600 },
    ];
    const at = (minute: number, second: number) => Date.UTC(2026, 5, 1, 13, minute, second);
    const counts = async (nowMs: number) =>
      (await platform.rateLimiter().hitEach('ingest-key:windows-test', windows, nowMs, 3)).map((d) => [
        d.allowed,
        d.count,
        d.retryAfterSeconds,
      ]);
    expect(await counts(at(0, 10))).toEqual([
      [true, 3, 50],
      [true, 3, 3590],
    ]);
    expect(await counts(at(0, 20))).toEqual([
      [false, 6, 40],
      [true, 6, 3580],
    ]);
    expect(await counts(at(1, 0))).toEqual([
      [true, 3, 60],
      [false, 9, 3540],
    ]);
  });

  it('answers 429 through the handler with a Retry-After header', async () => {
    const { RateLimitedError } = await import('../../layers/shared/src/errors.ts');
    const { errorResponse } = await import('../../functions/api/http.ts');
    const response = errorResponse(
      new RateLimitedError('rate limit of 1000 requests per minute exceeded', 17),
    );
    expect(response.statusCode).toBe(429);
    expect(response.headers?.['retry-after']).toBe('17');
  });

  it('never answers 5xx to bad input and never enqueues any of it', async () => {
    const badEvent = fc.oneof(
      fc.anything(),
      fc.record(
        {
          id: fc.oneof(fc.string({ maxLength: 300 }), fc.integer()),
          channel: fc.oneof(
            fc.string({ maxLength: 40 }),
            fc.string({ unit: 'binary', maxLength: 30 }),
            fc.integer(),
          ),
          user: fc.oneof(
            fc.constant('x'),
            fc.string({ minLength: 26, maxLength: 2000 }),
            fc.string({ unit: 'binary' }),
          ),
          kind: fc.oneof(fc.constantFrom('bits', 'gift', 'raid', 'follow', ''), fc.integer()),
          amount: fc.oneof(fc.double(), fc.integer({ max: 0 }), fc.string()),
          ts: fc.oneof(fc.string(), fc.double(), fc.constant(null)),
        },
        { requiredKeys: [] },
      ),
    );
    const body = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.json(),
      fc.array(badEvent, { minLength: 1, maxLength: 5 }).map((events) => JSON.stringify({ events })),
      fc.array(badEvent, { minLength: 1, maxLength: 5 }).map((events) => JSON.stringify(events)),
      fc.constant(
        JSON.stringify({
          events: Array.from({ length: 1001 }, () => ({
            channel: 'chan_one',
            user: 'viewer_ok',
            kind: 'presence',
          })),
        }),
      ),
      fc.constant('{"events": [{"channel": "chan_one", "user": "viewer_ok", "kind": "presence"}'),
      fc.constant(undefined),
    );
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        const response = await post(raw);
        expect(response.statusCode).toBeGreaterThanOrEqual(400);
        expect(response.statusCode).toBeLessThan(500);
        expect(JSON.parse(response.body).error.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
    expect(await depth()).toBe(0);
  });
});

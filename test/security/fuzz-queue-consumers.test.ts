/**
 * Every queue consumer of lib/functions.ts, fuzzed through its real handler with SQS batches whose
 * bodies are generated from and around its queue's message schema: no batch makes a handler
 * throw; a failure it reports names a message of the batch; a batch of malformed messages writes
 * nothing (no row, no queue message, no domain event), and each malformed message is either a
 * batch-item failure (SQS retries it, then moves it to the DLQ) or dropped with a metric. A
 * consumer added to the registry is fuzzed without touching this file; its queue needs a message
 * schema below, which the type of MESSAGE_SCHEMAS demands.
 *
 * FUZZ_SEED=<n> replays a run; FUZZ_QUEUE_MESSAGES sets the messages shared by the consumers.
 */

import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import type { z } from 'zod';
import { FUNCTIONS, type FunctionSpec, type QueueName } from '../../lib/functions.ts';
import { bodiesAround } from '../fixtures/fuzz-mutations.ts';
import { type FuzzPlatform, startFuzzPlatform } from '../fixtures/fuzz-platform.ts';
import { lambdaContext, sqsRecord } from '../fixtures/sqs-event.ts';

vi.hoisted(() => {
  // Every malformed message is logged otherwise; the logger reads its level once, when imported.
  process.env['LOG_LEVEL'] = 'SILENT';
});

type Consumer = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

const CONSUMERS = FUNCTIONS.filter(
  (spec): spec is FunctionSpec & { trigger: { kind: 'queue' } } => spec.trigger.kind === 'queue',
);
const TOTAL_MESSAGES = Number(process.env['FUZZ_QUEUE_MESSAGES'] ?? 4_000);
const MESSAGES_PER_CONSUMER = Math.ceil(TOTAL_MESSAGES / Math.max(CONSUMERS.length, 1));
const SEED = process.env['FUZZ_SEED'] === undefined ? undefined : Number(process.env['FUZZ_SEED']);
/** Metrics a consumer counts a dropped malformed message with. */
const MALFORMED_METRIC = /invalid|malformed/i;

let platform: FuzzPlatform;
let schemas: Record<QueueName, z.ZodTypeAny>;
let addMetric: MockInstance;
const tallies = new Map<string, { batches: number; messages: number; malformed: number; failures: number }>();

beforeAll(async () => {
  platform = await startFuzzPlatform();
  // Imported once the platform's settings are in place: the notifications module reads them on load.
  const [
    { ingestMessageSchema },
    { publishMessageSchema },
    { oracleCallMessageSchema },
    notifications,
    events,
  ] = await Promise.all([
    import('../../layers/shared/src/core/attention/ingest-message.ts'),
    import('../../layers/shared/src/core/attention/publish-message.ts'),
    import('../../layers/shared/src/services/delivery/process-oracle-call-messages.ts'),
    import('../../functions/queue/notifications/index.ts'),
    import('../../layers/shared/src/core/events/domain-event-schema.ts'),
  ]);
  schemas = {
    ingest: ingestMessageSchema,
    publish: publishMessageSchema,
    oracleCalls: oracleCallMessageSchema,
    notifications: events.eventBridgeEnvelopeSchema.or(notifications.notificationMessageSchema),
  };
  const { metrics } = await import('../../layers/shared/src/observability.ts');
  addMetric = vi.spyOn(metrics, 'addMetric');
});

afterAll(async () => {
  const lines = [...tallies].map(
    ([name, t]) =>
      `  ${name}: ${t.messages} messages in ${t.batches} batches, ${t.malformed} malformed, ${t.failures} batch-item failures`,
  );
  if (lines.length > 0) console.info(`queue consumer fuzz:\n${lines.join('\n')}`);
  addMetric?.mockRestore();
  await platform?.stop();
});

describe('queue consumers under fuzzing', () => {
  it('the registry has queue consumers, each on a queue with a message schema', () => {
    expect(CONSUMERS.length).toBeGreaterThan(0);
    for (const spec of CONSUMERS) expect(schemas[spec.trigger.queue], spec.name).toBeDefined();
  });

  for (const spec of CONSUMERS) {
    it(`${spec.name} (${spec.trigger.queue}): ${MESSAGES_PER_CONSUMER} fuzzed messages, never throws, malformed ones write nothing`, async () => {
      const schema = schemas[spec.trigger.queue];
      const handler = await platform.handlerOf<Consumer>(spec);
      const fifo = spec.trigger.queue === 'publish' || spec.trigger.queue === 'oracleCalls';
      const tally = { batches: 0, messages: 0, malformed: 0, failures: 0 };
      tallies.set(spec.name, tally);
      const batches = fc.array(
        fc.record({ body: bodiesAround(schema), group: fc.constantFrom('group-a', 'group-b', 'group-c') }),
        { minLength: 1, maxLength: Math.min(spec.trigger.batchSize, 10) },
      );
      const sends = [
        ...(spec.sends ?? []).map((queue) => ({ queue, which: 'queue' as const })),
        ...(spec.sendsToDeadLetter ?? []).map((queue) => ({ queue, which: 'deadLetter' as const })),
      ];
      const depths = () => Promise.all(sends.map((s) => platform.queueDepth(s.queue, s.which)));
      let sequence = 0;
      await fc.assert(
        fc.asyncProperty(batches, async (batch) => {
          if (tally.messages >= MESSAGES_PER_CONSUMER) return;
          const records = batch.map(({ body, group }) => {
            const rendered = body.render();
            sequence += 1;
            return {
              label: rendered.label,
              malformed: !conforms(schema, rendered.text),
              record: sqsRecord(
                spec.trigger.queue,
                `m-${sequence}`,
                rendered.text ?? '',
                fifo ? group : undefined,
              ),
            };
          });
          const allMalformed = records.every((r) => r.malformed);
          const mark = await platform.writeMark();
          const before = allMalformed ? await depths() : [];
          const events = platform.bus.events.length;
          addMetric.mockClear();
          const what = `${spec.name} given [${records.map((r) => r.label).join('; ')}]`;
          let response: SQSBatchResponse | undefined;
          try {
            response = await handler({ Records: records.map((r) => r.record) }, lambdaContext(spec.name));
          } catch (error) {
            expect.fail(`${what} threw out of its batch: ${(error as Error).stack ?? String(error)}`);
          }
          const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
          const ids = new Set(records.map((r) => r.record.messageId));
          for (const id of failed) expect(ids.has(id), `${what} failed an unknown message ${id}`).toBe(true);
          tally.batches += 1;
          tally.messages += records.length;
          tally.malformed += records.filter((r) => r.malformed).length;
          tally.failures += failed.size;
          if (!allMalformed) return;
          const writes = await platform.writesSince(mark);
          expect(writes, `${what}: malformed messages wrote`).toEqual([]);
          expect(await depths(), `${what}: malformed messages were sent on`).toEqual(before);
          expect(platform.bus.events.length, `${what}: malformed messages announced an event`).toBe(events);
          const dropped = records.filter((r) => !failed.has(r.record.messageId)).length;
          const counted = addMetric.mock.calls
            .filter(([name]) => MALFORMED_METRIC.test(String(name)))
            .reduce((sum, call) => sum + Number(call[2] ?? 1), 0);
          expect(
            counted,
            `${what}: ${dropped} malformed messages dropped without a metric`,
          ).toBeGreaterThanOrEqual(dropped);
        }),
        {
          numRuns: MESSAGES_PER_CONSUMER,
          endOnFailure: true,
          ...(SEED === undefined ? {} : { seed: SEED }),
        },
      );
      expect(tally.messages).toBeGreaterThanOrEqual(MESSAGES_PER_CONSUMER);
    }, 180_000);
  }
});

function conforms(schema: z.ZodTypeAny, text: string | undefined): boolean {
  if (text === undefined) return false;
  try {
    return schema.safeParse(JSON.parse(text)).success;
  } catch {
    return false;
  }
}

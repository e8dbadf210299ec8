import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConflictError, ValidationError } from '../../layers/shared/src/errors.ts';
import {
  listCallsRoute,
  parseCallsQuery,
} from '../../layers/shared/src/services/delivery/admin-oracle-api.ts';
import { enqueueOracleCall } from '../../layers/shared/src/services/delivery/enqueue-oracle-call.ts';
import {
  UPDATE_MARKET_SENTIMENT,
  UPDATE_RAFFLE_PROBABILITY,
} from '../../layers/shared/src/services/delivery/fpmm-oracle-calls.ts';
import {
  redriveOracleCallDeadLetters,
  retryOracleCall,
} from '../../layers/shared/src/services/delivery/operator-calls.ts';
import { conformingBody } from '../fixtures/api-contract.ts';
import { type DeliveryHarness, startDeliveryHarness } from '../fixtures/delivery.ts';
import { makeHttpEvent } from '../fixtures/http-event.ts';
import { platformFromEnv } from '../fixtures/platform.ts';

const PLAYER = '0x00000000000000000000000000000000000000cc';
const revert = () =>
  Object.assign(new Error('execution reverted: "FPMM: paused for maintenance"'), {
    code: 'CALL_EXCEPTION',
    reason: 'FPMM: paused for maintenance',
  });

describe('operating the delivery engine', () => {
  let h: DeliveryHarness;
  const operator = () => ({ sql: h.db.sql, queue: h.queue, now: h.deps.now, alerts: h.deps.alerts });
  const status = async (id: number) =>
    (
      await h.db.sql<{ status: string; generation: number; attempt_count: number }[]>`
      select status, generation, attempt_count from delivery.oracle_call_history where id = ${id}`
    )[0];

  beforeAll(async () => {
    h = await startDeliveryHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  async function failedCall(requestId: string, signature = UPDATE_RAFFLE_PROBABILITY) {
    const { call } = await enqueueOracleCall(h.enqueueDeps, {
      requestId,
      contractAddress: h.fpmmAddress,
      functionSignature: signature,
      args: [3, PLAYER, 9],
    });
    h.chain.failEstimate = (request) => (request.data === call.callData ? revert() : undefined);
    await h.drain();
    h.chain.failEstimate = undefined;
    expect((await status(call.id))?.status).toBe('failed');
    return call;
  }

  it('retries a failed call as a new generation with fresh attempts', async () => {
    const call = await failedCall('to-retry');
    const reopened = await retryOracleCall(operator(), call.id, 'oncall');
    expect(reopened).toMatchObject({ status: 'queued', generation: 2, attemptCount: 0 });
    await h.drain();
    await h.settle();
    expect(await status(call.id)).toEqual({ status: 'success', generation: 2, attempt_count: 1 });
    await expect(retryOracleCall(operator(), call.id, 'oncall')).rejects.toBeInstanceOf(ConflictError);
  });

  it('redrives the DLQ: reopens the failed calls named there and skips ones already reopened', async () => {
    const call = await failedCall('to-redrive');
    const report = await redriveOracleCallDeadLetters(operator(), 'oncall');
    // The DLQ also holds the message of the call retried above, which is no longer failed.
    expect(report).toEqual({ received: 2, reopened: 1, skipped: 1, refused: [] });
    await h.drain();
    await h.settle();
    expect(await status(call.id)).toMatchObject({ status: 'success', generation: 2 });
    expect(await redriveOracleCallDeadLetters(operator(), 'oncall')).toEqual({
      received: 0,
      reopened: 0,
      skipped: 0,
      refused: [],
    });
  });

  it('lists calls filtered by status, address and function, and refuses a malformed filter', async () => {
    await failedCall('sentiment-failure', UPDATE_MARKET_SENTIMENT);
    const list = async (query: Record<string, string>) => listCallsRoute(operator(), parseCallsQuery(query));
    const failed = await list({ status: 'failed', address: h.fpmmAddress });
    expect(failed.calls.map((c) => c.requestId)).toEqual(['sentiment-failure']);
    const byFunction = await list({ function: 'updateRaffleProbability' });
    expect(byFunction.calls.map((c) => c.requestId).sort()).toEqual(['to-redrive', 'to-retry']);
    const future = await list({ from: new Date(Date.now() + 86_400_000).toISOString() });
    expect(future.calls).toEqual([]);
    await expect(list({ status: 'exploded' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('serves the admin routes from an API Gateway v2 event', async () => {
    Object.assign(process.env, {
      DATABASE_URL: h.db.url,
      ORACLE_CALLS_QUEUE_URL: h.queue.queueUrl,
      ORACLE_CALLS_DLQ_URL: h.queue.deadLetterQueueUrl,
      SQS_ENDPOINT: h.sqsEndpoint,
    });
    const platform = platformFromEnv();
    const handler = (await import('../../functions/api/admin-oracle-calls/index.ts')).handler.on(platform);
    const list = await handler(makeHttpEvent({ path: '/admin/oracle-calls', query: { status: 'failed' } }));
    expect(list.statusCode).toBe(200);
    const failed = (
      conformingBody('GET /admin/oracle-calls', list) as { calls: { id: number; requestId: string }[] }
    ).calls;
    expect(failed.map((c) => c.requestId)).toEqual(['sentiment-failure']);
    const all = conformingBody(
      'GET /admin/oracle-calls',
      await handler(makeHttpEvent({ path: '/admin/oracle-calls' })),
    ) as { calls: { id: number; status: string }[] };
    const sent = all.calls.find((c) => c.status === 'success');
    const one = await handler(
      makeHttpEvent({ route: 'GET /admin/oracle-calls/{id}', pathParameters: { id: String(sent?.id) } }),
    );
    expect(conformingBody('GET /admin/oracle-calls/{id}', one)).toMatchObject({
      call: { id: sent?.id, status: 'success' },
      attempts: [expect.objectContaining({ callId: sent?.id, outcome: expect.any(String) })],
    });

    const retry = () =>
      handler(
        makeHttpEvent({
          route: 'POST /admin/oracle-calls/{id}/retry',
          pathParameters: { id: String(failed[0]?.id) },
          credential: { credential: 'admin', credentialName: 'oncall' },
        }),
      );
    const retried = await retry();
    expect(retried.statusCode).toBe(202);
    conformingBody('POST /admin/oracle-calls/{id}/retry', retried);
    const again = await retry();
    expect(again.statusCode).toBe(409);
    // One entry, the retry that happened, under the admin token's name; the refused one left none.
    const audit = await h.db.sql`
      select actor, action, before, after from creator.admin_audit_log where target_id = ${String(failed[0]?.id)}`;
    expect(audit).toEqual([
      {
        actor: 'oncall',
        action: 'oracle-call.retry',
        before: expect.objectContaining({ status: 'failed', generation: 1 }),
        after: { status: 'queued', generation: 2, attemptCount: 0 },
      },
    ]);
    const unnamed = await handler(
      makeHttpEvent({
        route: 'POST /admin/oracle-calls/{id}/retry',
        pathParameters: { id: String(failed[0]?.id) },
      }),
    );
    expect(unnamed.statusCode).toBe(401);

    const alerts = await handler(makeHttpEvent({ path: '/admin/alerts' }));
    expect(alerts.statusCode).toBe(200);
    expect(conformingBody('GET /admin/alerts', alerts)).toMatchObject({
      policy: { threshold: 3, cooldownMs: 300_000 },
    });
    expect(
      (await handler(makeHttpEvent({ path: '/admin/oracle-calls', query: { limit: '0' } }))).statusCode,
    ).toBe(400);
    await platform.close();
  });

  it('lists calls from the CLI and refuses a malformed filter with exit code 2', async () => {
    const { run } = await import('../../bin/commands/calls.ts');
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await run(['list', '--function', 'updateMarketSentiment', '--json'])).toBe(0);
      expect(await run(['list', '--status', 'exploded'])).toBe(2);
    } finally {
      write.mockRestore();
      quiet.mockRestore();
    }
    const listed = JSON.parse(out.join('')) as { requestId: string }[];
    expect(listed.map((c) => c.requestId)).toEqual(['sentiment-failure']);
  });

  it('keeps row-level security on every delivery table, with policies for the service and read-only roles', async () => {
    const tables = await h.db.sql<{ relname: string; relrowsecurity: boolean }[]>`
      select c.relname, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'delivery' and c.relkind = 'r' order by c.relname`;
    expect(tables.map((t) => t.relname)).toEqual([
      'admin_alert_state',
      'admin_alerts',
      'oracle_call_history',
      'oracle_tx_attempts',
      'signer_nonces',
    ]);
    expect(tables.every((t) => t.relrowsecurity)).toBe(true);
    const policies = await h.db.sql<{ n: number }[]>`
      select count(*)::int as n from pg_policies where schemaname = 'delivery'`;
    // the service and read-only roles' ten, and the two enqueuers confined to their own calls
    expect(policies[0]?.n).toBe(12);
    const enqueuers = await h.db.sql<{ policyname: string; roles: string[] }[]>`
      select policyname, roles::text[] as roles from pg_policies
      where schemaname = 'delivery' and tablename = 'oracle_call_history'
        and policyname in ('oracle_call_history_creator_calls', 'oracle_call_history_market_mints')
      order by policyname`;
    expect(enqueuers.map((p) => [p.policyname, p.roles])).toEqual([
      ['oracle_call_history_creator_calls', ['oracle_creator']],
      ['oracle_call_history_market_mints', ['oracle_market']],
    ]);
  });

  it('moves messages of another queue back from its DLQ unchanged, keeping their FIFO group', async () => {
    const { moveBack } = await import('../../bin/commands/dlq.ts');
    for (const left of await h.queue.receiveDeadLetters({ maxMessages: 10 })) {
      await h.queue.deleteDeadLetter(left.receiptHandle);
    }
    await h.queue.sendToDeadLetter({
      body: { anything: 'at all' },
      groupId: 'group-a',
      deduplicationId: 'dead-1',
    });
    expect(await moveBack(h.queue)).toBe(1);
    const message = (await h.queue.receive({ maxMessages: 10 })).find((m) => m.groupId === 'group-a');
    expect(message?.body).toEqual({ anything: 'at all' });
    await h.queue.delete(message?.receiptHandle ?? '');
    expect(await h.queue.receiveDeadLetters({ visibilityTimeoutSeconds: 0 })).toEqual([]);
  });
});

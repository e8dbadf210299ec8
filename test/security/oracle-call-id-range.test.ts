/**
 * Found by the route fuzz (fuzz-routes.test.ts): an oracle call id the schema took as a positive
 * integer but PostgreSQL's bigint cannot hold made the admin routes answer 500 from the database
 * error. An id is a bigint; anything past what a JSON number holds exactly is refused as input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpEvent, HttpResult } from '../../functions/api/http.ts';
import type { Platform } from '../../functions/platform.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { makeHttpEvent } from '../fixtures/http-event.ts';
import { platformFromEnv } from '../fixtures/platform.ts';

const PAST_BIGINT = '99999999999999999999999';

let t: TestDatabase;
let platform: Platform;
let handler: (event: HttpEvent) => Promise<HttpResult>;

beforeAll(async () => {
  t = await createTestDatabase();
  Object.assign(process.env, {
    ORACLE_MODE: 'local',
    DATABASE_URL: t.url,
    // never reached: every request here is refused before anything is queued
    ORACLE_CALLS_QUEUE_URL: 'http://127.0.0.1:9/000000000000/oracle-calls.fifo',
    LOG_LEVEL: 'SILENT',
  });
  platform = platformFromEnv();
  handler = (await import('../../functions/api/admin-oracle-calls/index.ts')).handler.on(platform);
});

afterAll(async () => {
  await platform.close();
  await t.close();
});

const errorOf = (result: HttpResult) => (JSON.parse(result.body) as { error: { message: string } }).error;

describe('oracle call ids past bigint', () => {
  it('an admin retrying call 99999999999999999999999 gets a 400 naming the id, not a 500', async () => {
    const result = await handler(
      makeHttpEvent({
        route: 'POST /admin/oracle-calls/{id}/retry',
        pathParameters: { id: PAST_BIGINT },
        credential: { credential: 'admin', credentialName: 'oncall' },
      }),
    );
    expect(result.statusCode).toBe(400);
    expect(errorOf(result).message).toMatch(/^call id: /);
  });

  it('reading call 99999999999999999999999 or paging before it answers 400, not 500', async () => {
    const one = await handler(
      makeHttpEvent({ route: 'GET /admin/oracle-calls/{id}', pathParameters: { id: PAST_BIGINT } }),
    );
    expect(one.statusCode).toBe(400);
    const page = await handler(
      makeHttpEvent({ path: '/admin/oracle-calls', query: { before: PAST_BIGINT } }),
    );
    expect(page.statusCode).toBe(400);
    expect(errorOf(page).message).toMatch(/before/);
  });
});

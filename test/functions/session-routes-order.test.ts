/**
 * A route that acts for a signed-in session answers a bad request in the order it always did:
 * the session first (401 without one, or for one unknown), then the input (400 naming the
 * problem). Reading the request before the dependencies (functions/handlers.ts `httpRoute`) leaves
 * that order as it was: the handler meets the problem, read once, after authenticating.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpEvent, HttpResult } from '../../functions/api/http.ts';
import type { Platform } from '../../functions/platform.ts';
import type { RateLimiter } from '../../layers/shared/src/ports/rate-limiter.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { makeHttpEvent } from '../fixtures/http-event.ts';
import { platformFromEnv } from '../fixtures/platform.ts';

const ADDRESS = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
const allowAll: RateLimiter = {
  hit: async () => ({ allowed: true, count: 1, retryAfterSeconds: 60 }),
  hitEach: async (_key, windows) => windows.map(() => ({ allowed: true, count: 1, retryAfterSeconds: 60 })),
};

let t: TestDatabase;
let platform: Platform;
let claims: (event: HttpEvent) => Promise<HttpResult>;
let history: (event: HttpEvent) => Promise<HttpResult>;
let viewerSession: string;
let marketSession: string;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const token = () => randomBytes(32).toString('base64url');

function answer(result: HttpResult): { status: number; code: string; message: string } {
  const { error } = JSON.parse(result.body) as { error: { code: string; message: string } };
  return { status: result.statusCode, code: error.code, message: error.message };
}

beforeAll(async () => {
  t = await createTestDatabase({ max: 2 });
  Object.assign(process.env, { LOG_LEVEL: 'SILENT', DATABASE_URL: t.url });
  platform = platformFromEnv({ rateLimiter: allowAll });
  claims = (await import('../../functions/api/claims/index.ts')).handler.on(platform);
  history = (await import('../../functions/api/market/notifications-history/index.ts')).handler.on(platform);
  viewerSession = token();
  marketSession = token();
  await t.sql`
    insert into attention.viewer_sessions (token_hash, twitch_user_id, login, authorized_at, expires_at)
    values (${sha256(viewerSession)}, '1001', 'alice_1', now(), now() + interval '1 hour')`;
  await t.sql`
    insert into market.sessions (token_hash, address, created_at, expires_at)
    values (${sha256(marketSession)}, ${ADDRESS}, now(), now() + interval '1 hour')`;
});

afterAll(async () => {
  await platform.close();
  await t.close();
});

describe('POST /claims/{user}/transactions (a viewer session)', () => {
  const route = 'POST /claims/{user}/transactions';
  const malformed = (headers: Record<string, string> = {}) =>
    makeHttpEvent({ route, pathParameters: { user: 'not a login!' }, headers });

  it('a malformed request without a session: 401, as before', async () => {
    expect(answer(await claims(malformed()))).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
  });

  it('a malformed request with an unknown session: 401', async () => {
    expect(answer(await claims(malformed(bearer(token()))))).toMatchObject({ status: 401 });
  });

  it('a malformed request with a live session: 400 naming the problem', async () => {
    const refused = answer(await claims(malformed(bearer(viewerSession))));
    expect(refused).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(refused.message).toMatch(/^user/);
  });
});

describe('GET /api/notifications/history/{userId} (a market session)', () => {
  const route = 'GET /api/notifications/history/{userId}';
  const malformed = (headers: Record<string, string> = {}) =>
    makeHttpEvent({ route, pathParameters: { userId: ADDRESS }, query: { limit: '0' }, headers });

  it('a malformed request without a session: 401, as before', async () => {
    expect(answer(await history(malformed()))).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
  });

  it('a malformed request with an unknown session: 401', async () => {
    expect(answer(await history(malformed(bearer(token()))))).toMatchObject({ status: 401 });
  });

  it('a malformed request with a live session: 400 naming the problem', async () => {
    const refused = answer(await history(malformed(bearer(marketSession))));
    expect(refused).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(refused.message).toMatch(/^limit/);
  });

  it('a well-formed request with a live session: answered', async () => {
    const result = await history(
      makeHttpEvent({ route, pathParameters: { userId: ADDRESS }, headers: bearer(marketSession) }),
    );
    expect(result.statusCode, result.body).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ userId: ADDRESS, notifications: [] });
  });
});

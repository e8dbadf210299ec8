/**
 * Found by the route fuzz (fuzz-routes.test.ts): a string holding a lone UTF-16 surrogate
 * (`"\ud800"` in the request's JSON) parses in JavaScript, but PostgreSQL refuses it inside jsonb
 * ("Unicode low surrogate must follow a high surrogate"), so a subscription's params carrying one
 * answered 500. Input that is not well-formed Unicode is refused as input, naming the field.
 */
import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MarketApi, startMarketApi } from '../fixtures/market-api.ts';

let api: MarketApi;

beforeAll(async () => {
  api = await startMarketApi();
});
afterAll(() => api.close());

const errorOf = (body: unknown) => (body as { error: { message: string } }).error;

describe('lone surrogates in text input', () => {
  it('a subscription whose params hold "\\ud800" answers 400 naming the param, and nothing is stored', async () => {
    const wallet = Wallet.createRandom();
    const headers = await api.signIn(wallet);
    const answer = await api.request('POST', '/api/notifications/subscribe', {
      headers,
      body: {
        trigger: 'creator_milestone',
        params: { creator: `0x${'1'.repeat(40)}`, label: 'high \ud800 alone' },
      },
    });

    expect(answer.status).toBe(400);
    expect(errorOf(answer.body).message).toMatch(/^params\.label: /);
    const [row] = await api.db.sql`select count(*)::int as n from market.notification_subscriptions`;
    expect(row?.['n']).toBe(0);
  });

  it('a low surrogate with no high one before it, in a key, is refused the same way', async () => {
    const headers = await api.signIn(Wallet.createRandom());
    const answer = await api.request('POST', '/api/notifications/subscribe', {
      headers,
      body: { trigger: 'creator_milestone', params: { creator: `0x${'2'.repeat(40)}`, ['\udc00key']: 'x' } },
    });

    expect(answer.status).toBe(400);
    expect(errorOf(answer.body).message).toMatch(/^params: /);
  });
});

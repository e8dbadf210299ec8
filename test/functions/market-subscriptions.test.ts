import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conformingBody } from '../fixtures/api-contract.ts';
import { type MarketApi, startMarketApi } from '../fixtures/market-api.ts';

let api: MarketApi;

beforeAll(async () => {
  api = await startMarketApi({ NOTIFICATIONS_MAX_SUBSCRIPTIONS_PER_USER: '2' });
});
afterAll(() => api.close());

const milestone = (n: number) => ({
  trigger: 'creator_milestone',
  params: { creator: `0x${String(n).padStart(40, '0')}` },
});

describe("a market user's subscriptions", () => {
  it('lists the active ones, ends one on unsubscribe, and gives its room back under the cap', async () => {
    const headers = await api.signIn(Wallet.createRandom());
    const first = await api.request('POST', '/api/notifications/subscribe', { headers, body: milestone(1) });
    await api.request('POST', '/api/notifications/subscribe', { headers, body: milestone(2) });
    const full = await api.request('POST', '/api/notifications/subscribe', { headers, body: milestone(3) });
    expect(full.status).toBe(409);

    const { subscriptionId } = first.body as { subscriptionId: string };
    const ended = await api.request('POST', '/api/notifications/unsubscribe', {
      headers,
      body: { subscriptionId },
    });
    const listed = await api.request('GET', '/api/notifications/subscriptions', { headers });
    const third = await api.request('POST', '/api/notifications/subscribe', { headers, body: milestone(3) });

    expect(ended.body).toEqual({ subscriptionId, active: false });
    const { subscriptions } = conformingBody('GET /api/notifications/subscriptions', {
      statusCode: listed.status,
      body: listed.text,
    }) as { subscriptions: { params: { creator: string } }[] };
    expect(subscriptions.map((s) => s.params.creator)).toEqual([milestone(2).params.creator]);
    expect(third.status).toBe(201);
  });

  it("cannot end another user's subscription", async () => {
    const owner = await api.signIn(Wallet.createRandom());
    const made = await api.request('POST', '/api/notifications/subscribe', {
      headers: owner,
      body: milestone(9),
    });
    const { subscriptionId } = made.body as { subscriptionId: string };
    const stranger = await api.signIn(Wallet.createRandom());

    const answer = await api.request('POST', '/api/notifications/unsubscribe', {
      headers: stranger,
      body: { subscriptionId },
    });

    expect(answer.status).toBe(404);
    const [row] = await api.db
      .sql`select active from market.notification_subscriptions where id = ${subscriptionId}`;
    expect(row?.['active']).toBe(true);
  });
});

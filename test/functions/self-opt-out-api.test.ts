/**
 * A viewer opts themself out with the session of their Twitch sign-in, through the
 * SuppressionsApi handler: collection stops, the wallet binding goes (kept in the history and
 * announced), the carried balance stays theirs, and they may lift their own opt-out but not an
 * admin's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpEvent, HttpResult } from '../../functions/api/http.ts';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import { writeIngestBatch } from '../../layers/shared/src/services/attention/ingest-writer.ts';
import { BASE_EPOCH_MS, makeEvent } from '../fixtures/events.ts';
import { makeHttpEvent } from '../fixtures/http-event.ts';
import { makeWallet } from '../fixtures/wallet-binding-client.ts';
import { startWalletsApi, type WalletsApiUnderTest } from '../fixtures/wallets-api.ts';

let api: WalletsApiUnderTest;
let suppressions: (event: HttpEvent) => Promise<HttpResult>;

function call(
  method: 'POST' | 'DELETE',
  path: string,
  options: { session?: string; body?: unknown; admin?: string } = {},
) {
  const event = makeHttpEvent({
    method,
    path,
    ...(options.session === undefined ? {} : { headers: { authorization: `Bearer ${options.session}` } }),
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  // An admin route runs behind the authorizer, which names the admin token in the context.
  const requestContext =
    options.admin === undefined
      ? event.requestContext
      : {
          ...event.requestContext,
          authorizer: { lambda: { credential: 'admin', credentialName: options.admin } },
        };
  return suppressions({ ...event, requestContext, routeKey: `${method} ${path}` } as HttpEvent);
}

async function participationOf(login: string): Promise<number> {
  const [row] = await api.t.sql<{ n: number }[]>`
    select count(*)::int as n from attention.channel_participation where user_hash = ${userHash(login)}`;
  return row?.n ?? 0;
}

async function suppressionOf(login: string) {
  const [row] = await api.t.sql<{ requested_by: string }[]>`
    select requested_by from attention.suppression_list where user_hash = ${userHash(login)}`;
  return row;
}

/** The viewer signs in and binds a fresh wallet through the API. */
async function signInAndBind(login: string) {
  const credential = await api.client.signIn(login);
  const bound = await api.client.bind(credential, makeWallet());
  expect(bound.statusCode, bound.body).toBe(201);
  return credential;
}

beforeAll(async () => {
  api = await startWalletsApi({ deployment: { stage: 'prod', apiOrigin: 'https://api.example' } });
  suppressions = (await import('../../functions/api/suppressions/index.ts')).handler.on(api.platform);
});

afterAll(() => api.close());

describe('POST /suppressions/self', () => {
  it("stops collection, removes the viewer's binding in the same transaction, keeps their carried balance", async () => {
    const alice = await signInAndBind('optout_alice');
    await api.t.sql`
      insert into attention.carried_balances (user_hash, token_group, amount)
      values (${userHash('optout_alice')}, 'MILO', 1234)`;
    const during = new Date(BASE_EPOCH_MS + 60_000);
    await writeIngestBatch(
      api.t.sql,
      [
        makeEvent({ channel: 'optout_chan', user: 'optout_alice', ts: BASE_EPOCH_MS + 1000 }),
        makeEvent({ channel: 'optout_chan', user: 'optout_bob', ts: BASE_EPOCH_MS + 2000 }),
      ],
      during,
    );
    expect(await participationOf('optout_alice')).toBe(1);

    const result = await call('POST', '/suppressions/self', { session: alice.value });
    expect(result.statusCode, result.body).toBe(201);
    expect(JSON.parse(result.body)).toEqual({
      userHash: userHash('optout_alice'),
      alreadySuppressed: false,
      participationRowsDeleted: 1,
      mappingDeleted: true,
      bindingRemoved: true,
    });

    expect((await api.client.lookup('optout_alice')).statusCode).toBe(404);
    const [history] = await api.t.sql<{ end_reason: string; next_wallet: string | null }[]>`
      select end_reason, next_wallet from attention.wallet_binding_history where user_hash = ${userHash('optout_alice')}`;
    expect(history).toEqual({ end_reason: 'opted-out', next_wallet: null });
    expect(api.bus.ofType('WalletRebound')).toContainEqual(
      expect.objectContaining({ userHash: userHash('optout_alice'), wallet: null, reason: 'opted-out' }),
    );

    const later = await writeIngestBatch(
      api.t.sql,
      [
        makeEvent({
          channel: 'optout_chan',
          user: 'optout_alice',
          kind: 'bits',
          amount: 500,
          ts: BASE_EPOCH_MS + 3000,
        }),
        makeEvent({
          channel: 'optout_chan',
          user: 'optout_bob',
          kind: 'bits',
          amount: 500,
          ts: BASE_EPOCH_MS + 4000,
        }),
      ],
      during,
    );
    expect(later.suppressed).toBe(1);
    expect(await participationOf('optout_alice')).toBe(0);
    expect(await participationOf('optout_bob')).toBe(1);

    const [carried] = await api.t.sql<{ amount: string }[]>`
      select amount::text as amount from attention.carried_balances where user_hash = ${userHash('optout_alice')}`;
    expect(carried?.amount).toBe('1234');

    const again = await call('POST', '/suppressions/self', { session: alice.value });
    expect(again.statusCode).toBe(200);
    expect(JSON.parse(again.body)).toMatchObject({ alreadySuppressed: true, bindingRemoved: false });
  });

  it('cannot opt someone else out: the session decides who, a body naming another user is refused', async () => {
    await signInAndBind('optout_carol');
    const mallory = await api.client.signIn('optout_mallory');
    const refused = await call('POST', '/suppressions/self', {
      session: mallory.value,
      body: { user: 'optout_carol' },
    });
    expect(refused.statusCode).toBe(400);
    expect(await suppressionOf('optout_carol')).toBeUndefined();
    expect((await api.client.lookup('optout_carol')).statusCode).toBe(200);
    expect(await suppressionOf('optout_mallory')).toBeUndefined();

    expect((await call('POST', '/suppressions/self')).statusCode).toBe(401);
    expect((await call('POST', '/suppressions/self', { session: 'x'.repeat(43) })).statusCode).toBe(401);
    expect(await suppressionOf('optout_carol')).toBeUndefined();
  });

  it('binds no wallet while opted out; the viewer lifts their own opt-out and binds again', async () => {
    const dave = await signInAndBind('optout_dave');
    expect((await call('POST', '/suppressions/self', { session: dave.value })).statusCode).toBe(201);

    const whileOut = await api.client.bind(await api.client.signIn('optout_dave'), makeWallet());
    expect(whileOut.statusCode).toBe(409);
    expect(whileOut.body).toMatch(/opted out/);
    expect((await api.client.lookup('optout_dave')).statusCode).toBe(404);

    const lifted = await call('DELETE', '/suppressions/self', { session: dave.value });
    expect(lifted.statusCode, lifted.body).toBe(200);
    expect(await suppressionOf('optout_dave')).toBeUndefined();
    expect((await call('DELETE', '/suppressions/self', { session: dave.value })).statusCode).toBe(409);

    const rebound = await api.client.bind(await api.client.signIn('optout_dave'), makeWallet());
    expect(rebound.statusCode, rebound.body).toBe(201);
  });

  it("does not let a viewer lift an admin's suppression", async () => {
    const erin = await signInAndBind('optout_erin');
    const admin = await call('POST', '/suppressions', {
      body: { user: 'optout_erin', reason: 'abuse' },
      admin: 'oncall',
    });
    expect(admin.statusCode, admin.body).toBe(201);
    expect(JSON.parse(admin.body)).toMatchObject({ bindingRemoved: true });

    const lift = await call('DELETE', '/suppressions/self', { session: erin.value });
    expect(lift.statusCode).toBe(403);
    expect(await suppressionOf('optout_erin')).toEqual({ requested_by: 'admin' });
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpResult } from '../../functions/api/http.ts';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import {
  announceWalletRebindings,
  bindWalletDirect,
} from '../../layers/shared/src/services/attention/wallet-binding.ts';
import type { TwitchFixture } from '../../local/twitch-fixture.ts';
import { conformingBody } from '../fixtures/api-contract.ts';
import type { TestDatabase } from '../fixtures/db.ts';
import type { RecordingBus } from '../fixtures/event-bus.ts';
import { makeWallet, type WalletBindingClient } from '../fixtures/wallet-binding-client.ts';
import { startWalletsApi, type WalletsApiUnderTest } from '../fixtures/wallets-api.ts';

const DEPLOYMENT = { stage: 'dev', apiOrigin: 'https://api.dev.oracle.example.test' };

let api: WalletsApiUnderTest;
let t: TestDatabase;
let twitch: TwitchFixture;
let client: WalletBindingClient;
let bus: RecordingBus;

beforeAll(async () => {
  api = await startWalletsApi({ deployment: DEPLOYMENT });
  ({ t, twitch, client, bus } = api);
});

afterAll(() => api.close());

beforeEach(() => {
  bus.down = false;
  bus.events.length = 0;
});

const error = (result: HttpResult) =>
  (JSON.parse(result.body) as { error: { message: string } }).error.message;

async function history(login: string) {
  return t.sql<
    { wallet: string; end_reason: string; next_wallet: string | null; twitch_user_id: string | null }[]
  >`
    select wallet, end_reason, next_wallet, twitch_user_id from attention.wallet_binding_history
    where user_hash = ${userHash(login)} order by id`;
}

describe('POST /wallets/bind', () => {
  it('binds the signed-in Twitch user’s login to a wallet whose signature over the canonical message verifies', async () => {
    const user = twitch.setUser('alice_viewer', '52001');
    const viewer = await client.signIn('alice_viewer');
    const wallet = makeWallet();
    const result = await client.bind(viewer, wallet);
    expect(result.statusCode).toBe(201);
    expect(conformingBody('POST /wallets/bind', result)).toMatchObject({
      username: 'alice_viewer',
      twitchUserId: user.id,
      wallet: wallet.address,
      userHash: userHash('alice_viewer'),
    });
    const found = await client.lookup('alice_viewer');
    expect(conformingBody('GET /wallets/{user}', found)).toMatchObject({ wallet: wallet.address });
    const [row] = await t.sql<{ twitch_user_id: string; authorized_at: string }[]>`
      select twitch_user_id, authorized_at::text from attention.wallet_bindings where user_hash = ${userHash('alice_viewer')}`;
    expect(row?.twitch_user_id).toBe(user.id);
    expect(new Date(row?.authorized_at ?? '').toISOString()).toBe(viewer.authorizedAt);
    expect(bus.ofType('WalletRebound')).toEqual([]);
  });

  it('accepts a base64 signature; a rebinding after a new sign-in replaces the wallet and is announced', async () => {
    const first = makeWallet();
    await client.bind(await client.signIn('bob_viewer'), first);
    const viewer = await client.signIn('bob_viewer');
    const second = makeWallet();
    const result = await client.post(client.signedBody(viewer, second, { base64: true }), viewer.value);
    expect(result.statusCode).toBe(201);
    expect(await client.walletOf(userHash('bob_viewer'))).toBe(second.address);
    expect(await history('bob_viewer')).toEqual([
      expect.objectContaining({ wallet: first.address, end_reason: 'rebound', next_wallet: second.address }),
    ]);
    expect(bus.ofType('WalletRebound')).toEqual([
      expect.objectContaining({
        userHash: userHash('bob_viewer'),
        previousWallet: first.address,
        wallet: second.address,
        reason: 'rebound',
      }),
    ]);
  });

  it('refuses a signature that is not the wallet’s, or one made for another Twitch user', async () => {
    const viewer = await client.signIn('carol_viewer');
    const body = client.signedBody(viewer, makeWallet());
    const foreign = client.signedBody(viewer, makeWallet());
    const wrong = await client.post({ ...body, signature: foreign.signature }, viewer.value);
    expect(wrong.statusCode).toBe(401);
    expect(error(wrong)).toMatch(/signature does not verify/);
    const forOther = client.signedBody({ login: 'carol_viewer', twitchUserId: '999' }, makeWallet());
    expect((await client.post(forOther, viewer.value)).statusCode).toBe(401);
    expect((await client.lookup('carol_viewer')).statusCode).toBe(404);
  });

  it('refuses an expired message, and one that expires more than an hour ahead', async () => {
    const viewer = await client.signIn('erin_viewer');
    const expired = await client.post(
      client.signedBody(viewer, makeWallet(), { expiresInMs: -1000 }),
      viewer.value,
    );
    expect(expired.statusCode).toBe(400);
    expect(error(expired)).toMatch(/expired at/);
    const tooLong = await client.post(
      client.signedBody(viewer, makeWallet(), { expiresInMs: 2 * 3_600_000 }),
      viewer.value,
    );
    expect(tooLong.statusCode).toBe(400);
    expect(error(tooLong)).toMatch(/at most 1 hour ahead/);
  });

  it('accepts a nonce once: replaying a signed message is a conflict', async () => {
    const viewer = await client.signIn('frank_viewer');
    const body = client.signedBody(viewer, makeWallet());
    expect((await client.post(body, viewer.value)).statusCode).toBe(201);
    const replay = await client.post(body, viewer.value);
    expect(replay.statusCode).toBe(409);
    expect(error(replay)).toMatch(/nonce was already used/);
  });

  it('answers 401 without a viewer session, naming how to get one, and writes nothing', async () => {
    const viewer = await client.signIn('grace_viewer');
    const body = client.signedBody(viewer, makeWallet());
    const none = await client.post(body);
    expect(none.statusCode).toBe(401);
    expect(error(none)).toMatch(/sign in with Twitch first .*Authorization: Bearer <session>/);
    const made = await client.post(body, 'A'.repeat(43));
    expect(made.statusCode).toBe(401);
    expect(
      await t.sql`select 1 from attention.wallet_binding_nonces where nonce = ${body.nonce}`,
    ).toHaveLength(0);
    // The failed attempts did not use up the nonce.
    expect((await client.post(body, viewer.value)).statusCode).toBe(201);
  });

  it('answers 400 naming the field for a malformed request', async () => {
    const viewer = await client.signIn('henry_viewer');
    const body = client.signedBody(viewer, makeWallet());
    for (const [request, message] of [
      [{ ...body, wallet: 'not base58 0OIl' }, /wallet must be a base58/],
      [{ ...body, expiresAt: '2026-01-01 10:00' }, /expiresAt must be an ISO-8601 UTC time/],
      [{ ...body, signature: 'abc' }, /signature must be 64 bytes/],
      [{ ...body, nonce: 'short' }, /nonce must be 8–128 characters/],
      [{ ...body, signature: undefined }, /signature is required/],
      [{ ...body, twitchToken: 'abc' }, /Unrecognized key/],
    ] as const) {
      const result = await client.post(request, viewer.value);
      expect(result.statusCode).toBe(400);
      expect(error(result)).toMatch(message);
    }
    expect((await client.lookup('henry_viewer')).statusCode).toBe(404);
  });

  it('moves a renamed user’s binding to the new login, leaving the old login without a wallet', async () => {
    twitch.setUser('old_name_viewer', '52500');
    const before = makeWallet();
    await client.bind(await client.signIn('old_name_viewer'), before);
    twitch.setUser('new_name_viewer', '52500');
    const after = makeWallet();
    expect((await client.bind(await client.signIn('new_name_viewer'), after)).statusCode).toBe(201);
    expect(await client.walletOf('old_name_viewer')).toBeUndefined();
    expect(await client.walletOf('new_name_viewer')).toBe(after.address);
    expect(bus.ofType('WalletRebound')).toEqual([
      expect.objectContaining({
        userHash: userHash('old_name_viewer'),
        previousWallet: before.address,
        wallet: null,
        reason: 'login-changed',
      }),
    ]);
  });

  it('replaces a binding made before sign-in existed when its login binds through sign-in', async () => {
    const legacy = makeWallet();
    await bindWalletDirect(t.sql, 'legacy_viewer', legacy.address, new Date(Date.now() - 86_400_000));
    const now = makeWallet();
    expect((await client.bind(await client.signIn('legacy_viewer'), now)).statusCode).toBe(201);
    expect(await history('legacy_viewer')).toEqual([
      {
        wallet: legacy.address,
        end_reason: 'legacy-replaced',
        next_wallet: now.address,
        twitch_user_id: null,
      },
    ]);
  });

  it('keeps one binding per login when two accounts bind it at the same moment', async () => {
    twitch.setUser('raced_login', '53001');
    const first = await client.signIn('raced_login');
    twitch.setUser('raced_login', '53002');
    const second = await client.signIn('raced_login');
    const results = await Promise.all([client.bind(first, makeWallet()), client.bind(second, makeWallet())]);
    expect(results.map((r) => r.statusCode)).toEqual([201, 201]);
    const rows =
      await t.sql`select 1 from attention.wallet_bindings where user_hash = ${userHash('raced_login')}`;
    expect(rows).toHaveLength(1);
    expect((await history('raced_login')).map((h) => h.end_reason)).toEqual(['login-reused']);
  });

  it('binds while the event bus is down, and announces the ended binding once it is back', async () => {
    await client.bind(await client.signIn('outage_viewer'), makeWallet());
    bus.down = true;
    expect((await client.bind(await client.signIn('outage_viewer'), makeWallet())).statusCode).toBe(201);
    expect(bus.ofType('WalletRebound')).toEqual([]);
    bus.down = false;
    expect(await announceWalletRebindings({ sql: t.sql, events: bus }, new Date())).toBeGreaterThanOrEqual(1);
    expect(bus.ofType('WalletRebound').map((e) => e.userHash)).toContain(userHash('outage_viewer'));
    expect(await announceWalletRebindings({ sql: t.sql, events: bus }, new Date())).toBe(0);
  });
});

describe('GET /wallets/{user}', () => {
  it('answers 404 for a user with no wallet and 400 for something that is not a user', async () => {
    const missing = await client.lookup('nobody_here');
    expect(missing.statusCode).toBe(404);
    expect(error(missing)).toMatch(/no wallet is bound for nobody_here/);
    expect((await client.lookup('no')).statusCode).toBe(400);
  });
});

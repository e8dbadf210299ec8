/**
 * C1 (issue 17): whoever proves a Twitch identity to the bind route collects that viewer's
 * leaves and carried balance. Each test performs one way of taking someone else's, through the
 * WalletsApi handler against the Twitch fixture and a real database.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpResult } from '../../functions/api/http.ts';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import { SILENT_TELEMETRY } from '../../layers/shared/src/ports/telemetry.ts';
import { ClaimsReader } from '../../layers/shared/src/services/attention/claims.ts';
import { writeIngestBatch } from '../../layers/shared/src/services/attention/ingest-writer.ts';
import { finalizeEpoch } from '../../layers/shared/src/services/attention/sealing.ts';
import type { TwitchFixture } from '../../local/twitch-fixture.ts';
import { testAttentionSettings } from '../fixtures/attention-settings.ts';
import type { TestDatabase } from '../fixtures/db.ts';
import type { RecordingBus } from '../fixtures/event-bus.ts';
import { HOUR_MS, makeEvent } from '../fixtures/events.ts';
import { makeWallet, type WalletBindingClient } from '../fixtures/wallet-binding-client.ts';
import { startWalletsApi, type WalletsApiUnderTest } from '../fixtures/wallets-api.ts';

const DEPLOYMENT = { stage: 'prod', apiOrigin: 'https://api.oracle.example.test' };
const OTHER_DEPLOYMENT = { stage: 'dev', apiOrigin: 'https://dev-api.oracle.example.test' };

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

const statuses = (results: readonly HttpResult[]) => results.map((r) => r.statusCode);

describe('wallet binding attacks', () => {
  it('a token issued to another Twitch app cannot bind a wallet', async () => {
    const victim = twitch.userOf('victim_other_app');
    // Leaked by a chat bot or an overlay the victim once signed in to.
    const leaked = twitch.issueUserToken({
      login: victim.login,
      userId: victim.id,
      scopes: ['chat:read'],
      clientId: 'some-overlay-app',
    });
    const attempts = await client.bindWithTwitchToken(victim.login, leaked, makeWallet());
    expect(statuses(attempts)).toEqual(attempts.map(() => 401));
    expect(await client.walletOf(victim.login)).toBeUndefined();
  });

  it('a client-pasted token is refused, even one issued to this deployment’s own app', async () => {
    const victim = twitch.userOf('victim_pasted');
    // From a phishing "Sign in with Twitch" page that used this deployment's public client id.
    const phished = twitch.issueUserToken({ login: victim.login, userId: victim.id, scopes: [] });
    const attempts = await client.bindWithTwitchToken(victim.login, phished, makeWallet());
    expect(statuses(attempts)).toEqual(attempts.map(() => 401));
    expect(await client.walletOf(victim.login)).toBeUndefined();
  });

  it('a signature made for another deployment is refused', async () => {
    const viewer = await client.signIn('viewer_two_stages');
    const wallet = makeWallet();
    const result = await client.bind(viewer, wallet, { signedFor: OTHER_DEPLOYMENT });
    expect(result.statusCode).toBe(401);
    expect(await client.walletOf('viewer_two_stages')).toBeUndefined();
  });

  it('a rebinding without a fresh authorization is refused', async () => {
    const victimWallet = makeWallet();
    const credential = await client.signIn('victim_rebind');
    expect((await client.bind(credential, victimWallet)).statusCode).toBe(201);
    // The same credential, leaked after the binding, is used to move the rewards elsewhere.
    const stolen = await client.bind(credential, makeWallet());
    expect(stolen.statusCode).toBe(401);
    expect(await client.walletOf('victim_rebind')).toBe(victimWallet.address);
    // The viewer themself, signed in again, can rebind.
    const fresh = makeWallet();
    expect((await client.bind(await client.signIn('victim_rebind'), fresh)).statusCode).toBe(201);
    expect(await client.walletOf('victim_rebind')).toBe(fresh.address);
  });

  it('a reused login (same user_hash, new user id) ends the older binding rather than both being valid', async () => {
    const login = 'reused_login_1';
    // The login chatted in an epoch that is over; its tree is built after both bindings.
    const epochMs = Math.floor((Date.now() - 2 * HOUR_MS) / HOUR_MS) * HOUR_MS;
    await writeIngestBatch(
      t.sql,
      [makeEvent({ channel: 'reuse_channel', user: login, ts: epochMs + 60_000 })],
      new Date(epochMs + 120_000),
    );
    const formerOwner = makeWallet();
    twitch.setUser(login, '31000001');
    expect((await client.bind(await client.signIn(login), formerOwner)).statusCode).toBe(201);
    // The account renamed itself; Twitch gave the login to another account, which binds too.
    twitch.setUser(login, '31000002');
    const newOwner = makeWallet();
    expect((await client.bind(await client.signIn(login), newOwner)).statusCode).toBe(201);

    await finalizeEpoch(
      {
        telemetry: SILENT_TELEMETRY,
        sql: t.sql,
        settings: testAttentionSettings({ baseUnitsPerWeight: 1000n }),
      },
      epochMs / 1000,
      new Date(),
    );
    const leaf = await new ClaimsReader(t.sql).claim(String(epochMs / 1000), 'reuse_channel', login);
    expect(leaf.claimer).toBe(newOwner.address);
    const [tree] = await t.sql<{ leaf_count: number }[]>`
      select leaf_count from attention.merkle_trees where epoch = ${epochMs / 1000} and channel = 'reuse_channel'`;
    expect(tree?.leaf_count).toBe(1);
    expect(await client.walletOf(login)).toBe(newOwner.address);
    const ended = bus.events
      .map((event) => event as unknown as Record<string, unknown>)
      .filter((event) => event['type'] === 'WalletRebound' && event['userHash'] === userHash(login));
    expect(ended).toEqual([
      expect.objectContaining({
        previousWallet: formerOwner.address,
        wallet: newOwner.address,
        reason: 'login-reused',
      }),
    ]);
  });

  it('a replayed state or code is refused', async () => {
    const captured = await client.captureSignIn('victim_replay');
    const own = await client.redeem(captured);
    expect(own.credential).toBeDefined();
    // The redirect that carried the code and state is read back from the victim's browser history.
    const replayed = await client.redeem(captured);
    expect(replayed).toEqual({ status: 401 });
    const withFreshState = await client.redeem(captured, { freshState: true });
    expect(withFreshState).toEqual({ status: 401 });
    // A used state stays used, even paired with a code Twitch would still accept.
    const unusedCode = (await client.captureSignIn('victim_replay')).code;
    expect(await client.redeem({ ...captured, code: unusedCode })).toEqual({ status: 401 });
    expect(await client.walletOf('victim_replay')).toBeUndefined();
  });
});

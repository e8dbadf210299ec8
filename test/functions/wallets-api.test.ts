import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import bs58 from 'bs58';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpEvent, HttpResult } from '../../functions/api/http.ts';
import { userHash } from '../../layers/shared/src/core/attention/user-hash.ts';
import { canonicalBindingMessage } from '../../layers/shared/src/services/wallet-binding.ts';
import { startTwitchFixture, type TwitchFixture } from '../../local/twitch-fixture.ts';
import { conformingBody } from '../fixtures/api-contract.ts';
import { createTestDatabase, type TestDatabase } from '../fixtures/db.ts';
import { makeHttpEvent } from '../fixtures/http-event.ts';

let t: TestDatabase;
let twitch: TwitchFixture;
let handler: (event: HttpEvent) => Promise<HttpResult>;

beforeAll(async () => {
  t = await createTestDatabase();
  twitch = await startTwitchFixture();
  Object.assign(process.env, {
    ORACLE_MODE: 'local',
    DATABASE_URL: t.url,
    TWITCH_AUTH_URL: twitch.authUrl,
    TWITCH_HELIX_URL: twitch.helixUrl,
    LOG_LEVEL: 'SILENT',
  });
  const { resetConfigForTests } = await import('../../layers/shared/src/config.ts');
  resetConfigForTests();
  ({ handler } = await import('../../functions/api/wallets/index.ts'));
});

afterAll(async () => {
  const { resetDependencies } = await import('../../functions/dependencies.ts');
  await resetDependencies();
  await twitch.close();
  await t.close();
});

interface Signed {
  username: string;
  wallet: string;
  nonce: string;
  expiresAt: string;
  signature: string;
  twitchToken: string;
}

/** A binding request signed by a fresh wallet, with a Twitch token of `username`. */
function signedRequest(
  username: string,
  overrides: { expiresInMs?: number; nonce?: string; base64?: boolean } = {},
): Signed {
  const secret = ed25519.utils.randomPrivateKey();
  const wallet = bs58.encode(ed25519.getPublicKey(secret));
  const nonce = overrides.nonce ?? randomBytes(12).toString('hex');
  const expiresAt = new Date(Date.now() + (overrides.expiresInMs ?? 10 * 60_000)).toISOString();
  const message = canonicalBindingMessage({ username, wallet, nonce, expiresAt });
  const signature = ed25519.sign(new TextEncoder().encode(message), secret);
  return {
    username,
    wallet,
    nonce,
    expiresAt,
    signature: overrides.base64 === true ? Buffer.from(signature).toString('base64') : bs58.encode(signature),
    twitchToken: twitch.issueUserToken({ login: username, userId: '1', scopes: [] }),
  };
}

const bind = (body: unknown) =>
  handler({
    ...makeHttpEvent({ method: 'POST', path: '/wallets/bind', body: JSON.stringify(body) }),
    routeKey: 'POST /wallets/bind',
  });
const lookup = (user: string) =>
  handler({
    ...makeHttpEvent({ method: 'GET', path: `/wallets/${user}`, pathParameters: { user } }),
    routeKey: 'GET /wallets/{user}',
  });
const error = (result: HttpResult) =>
  (JSON.parse(result.body) as { error: { message: string } }).error.message;

describe('POST /wallets/bind', () => {
  it('binds a wallet whose signature over the canonical message verifies, for the token’s own login', async () => {
    const request = signedRequest('alice_viewer');
    const result = await bind(request);
    expect(result.statusCode).toBe(201);
    expect(conformingBody('POST /wallets/bind', result)).toMatchObject({
      username: 'alice_viewer',
      wallet: request.wallet,
      userHash: userHash('alice_viewer'),
    });
    const found = await lookup('alice_viewer');
    expect(conformingBody('GET /wallets/{user}', found)).toMatchObject({ wallet: request.wallet });
  });

  it('accepts the signature in base64 too, and a new binding replaces the old wallet', async () => {
    await bind(signedRequest('bob_viewer'));
    const second = signedRequest('bob_viewer', { base64: true });
    expect((await bind(second)).statusCode).toBe(201);
    expect(JSON.parse((await lookup(userHash('bob_viewer'))).body)).toMatchObject({ wallet: second.wallet });
  });

  it('refuses a signature that is not the wallet’s over this message', async () => {
    const request = signedRequest('carol_viewer');
    const other = signedRequest('carol_viewer');
    const result = await bind({ ...request, signature: other.signature });
    expect(result.statusCode).toBe(401);
    expect(error(result)).toMatch(/signature does not verify/);
    // A signed message for another username does not bind this one either.
    const forged = await bind({
      ...signedRequest('dave_viewer'),
      username: 'carol_viewer',
      twitchToken: request.twitchToken,
    });
    expect(forged.statusCode).toBe(401);
    expect((await lookup('carol_viewer')).statusCode).toBe(404);
  });

  it('refuses an expired message, and one that expires more than an hour ahead', async () => {
    const expired = await bind(signedRequest('erin_viewer', { expiresInMs: -1000 }));
    expect(expired.statusCode).toBe(400);
    expect(error(expired)).toMatch(/expired at/);
    const tooLong = await bind(signedRequest('erin_viewer', { expiresInMs: 2 * 3_600_000 }));
    expect(tooLong.statusCode).toBe(400);
    expect(error(tooLong)).toMatch(/at most 1 hour ahead/);
  });

  it('accepts a nonce once: replaying a signed message is a conflict', async () => {
    const request = signedRequest('frank_viewer');
    expect((await bind(request)).statusCode).toBe(201);
    const replay = await bind(request);
    expect(replay.statusCode).toBe(409);
    expect(error(replay)).toMatch(/nonce was already used/);
  });

  it('refuses a Twitch token of another login, or one Twitch does not know', async () => {
    const request = signedRequest('grace_viewer');
    const wrong = await bind({
      ...request,
      twitchToken: twitch.issueUserToken({ login: 'someone_else', userId: '2', scopes: [] }),
    });
    expect(wrong.statusCode).toBe(401);
    expect(error(wrong)).toMatch(/does not belong to grace_viewer/);
    const unknown = await bind({ ...request, twitchToken: 'not-a-token' });
    expect(unknown.statusCode).toBe(401);
    expect(error(unknown)).toMatch(/invalid or expired/);
    // The failed attempts did not use up the nonce.
    expect((await bind(request)).statusCode).toBe(201);
  });

  it('answers 400 naming the field for a malformed request', async () => {
    const request = signedRequest('henry_viewer');
    for (const [body, message] of [
      [{ ...request, wallet: 'not base58 0OIl' }, /wallet must be a base58/],
      [{ ...request, username: 'x' }, /username must be a Twitch login/],
      [{ ...request, expiresAt: '2026-01-01 10:00' }, /expiresAt must be an ISO-8601 UTC time/],
      [{ ...request, signature: 'abc' }, /signature must be 64 bytes/],
      [{ ...request, twitchToken: undefined }, /twitchToken is required/],
      [{ ...request, extra: 1 }, /Unrecognized key/],
    ] as const) {
      const result = await bind(body);
      expect(result.statusCode).toBe(400);
      expect(error(result)).toMatch(message);
    }
  });
});

describe('GET /wallets/{user}', () => {
  it('answers 404 for a user with no wallet and 400 for something that is not a user', async () => {
    const missing = await lookup('nobody_here');
    expect(missing.statusCode).toBe(404);
    expect(error(missing)).toMatch(/no wallet is bound for nobody_here/);
    expect((await lookup('no')).statusCode).toBe(400);
  });
});

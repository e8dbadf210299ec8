import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpResult } from '../../functions/api/http.ts';
import { authenticateViewer } from '../../layers/shared/src/services/attention/twitch-sign-in.ts';
import type { TwitchFixture } from '../../local/twitch-fixture.ts';
import { conformingBody } from '../fixtures/api-contract.ts';
import type { TestDatabase } from '../fixtures/db.ts';
import { authorizeAt, exchangeAtApi, signInThroughTwitch, startSignIn } from '../fixtures/twitch-sign-in.ts';
import { startWalletsApi, type WalletsApiUnderTest } from '../fixtures/wallets-api.ts';

const PAGE = 'https://claims.oracle.example.test/';
const SECOND_PAGE = 'http://127.0.0.1:5173/signed-in';

let api: WalletsApiUnderTest;
let t: TestDatabase;
let twitch: TwitchFixture;
let handler: WalletsApiUnderTest['handler'];

beforeAll(async () => {
  api = await startWalletsApi({
    deployment: { stage: 'prod', apiOrigin: 'https://api.oracle.example.test' },
    redirectUris: [PAGE, SECOND_PAGE],
    env: { VIEWER_SESSION_TTL_SECONDS: '600' },
  });
  ({ t, twitch, handler } = api);
});

afterAll(() => api.close());

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const error = (result: HttpResult) =>
  (JSON.parse(result.body) as { error: { message: string } }).error.message;

describe('GET /auth/twitch/authorize', () => {
  it('answers the Twitch authorize URL of our app with a fresh state, stored only as its hash', async () => {
    const result = await startSignIn(handler);
    expect(result.statusCode).toBe(200);
    const body = conformingBody('GET /auth/twitch/authorize', result) as {
      authorizeUrl: string;
      state: string;
      redirectUri: string;
    };
    const url = new URL(body.authorizeUrl);
    expect(`${url.origin}${url.pathname}`).toBe(twitch.authorizeUrl);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: twitch.clientId,
      redirect_uri: PAGE,
      scope: '',
      state: body.state,
      force_verify: 'true',
    });
    expect(body.redirectUri).toBe(PAGE);
    const rows = await t.sql<{ state_hash: string }[]>`select state_hash from attention.twitch_auth_states`;
    expect(rows.map((r) => r.state_hash)).toContain(sha256(body.state));
    expect(JSON.stringify(rows)).not.toContain(body.state);
  });

  it('takes another configured redirect URI, and refuses one that is not configured', async () => {
    const other = await startSignIn(handler, { redirectUri: SECOND_PAGE });
    expect(new URL(JSON.parse(other.body).authorizeUrl).searchParams.get('redirect_uri')).toBe(SECOND_PAGE);
    const refused = await startSignIn(handler, { redirectUri: 'https://evil.example.test/' });
    expect(refused.statusCode).toBe(400);
    expect(error(refused)).toMatch(/redirectUri must be one of the configured redirect URIs/);
  });
});

describe('POST /auth/twitch/session', () => {
  it('exchanges the code for a viewer session of the Twitch user, stored only as its hash', async () => {
    const user = twitch.setUser('signed_in_viewer', '4100');
    const result = await exchangeAtApi(handler, await authorizeAt(handler, twitch, 'Signed_In_Viewer'));
    expect(result.statusCode).toBe(201);
    const body = conformingBody('POST /auth/twitch/session', result) as {
      session: string;
      twitchUserId: string;
      login: string;
      expiresAt: string;
      authorizedAt: string;
    };
    expect(body).toMatchObject({
      twitchUserId: user.id,
      login: 'signed_in_viewer',
      deployment: { stage: 'prod', apiOrigin: 'https://api.oracle.example.test' },
    });
    expect(Date.parse(body.expiresAt) - Date.parse(body.authorizedAt)).toBe(600_000);
    const [row] = await t.sql<{ token_hash: string; twitch_user_id: string }[]>`
      select token_hash, twitch_user_id from attention.viewer_sessions where twitch_user_id = ${user.id}`;
    expect(row?.token_hash).toBe(sha256(body.session));
    const viewer = await authenticateViewer(t.sql, `Bearer ${body.session}`, new Date());
    expect(viewer).toMatchObject({ twitchUserId: user.id, login: 'signed_in_viewer' });
    expect(viewer.authorizedAt.toISOString()).toBe(body.authorizedAt);
  });

  it('refuses a state it did not issue, and one that expired', async () => {
    const redirect = await authorizeAt(handler, twitch, 'state_viewer');
    const forged = await exchangeAtApi(handler, { ...redirect, state: 'A'.repeat(43) });
    expect(forged.statusCode).toBe(401);
    expect(error(forged)).toMatch(/state is unknown, already used or expired/);
    await t.sql`update attention.twitch_auth_states set expires_at = now() - interval '1 second'`;
    const late = await exchangeAtApi(handler, redirect);
    expect(late.statusCode).toBe(401);
    expect(
      await t.sql`select 1 from attention.viewer_sessions v where v.login = 'state_viewer'`,
    ).toHaveLength(0);
  });

  it('answers 400 naming the field for a malformed request, and opens no session', async () => {
    for (const [body, message] of [
      [{ code: 'c' }, /state is required/],
      [{ code: 'c', state: 'short' }, /state must be the 43-character state/],
      [{ code: '', state: 'A'.repeat(43) }, /code is required/],
      [{ code: 'c', state: 'A'.repeat(43), extra: 1 }, /Unrecognized key/],
    ] as const) {
      const result = await exchangeAtApi(handler, body as never);
      expect(result.statusCode).toBe(400);
      expect(error(result)).toMatch(message);
    }
  });
});

describe('viewer sessions', () => {
  it('are refused once expired, and a Twitch token or a made-up value is never one', async () => {
    const { session } = await signInThroughTwitch(handler, twitch, 'expiring_viewer');
    await expect(
      authenticateViewer(t.sql, `Bearer ${session}`, new Date(Date.now() + 601_000)),
    ).rejects.toThrow(/session is unknown or expired/);
    const token = twitch.issueUserToken({ login: 'expiring_viewer', userId: '1', scopes: [] });
    await expect(authenticateViewer(t.sql, `Bearer ${token}`, new Date())).rejects.toThrow(
      /a Twitch token is not a session/,
    );
    await expect(authenticateViewer(t.sql, `OAuth ${session}`, new Date())).rejects.toThrow(
      /sign in with Twitch first/,
    );
    await expect(authenticateViewer(t.sql, undefined, new Date())).rejects.toThrow(
      /sign in with Twitch first/,
    );
  });
});

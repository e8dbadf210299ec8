import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwitchFixture, type TwitchFixture } from '../../local/twitch-fixture.ts';

const REDIRECT = 'https://claims.example.test/signed-in';
let clock = Date.now();
let twitch: TwitchFixture;

beforeAll(async () => {
  twitch = await startTwitchFixture({ now: () => clock, redirectUris: [REDIRECT] });
});
afterAll(() => twitch.close());

function authorizeUrl(params: Record<string, string>): string {
  const url = new URL(twitch.authorizeUrl);
  const all = {
    response_type: 'code',
    client_id: twitch.clientId,
    redirect_uri: REDIRECT,
    scope: '',
    state: 's-123',
    ...params,
  };
  for (const [name, value] of Object.entries(all)) url.searchParams.set(name, value);
  return url.toString();
}

/** Follows the authorize endpoint as a browser would, answering the redirect's query. */
async function authorize(params: Record<string, string>): Promise<URLSearchParams> {
  const response = await fetch(authorizeUrl(params), { redirect: 'manual' });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
  return location.searchParams;
}

async function exchange(fields: Record<string, string>) {
  const response = await fetch(`${twitch.authUrl}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: twitch.clientId,
      client_secret: twitch.clientSecret,
      grant_type: 'authorization_code',
      redirect_uri: REDIRECT,
      ...fields,
    }).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function validate(token: string) {
  const response = await fetch(`${twitch.authUrl}/validate`, {
    headers: { authorization: `OAuth ${token}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the Twitch fixture’s authorization-code flow', () => {
  it('shows a sign-in page that comes back to the authorize endpoint with the chosen login', async () => {
    twitch.setUser('page_viewer');
    const response = await fetch(authorizeUrl({}));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const page = await response.text();
    expect(page).toContain('<form method="get" action="/oauth2/authorize">');
    expect(page).toContain('name="state" value="s-123"');
    expect(page).toContain('<label for="login">');
    expect(page).toContain('value="page_viewer"');
  });

  it('issues a code for the chosen user, exchanged once for a token that validates as that user of this app', async () => {
    const user = twitch.setUser('code_viewer', '90001');
    const query = await authorize({ login: 'Code_Viewer', state: 'st-1' });
    expect(query.get('state')).toBe('st-1');
    const code = query.get('code') ?? '';
    const first = await exchange({ code });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ token_type: 'bearer', scope: [] });
    const info = await validate(first.body['access_token'] as string);
    expect(info.body).toMatchObject({ client_id: twitch.clientId, login: 'code_viewer', user_id: user.id });
    const again = await exchange({ code });
    expect(again).toEqual({ status: 400, body: { status: 400, message: 'Invalid authorization code' } });
  });

  it('refuses an exchange with another redirect URI, a wrong secret, or after the code expired', async () => {
    const wrongRedirect = await exchange({
      code: (await authorize({ login: 'code_viewer' })).get('code') ?? '',
      redirect_uri: 'https://evil.example.test/',
    });
    expect(wrongRedirect.status).toBe(400);
    expect(wrongRedirect.body['message']).toMatch(/redirect_uri does not match/);

    const code = (await authorize({ login: 'code_viewer' })).get('code') ?? '';
    const wrongSecret = await exchange({ code, client_secret: 'not-the-secret' });
    expect(wrongSecret).toEqual({ status: 403, body: { status: 403, message: 'invalid client secret' } });

    const late = (await authorize({ login: 'code_viewer' })).get('code') ?? '';
    clock += 11 * 60_000;
    expect((await exchange({ code: late })).status).toBe(400);
  });

  it('refuses another app’s client id and an unregistered redirect URI, and reports a denial to the app', async () => {
    expect((await fetch(authorizeUrl({ client_id: 'someone-else', login: 'x_viewer' }))).status).toBe(400);
    const unregistered = await fetch(
      authorizeUrl({ redirect_uri: 'https://evil.example.test/', login: 'x_viewer' }),
      {
        redirect: 'manual',
      },
    );
    expect(unregistered.status).toBe(400);
    const denied = await authorize({ deny: '1', state: 'st-2' });
    expect(Object.fromEntries(denied)).toMatchObject({ error: 'access_denied', state: 'st-2' });
  });

  it('validates a token issued to another app with that app’s client id', async () => {
    const token = twitch.issueUserToken({
      login: 'x_viewer',
      userId: '5',
      scopes: [],
      clientId: 'other-app',
    });
    expect((await validate(token)).body).toMatchObject({ client_id: 'other-app', login: 'x_viewer' });
  });

  it('signs a reused login in as its new account', async () => {
    const before = twitch.userOf('reused_login');
    twitch.setUser('reused_login', '777');
    const code = (await authorize({ login: 'reused_login' })).get('code') ?? '';
    const token = (await exchange({ code })).body['access_token'] as string;
    expect((await validate(token)).body['user_id']).toBe('777');
    expect(before.id).not.toBe('777');
  });
});

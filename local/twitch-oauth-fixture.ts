/**
 * The OAuth half of the Twitch fixture (id.twitch.tv/oauth2): app tokens by client credentials,
 * the authorization-code flow (an authorize page that signs in a chosen fixture user, the code
 * exchange) and token validation. It checks what Twitch checks: the client id and secret, that
 * the redirect URI of the exchange is the one the code was issued for, and that a code is used
 * once and within its lifetime. User tokens may be issued to another app's client id, which
 * /oauth2/validate then reports, as Twitch does for a token of any app.
 *
 *   GET  /oauth2/authorize?response_type=code&client_id&redirect_uri&scope&state[&login][&deny=1]
 *        with `login`: 302 to redirect_uri?code&scope&state (or ?error=access_denied with deny=1);
 *        without: an HTML page to choose the fixture user (what a browser test clicks through)
 *   POST /oauth2/token     grant_type=client_credentials | authorization_code
 *   GET  /oauth2/validate  Authorization: OAuth <token>
 */
import { createHash, randomBytes } from 'node:crypto';

export interface FixtureUserToken {
  readonly login: string;
  readonly userId: string;
  readonly scopes: readonly string[];
  readonly expiresInSeconds: number;
  /** The app the token was issued to. @default the fixture's own client id */
  readonly clientId?: string;
}

export interface FixtureUser {
  readonly login: string;
  readonly id: string;
}

export interface OAuthAnswer {
  readonly status: number;
  readonly body?: unknown;
  readonly html?: string;
  readonly location?: string;
}

interface AuthorizationCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly user: FixtureUser;
  readonly scopes: readonly string[];
  readonly expiresAtMs: number;
  used: boolean;
}

/** Twitch's authorization codes are short-lived; ten minutes is the usual OAuth bound. */
const CODE_LIFETIME_MS = 10 * 60_000;
const USER_TOKEN_SECONDS = 14_400;
const APP_TOKEN_SECONDS = 5_011_271;

/** A stable numeric Twitch id for a login (the fixture's channels use the same rule). */
export function fixtureUserId(login: string): string {
  return String(Number.parseInt(createHash('sha256').update(login).digest('hex').slice(0, 8), 16));
}

export class TwitchOAuthFixture {
  private readonly appTokens = new Set<string>();
  private readonly userTokens = new Map<string, FixtureUserToken>();
  private readonly codes = new Map<string, AuthorizationCode>();
  private readonly users = new Map<string, FixtureUser>();

  constructor(
    private readonly app: {
      readonly clientId: string;
      readonly clientSecret: string;
      readonly now: () => number;
      /** Redirect URIs registered for the app; any is accepted when none are given. */
      readonly redirectUris?: readonly string[];
    },
  ) {}

  /** The user Twitch signs in under `login` from now on: a rename or a reused login gives it another id. */
  setUser(login: string, id: string = fixtureUserId(login)): FixtureUser {
    const user = { login: login.toLowerCase(), id };
    this.users.set(user.login, user);
    return user;
  }

  userOf(login: string): FixtureUser {
    return this.users.get(login.toLowerCase()) ?? this.setUser(login);
  }

  issueUserToken(token: Omit<FixtureUserToken, 'expiresInSeconds'> & { expiresInSeconds?: number }): string {
    const value = randomBytes(15).toString('hex');
    this.userTokens.set(value, { expiresInSeconds: USER_TOKEN_SECONDS, ...token });
    return value;
  }

  isAppToken(token: string): boolean {
    return this.appTokens.has(token);
  }

  isUserToken(token: string): boolean {
    return this.userTokens.has(token);
  }

  revokeAppTokens(): void {
    this.appTokens.clear();
  }

  /** The answer for an /oauth2/ request (404 for a path Twitch does not serve there). */
  answer(
    method: string,
    url: URL,
    headers: { authorization?: string | undefined },
    form: URLSearchParams,
  ): OAuthAnswer {
    if (url.pathname === '/oauth2/authorize' && method === 'GET') return this.authorize(url.searchParams);
    if (url.pathname === '/oauth2/token' && method === 'POST') return this.token(form);
    if (url.pathname === '/oauth2/validate' && method === 'GET') {
      return this.validate((headers.authorization ?? '').replace(/^(OAuth|Bearer) /i, ''));
    }
    return { status: 404, body: { status: 404, message: 'Not Found' } };
  }

  private authorize(q: URLSearchParams): OAuthAnswer {
    const redirectUri = q.get('redirect_uri') ?? '';
    if (q.get('client_id') !== this.app.clientId) {
      return { status: 400, body: { status: 400, message: 'invalid client' } };
    }
    if (!this.redirectRegistered(redirectUri)) {
      return {
        status: 400,
        body: { status: 400, message: 'Parameter redirect_uri does not match registered URI' },
      };
    }
    if (q.get('response_type') !== 'code') {
      return redirect(redirectUri, {
        error: 'unsupported_response_type',
        error_description: 'response_type must be code',
        state: q.get('state'),
      });
    }
    if (q.get('deny') === '1') {
      return redirect(redirectUri, {
        error: 'access_denied',
        error_description: 'The user denied you access',
        state: q.get('state'),
      });
    }
    const login = q.get('login');
    if (login === null || login === '') return { status: 200, html: this.chooserPage(q) };
    const code = randomBytes(15).toString('hex');
    const scopes = (q.get('scope') ?? '').split(' ').filter((s) => s !== '');
    this.codes.set(code, {
      clientId: this.app.clientId,
      redirectUri,
      user: this.userOf(login),
      scopes,
      expiresAtMs: this.app.now() + CODE_LIFETIME_MS,
      used: false,
    });
    return redirect(redirectUri, { code, scope: scopes.join(' '), state: q.get('state') });
  }

  private token(form: URLSearchParams): OAuthAnswer {
    const grant = form.get('grant_type');
    if (grant !== 'client_credentials' && grant !== 'authorization_code') {
      return { status: 400, body: { status: 400, message: 'unsupported grant type' } };
    }
    if (form.get('client_id') !== this.app.clientId) {
      return { status: 400, body: { status: 400, message: 'invalid client' } };
    }
    if (form.get('client_secret') !== this.app.clientSecret) {
      return { status: 403, body: { status: 403, message: 'invalid client secret' } };
    }
    if (grant === 'client_credentials') {
      const token = randomBytes(15).toString('hex');
      this.appTokens.add(token);
      return {
        status: 200,
        body: { access_token: token, expires_in: APP_TOKEN_SECONDS, token_type: 'bearer' },
      };
    }
    const code = this.codes.get(form.get('code') ?? '');
    if (code === undefined || code.used || code.expiresAtMs <= this.app.now()) {
      // Twitch answers the same for an unknown, used or expired code; a used one stays used.
      return { status: 400, body: { status: 400, message: 'Invalid authorization code' } };
    }
    code.used = true;
    if (form.get('redirect_uri') !== code.redirectUri) {
      return {
        status: 400,
        body: { status: 400, message: 'Parameter redirect_uri does not match registered URI' },
      };
    }
    const token = this.issueUserToken({ login: code.user.login, userId: code.user.id, scopes: code.scopes });
    return {
      status: 200,
      body: {
        access_token: token,
        refresh_token: randomBytes(25).toString('hex'),
        expires_in: USER_TOKEN_SECONDS,
        scope: code.scopes,
        token_type: 'bearer',
      },
    };
  }

  private validate(token: string): OAuthAnswer {
    const user = this.userTokens.get(token);
    if (user !== undefined) {
      return {
        status: 200,
        body: {
          client_id: user.clientId ?? this.app.clientId,
          login: user.login,
          scopes: user.scopes,
          user_id: user.userId,
          expires_in: user.expiresInSeconds,
        },
      };
    }
    if (this.appTokens.has(token)) {
      return {
        status: 200,
        body: { client_id: this.app.clientId, scopes: [], expires_in: APP_TOKEN_SECONDS },
      };
    }
    return { status: 401, body: { status: 401, message: 'invalid access token' } };
  }

  private redirectRegistered(uri: string): boolean {
    if (!URL.canParse(uri)) return false;
    const registered = this.app.redirectUris;
    return registered === undefined || registered.length === 0 || registered.includes(uri);
  }

  /** The sign-in page: a form that comes back here with the chosen login, or with deny=1. */
  private chooserPage(q: URLSearchParams): string {
    const hidden = [...q.entries()]
      .filter(([name]) => name !== 'login' && name !== 'deny')
      .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
      .join('\n      ');
    const known = [...this.users.values()]
      .map((u) => `<option value="${escapeHtml(u.login)}"></option>`)
      .join('');
    return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Sign in with Twitch (fixture)</title></head>
  <body>
    <main>
      <h1>Sign in with Twitch</h1>
      <p>Local Twitch fixture: choose the viewer to sign in as.</p>
      <form method="get" action="/oauth2/authorize">
      ${hidden}
        <label for="login">Twitch login</label>
        <input id="login" name="login" list="fixture-users" required pattern="[A-Za-z0-9_]{4,25}">
        <datalist id="fixture-users">${known}</datalist>
        <button type="submit">Authorize</button>
        <button type="submit" name="deny" value="1" formnovalidate>Cancel</button>
      </form>
    </main>
  </body>
</html>`;
  }
}

function redirect(uri: string, params: Record<string, string | null>): OAuthAnswer {
  const target = new URL(uri);
  for (const [name, value] of Object.entries(params)) {
    if (value !== null) target.searchParams.set(name, value);
  }
  return { status: 302, location: target.toString() };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

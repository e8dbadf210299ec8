/** What the attention services need from Twitch Helix (https://dev.twitch.tv/docs/api/reference). */
export interface HelixStream {
  readonly id: string;
  readonly userId: string;
  readonly userLogin: string;
  readonly userName: string;
  readonly gameId: string;
  readonly gameName: string;
  readonly type: string;
  readonly title: string;
  readonly viewerCount: number;
  /** ISO-8601. */
  readonly startedAt: string;
  readonly language: string;
}

export interface HelixUser {
  readonly id: string;
  readonly login: string;
  readonly displayName: string;
  readonly broadcasterType: string;
  readonly createdAt: string;
}

export interface HelixGame {
  readonly id: string;
  readonly name: string;
}

/** What GET /oauth2/validate says about a user access token. */
export interface TokenInfo {
  readonly clientId: string;
  readonly login: string | undefined;
  readonly userId: string | undefined;
  readonly scopes: readonly string[];
  readonly expiresInSeconds: number;
}

export interface TwitchHelix {
  /** The app's client id: public, and what /oauth2/validate reports for tokens issued to this app. */
  readonly clientId: string;
  /** Live streams, most viewers first, up to `limit` (following pagination cursors). */
  topStreams(limit: number): Promise<HelixStream[]>;
  /** Live streams of these logins (at most 100 per request; more are split). */
  streamsByLogin(logins: readonly string[]): Promise<HelixStream[]>;
  users(query: { ids?: readonly string[]; logins?: readonly string[] }): Promise<HelixUser[]>;
  followerCount(broadcasterId: string): Promise<number>;
  games(ids: readonly string[]): Promise<HelixGame[]>;
  /** undefined when Twitch says the token is invalid or expired. */
  validateUserToken(token: string): Promise<TokenInfo | undefined>;
  /**
   * Exchanges an authorization code (the OAuth authorization-code flow) for a user access token,
   * with the app's own credentials and the redirect URI the code was issued for; undefined when
   * Twitch refuses the code (unknown, used, expired, or issued for another redirect URI).
   */
  exchangeAuthorizationCode(code: string, redirectUri: string): Promise<string | undefined>;
  /** Requests sent so far (every attempt, retries included). */
  readonly requestCount: number;
}

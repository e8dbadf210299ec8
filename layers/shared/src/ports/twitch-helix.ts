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
  /** Live streams, most viewers first, up to `limit` (following pagination cursors). */
  topStreams(limit: number): Promise<HelixStream[]>;
  /** Live streams of these logins (at most 100 per request; more are split). */
  streamsByLogin(logins: readonly string[]): Promise<HelixStream[]>;
  users(query: { ids?: readonly string[]; logins?: readonly string[] }): Promise<HelixUser[]>;
  followerCount(broadcasterId: string): Promise<number>;
  games(ids: readonly string[]): Promise<HelixGame[]>;
  /** undefined when Twitch says the token is invalid or expired. */
  validateUserToken(token: string): Promise<TokenInfo | undefined>;
  /** Requests sent so far (every attempt, retries included). */
  readonly requestCount: number;
}

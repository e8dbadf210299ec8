/**
 * The API routes the page calls, with the answers' shapes it relies on. An answer that is not
 * 2xx becomes an ApiError carrying the API's own message (it names the problem); a request that
 * never got an answer becomes an ApiUnreachableError.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export class ApiUnreachableError extends Error {
  constructor(readonly url: string) {
    super(`the rewards API at ${url} did not answer`);
    this.name = 'ApiUnreachableError';
  }
}

export interface ViewerSession {
  readonly session: string;
  readonly expiresAt: string;
  readonly twitchUserId: string;
  readonly login: string;
  readonly authorizedAt: string;
  readonly deployment: { readonly stage: string; readonly apiOrigin: string };
}

export interface Publication {
  readonly status: string;
  readonly mode: string;
  readonly signature: string | null;
  readonly publishedAt: string | null;
}

export interface ClaimableLeaf {
  readonly epoch: number;
  readonly channel: string;
  readonly kind: 'channel' | 'category' | 'carry';
  readonly tokenGroup: string;
  readonly index: number;
  readonly amount: string;
  readonly root: string;
  readonly claimer: string;
  readonly claimStatus: 'unclaimed' | 'unknown';
  readonly publication: Publication | null;
}

export interface UserClaims {
  readonly user: string;
  readonly userHash: string;
  readonly wallet: { readonly wallet: string; readonly boundAt: string } | null;
  readonly claims: readonly ClaimableLeaf[];
  readonly claimed: readonly { epoch: number; channel: string; index: number; amount: string }[];
  readonly carried: readonly { tokenGroup: string; amount: string; waitingForBinding: boolean }[];
}

export interface ClaimedLeaf {
  readonly epoch: number;
  readonly channel: string;
  readonly tokenGroup: string;
  readonly index: number;
  readonly amount: string;
}

export interface ClaimTransactions {
  readonly wallet: string;
  readonly blockhash: string;
  readonly lastValidBlockHeight: string;
  readonly transactions: readonly { transaction: string; claims: readonly ClaimedLeaf[] }[];
  readonly skipped: readonly (ClaimedLeaf & { reason: string })[];
}

export interface BindRequest {
  readonly wallet: string;
  readonly nonce: string;
  readonly expiresAt: string;
  readonly signature: string;
}

export class ClaimsApi {
  constructor(private readonly baseUrl: string) {}

  authorize(redirectUri: string): Promise<{ authorizeUrl: string; state: string }> {
    return this.call('GET', `/auth/twitch/authorize?redirectUri=${encodeURIComponent(redirectUri)}`);
  }

  signIn(code: string, state: string): Promise<ViewerSession> {
    return this.call('POST', '/auth/twitch/session', { body: { code, state } });
  }

  claims(login: string): Promise<UserClaims> {
    return this.call('GET', `/claims/${encodeURIComponent(login)}`);
  }

  bind(session: string, request: BindRequest): Promise<{ wallet: string; boundAt: string }> {
    return this.call('POST', '/wallets/bind', { body: request, session });
  }

  claimTransactions(session: string, login: string): Promise<ClaimTransactions> {
    return this.call('POST', `/claims/${encodeURIComponent(login)}/transactions`, { session });
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    options: { body?: unknown; session?: string } = {},
  ): Promise<T> {
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.session !== undefined) headers['authorization'] = `Bearer ${options.session}`;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
    } catch {
      throw new ApiUnreachableError(this.baseUrl);
    }
    const body = (await response.json().catch(() => undefined)) as
      | (T & { error?: { code?: string; message?: string } })
      | undefined;
    if (!response.ok || body === undefined) {
      throw new ApiError(
        response.status,
        body?.error?.code ?? 'HTTP_ERROR',
        body?.error?.message ?? `${method} ${path} answered ${response.status}`,
      );
    }
    return body;
  }
}

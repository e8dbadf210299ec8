/**
 * A viewer binding a wallet through a running API, as a browser and a wallet do it: sign in
 * with Twitch (here the Twitch fixture's authorize page, answered for a chosen login), then sign
 * the binding message the session's deployment, user id and login make, and post it with the
 * session. The local cycle binds a viewer this way; nothing skips a check.
 */
import { randomBytes } from 'node:crypto';
import { canonicalBindingMessage } from '../layers/shared/src/core/attention/binding-message.ts';

export interface SigningWallet {
  /** base58 public key. */
  readonly address: string;
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

export interface BoundThroughApi {
  readonly userHash: string;
  readonly username: string;
  readonly twitchUserId: string;
  readonly wallet: string;
  readonly boundAt: string;
  /** The viewer session of the sign-in: it also asks for the viewer's claim transactions. */
  readonly session: string;
}

async function call<T>(url: string, init: RequestInit, expected: number): Promise<T> {
  const response = await fetch(url, init);
  const body = (await response.json()) as T & { error?: { message: string } };
  if (response.status !== expected) {
    throw new Error(
      `${init.method ?? 'GET'} ${new URL(url).pathname} answered ${response.status}: ${body.error?.message}`,
    );
  }
  return body;
}

/** Signs `login` in at the Twitch fixture through `apiUrl` and binds `wallet`. */
export async function bindWalletThroughApi(
  apiUrl: string,
  login: string,
  wallet: SigningWallet,
): Promise<BoundThroughApi> {
  const { authorizeUrl } = await call<{ authorizeUrl: string }>(`${apiUrl}/auth/twitch/authorize`, {}, 200);
  const chosen = new URL(authorizeUrl);
  chosen.searchParams.set('login', login);
  const redirect = await fetch(chosen, { redirect: 'manual' });
  await redirect.body?.cancel();
  const back = new URL(redirect.headers.get('location') ?? 'http://invalid/');
  const code = back.searchParams.get('code');
  const state = back.searchParams.get('state');
  if (code === null || state === null)
    throw new Error(`Twitch sign-in of ${login} answered ${redirect.status}`);
  const session = await call<{
    session: string;
    twitchUserId: string;
    login: string;
    deployment: { stage: string; apiOrigin: string };
  }>(
    `${apiUrl}/auth/twitch/session`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, state }),
    },
    201,
  );
  const fields = {
    ...session.deployment,
    twitchUserId: session.twitchUserId,
    username: session.login,
    wallet: wallet.address,
    nonce: randomBytes(16).toString('hex'),
    expiresAt: new Date(Date.now() + 10 * 60_000).toISOString(),
  };
  const signature = await wallet.sign(new TextEncoder().encode(canonicalBindingMessage(fields)));
  const bound = await call<Omit<BoundThroughApi, 'session'>>(
    `${apiUrl}/wallets/bind`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${session.session}` },
      body: JSON.stringify({
        wallet: fields.wallet,
        nonce: fields.nonce,
        expiresAt: fields.expiresAt,
        signature: Buffer.from(signature).toString('base64'),
      }),
    },
    201,
  );
  return { ...bound, session: session.session };
}

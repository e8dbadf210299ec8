/**
 * Demo market users for the local runtime: generated keys that sign in with Ethereum (EIP-4361)
 * and confirm their email and phone as their owners would, by reading the link or code that
 * arrived. Over the HTTP API when the runtime serves one, through the services otherwise.
 */
import { Wallet } from 'ethers';
import { SiweMessage } from 'siwe';
import type { Sql } from '../../layers/shared/src/adapters/db/client.ts';
import { SiweMessages } from '../../layers/shared/src/adapters/evm/siwe-messages.ts';
import type {
  ChannelName,
  NotificationChannel,
  OutgoingNotification,
} from '../../layers/shared/src/ports/notification-channel.ts';
import {
  confirmEmail,
  confirmPhone,
  VERIFICATION_TRIGGER,
} from '../../layers/shared/src/services/market/contact-verification.ts';
import {
  issueSignInNonce,
  type SignInOffer,
  type SignInSettings,
  signIn,
} from '../../layers/shared/src/services/market/market-sessions.ts';
import { deliverNotifications } from '../../layers/shared/src/services/market/notification-delivery.ts';
import { RecordingChannel } from '../../layers/shared/src/services/market/notifications.ts';

export interface DemoUser {
  readonly address: string;
  /** The bearer token of its session. */
  readonly session: string;
}

/** What the local runtime's sign-in expects (market settings left at their local defaults). */
export const LOCAL_SIGN_IN: SignInSettings = {
  domain: 'localhost',
  uri: 'http://localhost',
  chainId: 31337,
  sessionTtlSeconds: 3600,
  noncesPerSource: 20,
};

export interface KeyHolder {
  readonly address: string;
  signMessage(message: string): Promise<string>;
}

/** The EIP-4361 message for `offer`, as a wallet signs it, with its signature. */
export async function signedMessage(wallet: KeyHolder, offer: SignInOffer) {
  const message = new SiweMessage({
    domain: offer.domain,
    address: wallet.address,
    statement: offer.statement,
    uri: offer.uri,
    version: offer.version,
    chainId: offer.chainId,
    nonce: offer.nonce,
    issuedAt: offer.issuedAt,
  }).prepareMessage();
  return { message, signature: await wallet.signMessage(message) };
}

/** Signs a generated key in through the API: a nonce, the signed message, a session. */
export async function signInOverApi(
  apiUrl: string,
  wallet: KeyHolder = Wallet.createRandom(),
): Promise<DemoUser> {
  const offer = (await call(apiUrl, 'POST', '/api/auth/nonce')) as SignInOffer;
  const session = (await call(apiUrl, 'POST', '/api/auth/session', await signedMessage(wallet, offer))) as {
    token: string;
    address: string;
  };
  return { address: session.address, session: session.token };
}

/** Signs a key in through the services, at `now` (unix seconds). */
export async function signInDirect(
  sql: Sql,
  wallet: KeyHolder = Wallet.createRandom(),
  now = Math.floor(Date.now() / 1000),
  settings: SignInSettings = LOCAL_SIGN_IN,
): Promise<DemoUser> {
  const offer = await issueSignInNonce(sql, settings, { sourceIp: '127.0.0.1', now });
  const session = await signIn({ sql, messages: new SiweMessages() }, settings, {
    ...(await signedMessage(wallet, offer)),
    now,
  });
  return { address: session.address, session: session.token };
}

/** The link's token or the code a verification carries. */
export function verificationSecret(message: Pick<OutgoingNotification, 'body'>): {
  token?: string;
  code?: string;
} {
  const token = /token=([A-Za-z0-9_-]{43})/.exec(message.body)?.[1];
  const code = /code is (\d{6})/.exec(message.body)?.[1];
  return { ...(token === undefined ? {} : { token }), ...(code === undefined ? {} : { code }) };
}

/**
 * Confirms, through the API, every contact of `user` that one of `received` verifies: the email by
 * its link's token, the phone by its code with the user's session.
 */
export async function confirmOverApi(
  apiUrl: string,
  user: DemoUser,
  received: readonly OutgoingNotification[],
): Promise<number> {
  let confirmed = 0;
  for (const message of received) {
    const { token, code } = verificationSecret(message);
    if (token !== undefined) await call(apiUrl, 'POST', '/api/notifications/verify/email', { token });
    else if (code !== undefined)
      await call(apiUrl, 'POST', '/api/notifications/verify/sms', { code }, user.session);
    else continue;
    confirmed++;
  }
  return confirmed;
}

/**
 * Confirms, through the services, every contact of `userId` waiting for it: its verifications are
 * delivered to recording channels and confirmed with what arrived. Returns what arrived.
 */
export async function confirmContacts(
  sql: Sql,
  userId: string,
  now = Math.floor(Date.now() / 1000),
): Promise<OutgoingNotification[]> {
  const rows = await sql<{ id: number }[]>`
    select id from market.notification_outbox
    where user_id = ${userId} and trigger = ${VERIFICATION_TRIGGER} and status = 'pending'`;
  if (rows.length === 0) return [];
  const channels = new Map<ChannelName, NotificationChannel>(
    (['email', 'sms'] as const).map((name) => [name, new RecordingChannel(name)]),
  );
  await deliverNotifications(sql, channels, now, { ids: rows.map((row) => Number(row.id)) });
  const received = [...channels.values()].flatMap((channel) => (channel as RecordingChannel).sent);
  for (const message of received) {
    const { token, code } = verificationSecret(message);
    if (token !== undefined) await confirmEmail(sql, token, now);
    else if (code !== undefined) await confirmPhone(sql, userId, code, now);
  }
  return received;
}

/** One JSON request to the local API; throws with the answer when it is not a success. */
export async function call(
  apiUrl: string,
  method: string,
  path: string,
  body?: unknown,
  session?: string,
): Promise<unknown> {
  const response = await fetch(`${apiUrl}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(session === undefined ? {} : { authorization: `Bearer ${session}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as unknown;
}

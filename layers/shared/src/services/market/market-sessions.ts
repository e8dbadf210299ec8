/**
 * Market users sign in with Ethereum (EIP-4361; DESIGN.md "Market users"). The API issues a
 * nonce; the user's wallet signs a message naming this API's domain, URI and chain with that
 * nonce; the API checks the message and the signature, uses the nonce up, and answers with a
 * session: a random bearer token, stored only as its SHA-256, that expires after
 * `sessionTtlSeconds` or when the user signs out. Every route that acts for a user takes the
 * session's address as the user and nothing the request says about who it is.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  deleteNoncesExpiredBefore,
  deleteSessionsExpiredBefore,
  insertNonce,
  insertSession,
  openNonces,
  revokeSession,
  sessionAddress,
  useNonce,
} from '../../adapters/db/market/market-session-store.ts';
import { noSession } from '../../core/session-tokens.ts';
import { RateLimitedError, UnauthorizedError } from '../../errors.ts';
import type { SignInMessages } from '../../ports/sign-in-message.ts';
import type { Sql } from '../../ports/sql.ts';
import { lockKeys } from '../platform/advisory-locks.ts';

/** How long an issued nonce can be signed in with. */
export const SIGN_IN_NONCE_TTL_SECONDS = 600;
/** The statement the API offers for the wallet to show (EIP-4361 leaves it to the site). */
export const SIGN_IN_STATEMENT = 'Sign in to Engagement Oracle market notifications and claims.';
/** Clocks disagree: a message issued up to this far ahead of ours is still taken. */
const CLOCK_SKEW_SECONDS = 300;
/** Used nonces and ended sessions are kept this long (for an operator's questions), then deleted. */
const KEEP_ENDED_SECONDS = 86_400;

export interface SignInSettings {
  readonly domain: string;
  readonly uri: string;
  readonly chainId: number;
  readonly sessionTtlSeconds: number;
  /** Unused, unexpired nonces one IP address may hold. */
  readonly noncesPerSource: number;
}

export interface SignInOffer {
  readonly nonce: string;
  readonly domain: string;
  readonly uri: string;
  readonly chainId: number;
  readonly version: '1';
  readonly statement: string;
  readonly issuedAt: string;
  readonly expiresAt: string;
}

export interface MarketSession {
  readonly token: string;
  readonly address: string;
  readonly expiresAt: string;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** What the database keeps of a caller's IP address: enough to count per source, not the address. */
export function sourceHash(sourceIp: string): string {
  return sha256(`source:${sourceIp}`);
}

export async function issueSignInNonce(
  sql: Sql,
  settings: SignInSettings,
  request: { readonly sourceIp: string; readonly now: number },
): Promise<SignInOffer> {
  const source = sourceHash(request.sourceIp);
  const nonce = randomBytes(16).toString('hex');
  const expires = request.now + SIGN_IN_NONCE_TTL_SECONDS;
  await sql.begin(async (tx) => {
    // One source at a time, so its count of unused nonces is exact.
    await lockKeys(tx as unknown as Sql, [`sign-in:${source}`], 'exclusive');
    await deleteNoncesExpiredBefore(tx, request.now - KEEP_ENDED_SECONDS);
    const open = await openNonces(tx, source, request.now);
    if (open.n >= settings.noncesPerSource) {
      throw new RateLimitedError(
        `at most ${settings.noncesPerSource} unused sign-in nonces per IP address; sign in with one, or wait until one expires`,
        Math.max(1, Math.ceil((open.oldest ?? expires) - request.now)),
      );
    }
    await insertNonce(tx, { nonce, sourceHash: source, issuedAt: request.now, expiresAt: expires });
  });
  return {
    nonce,
    domain: settings.domain,
    uri: settings.uri,
    chainId: settings.chainId,
    version: '1',
    statement: SIGN_IN_STATEMENT,
    issuedAt: iso(request.now),
    expiresAt: iso(expires),
  };
}

/**
 * Checks, in order: the message's form (400), that it names this API's domain, URI and chain and
 * was issued recently (401), the signature (401), and the nonce (401, used up only once everything
 * else passed); then opens a session.
 */
export async function signIn(
  deps: { readonly sql: Sql; readonly messages: SignInMessages },
  settings: SignInSettings,
  request: { readonly message: string; readonly signature: string; readonly now: number },
): Promise<MarketSession> {
  const message = deps.messages.parse(request.message);
  const refuse = (why: string): never => {
    throw new UnauthorizedError(`sign-in refused: ${why}`);
  };
  if (message.domain !== settings.domain)
    refuse(`the message is for ${message.domain}; this API signs in users of ${settings.domain}`);
  if (message.uri !== settings.uri) refuse(`the message's URI must be ${settings.uri}`);
  if (message.chainId !== settings.chainId) refuse(`the message's chain ID must be ${settings.chainId}`);
  const issuedAt = Date.parse(message.issuedAt) / 1000;
  if (!(issuedAt <= request.now + CLOCK_SKEW_SECONDS))
    refuse('the message is issued in the future; check the clock');
  if (issuedAt < request.now - SIGN_IN_NONCE_TTL_SECONDS - CLOCK_SKEW_SECONDS)
    refuse('the message was issued too long ago; sign a new one');
  if (!(await deps.messages.verify(request.message, request.signature, new Date(request.now * 1000)))) {
    refuse(
      `the signature is not ${message.address}'s signature of exactly this message, or the message's own validity has ended`,
    );
  }
  const address = message.address.toLowerCase();
  const token = randomBytes(32).toString('base64url');
  const expires = request.now + settings.sessionTtlSeconds;
  await deps.sql.begin(async (tx) => {
    if (!(await useNonce(tx, message.nonce, address, request.now)))
      refuse('the nonce is unknown, already used or expired; ask for a new one');
    await deleteSessionsExpiredBefore(tx, request.now - KEEP_ENDED_SECONDS);
    await insertSession(tx, {
      tokenHash: sha256(token),
      address,
      createdAt: request.now,
      expiresAt: expires,
    });
  });
  return { token, address, expiresAt: iso(expires) };
}

/** The address a bearer token signs in as; 401 for no token or one that is unknown, expired or ended. */
export async function authenticateSession(sql: Sql, token: string | undefined, now: number): Promise<string> {
  if (token === undefined || token === '') throw noSession('market');
  const address = await sessionAddress(sql, sha256(token), now);
  if (address === undefined)
    throw new UnauthorizedError('the session is unknown, expired or signed out; sign in again');
  return address;
}

/** Ends the session of `token` (a repeat, or an unknown token, changes nothing). */
export async function signOut(sql: Sql, token: string, now: number): Promise<void> {
  await revokeSession(sql, sha256(token), now);
}

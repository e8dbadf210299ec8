/**
 * Wallet binding: a viewer names the Solana wallet that claims their leaves. The wallet proves
 * itself with an ed25519 signature over a canonical message, the viewer with a Twitch user
 * token (validated through Twitch's /oauth2/validate, whose `login` must be the username).
 *
 * The canonical message, byte for byte (UTF-8, `\n` line ends, no trailing newline):
 *
 *   engagement-oracle wallet binding
 *   username: <Twitch login, lowercase>
 *   wallet: <wallet public key, base58>
 *   nonce: <nonce>
 *   expires: <expiresAt, ISO-8601 UTC exactly as Date.prototype.toISOString writes it>
 *
 * e.g. `engagement-oracle wallet binding\nusername: alice_1\nwallet: 9xQe…\nnonce: 3f1c…\nexpires: 2026-01-01T10:15:00.000Z`.
 * The signature (64 bytes) is sent as base58 or base64. A nonce is accepted once, ever; a
 * message expires at `expiresAt`, which may be at most an hour ahead. The wallet bound when an
 * epoch's trees are built is the claimer of that epoch's leaves; amounts of unbound viewers wait
 * in carried balances and are paid in the next carry tree after binding.
 */
import { randomUUID } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import bs58 from 'bs58';
import type { Sql } from '../adapters/db/client.ts';
import { normalizeLogin } from '../core/attention/signals.ts';
import { isUserHash, userHash } from '../core/attention/user-hash.ts';
import { ConflictError, NotFoundError, UnauthorizedError, ValidationError } from '../errors.ts';
import type { TokenInfo } from '../ports/twitch-helix.ts';

export const BINDING_MESSAGE_TITLE = 'engagement-oracle wallet binding';
/** How far ahead a binding message may expire: a signed message is a bearer credential until then. */
export const MAX_BINDING_VALIDITY_MS = 60 * 60 * 1000;
const NONCE = /^[A-Za-z0-9_-]{8,128}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface BindingMessageFields {
  readonly username: string;
  readonly wallet: string;
  readonly nonce: string;
  /** ISO-8601 UTC as `toISOString()` writes it. */
  readonly expiresAt: string;
}

export function canonicalBindingMessage(fields: BindingMessageFields): string {
  return [
    BINDING_MESSAGE_TITLE,
    `username: ${fields.username.toLowerCase()}`,
    `wallet: ${fields.wallet}`,
    `nonce: ${fields.nonce}`,
    `expires: ${fields.expiresAt}`,
  ].join('\n');
}

export interface BindWalletRequest extends BindingMessageFields {
  /** base58 or base64 of the 64-byte ed25519 signature over the canonical message. */
  readonly signature: string;
  /** A Twitch user access token of `username`. */
  readonly twitchToken: string;
}

export interface WalletBinding {
  readonly username: string;
  readonly userHash: string;
  readonly wallet: string;
  readonly boundAt: string;
}

/**
 * What anyone may learn about a binding: what a claimer needs. Never the username, which would
 * turn the user_hash published on chain back into a Twitch login.
 */
export type ClaimerWallet = Omit<WalletBinding, 'username'>;

export interface WalletBindingDeps {
  readonly sql: Sql;
  readonly validateTwitchToken: (token: string) => Promise<TokenInfo | undefined>;
  readonly now: () => Date;
}

/**
 * Checks, in order: the fields (400), the expiry (400), the signature (401), the Twitch token
 * (401), the nonce (409, consumed only once everything else passed); then binds.
 */
export async function bindWallet(
  deps: WalletBindingDeps,
  request: BindWalletRequest,
): Promise<WalletBinding> {
  const username = normalizeLogin(request.username);
  if (username === undefined) {
    throw new ValidationError('username must be a Twitch login (4–25 characters of a-z, 0-9, _)');
  }
  const walletKey = decodeWallet(request.wallet);
  if (!NONCE.test(request.nonce)) {
    throw new ValidationError('nonce must be 8–128 characters of A-Z, a-z, 0-9, _ and -');
  }
  const expiresMs = Date.parse(request.expiresAt);
  if (Number.isNaN(expiresMs) || new Date(expiresMs).toISOString() !== request.expiresAt) {
    throw new ValidationError(
      'expiresAt must be an ISO-8601 UTC time as toISOString() writes it (e.g. 2026-01-01T10:15:00.000Z)',
    );
  }
  const now = deps.now().getTime();
  if (expiresMs <= now) throw new ValidationError(`the binding message expired at ${request.expiresAt}`);
  if (expiresMs - now > MAX_BINDING_VALIDITY_MS) {
    throw new ValidationError('expiresAt may be at most 1 hour ahead');
  }
  const signature = decodeSignature(request.signature);
  const message = new TextEncoder().encode(canonicalBindingMessage({ ...request, username }));
  if (!verifySignature(signature, message, walletKey)) {
    throw new UnauthorizedError(
      'signature does not verify: it must be the wallet’s ed25519 signature over the canonical binding message',
    );
  }
  const token = await deps.validateTwitchToken(request.twitchToken);
  if (token === undefined) throw new UnauthorizedError('the Twitch token is invalid or expired');
  if (token.login?.toLowerCase() !== username) {
    throw new UnauthorizedError(`the Twitch token does not belong to ${username}`);
  }

  const hash = userHash(username);
  const boundAt = deps.now();
  return deps.sql.begin(async (tx) => {
    const used = await tx`
      insert into attention.wallet_binding_nonces (nonce, user_hash, wallet, used_at)
      values (${request.nonce}, ${hash}, ${request.wallet}, ${boundAt.toISOString()}::timestamptz)
      on conflict (nonce) do nothing returning 1`;
    if (used.length === 0)
      throw new ConflictError('nonce was already used: sign a new message with a fresh nonce');
    return upsertBinding(tx as unknown as Sql, username, request.wallet, boundAt, request.nonce);
  });
}

/**
 * Binds without the signature and Twitch checks: for the local runtime's fixture viewers and
 * for tests. Never reachable from the API.
 */
export async function bindWalletDirect(
  sql: Sql,
  username: string,
  wallet: string,
  now: Date,
): Promise<WalletBinding> {
  const login = normalizeLogin(username);
  if (login === undefined)
    throw new ValidationError(`username ${JSON.stringify(username)} is not a Twitch login`);
  decodeWallet(wallet);
  return upsertBinding(sql, login, wallet, now, `direct:${randomUUID()}`);
}

/** The wallet bound for a login or a user_hash, if any. */
export async function findWalletBinding(sql: Sql, user: string): Promise<ClaimerWallet | undefined> {
  const hash = userHashOf(user);
  const [row] = await sql<{ user_hash: string; wallet: string; bound_at: string }[]>`
    select user_hash, wallet, bound_at::text from attention.wallet_bindings where user_hash = ${hash}`;
  return row === undefined
    ? undefined
    : { userHash: row.user_hash, wallet: row.wallet, boundAt: new Date(row.bound_at).toISOString() };
}

export async function requireWalletBinding(sql: Sql, user: string): Promise<ClaimerWallet> {
  const binding = await findWalletBinding(sql, user);
  if (binding === undefined) throw new NotFoundError(`no wallet is bound for ${user}`);
  return binding;
}

/** A user as the routes accept one: a Twitch login or a user_hash (64 lowercase hex). */
export function userHashOf(user: string): string {
  const lowered = user.trim().toLowerCase();
  if (isUserHash(lowered)) return lowered;
  const login = normalizeLogin(lowered);
  if (login === undefined) {
    throw new ValidationError(
      'user must be a Twitch login (4–25 of a-z, 0-9, _) or a user_hash (64 hex characters)',
    );
  }
  return userHash(login);
}

async function upsertBinding(
  sql: Sql,
  username: string,
  wallet: string,
  boundAt: Date,
  nonce: string,
): Promise<WalletBinding> {
  const hash = userHash(username);
  await sql`
    insert into attention.wallet_bindings (user_hash, username, wallet, bound_at, nonce)
    values (${hash}, ${username}, ${wallet}, ${boundAt.toISOString()}::timestamptz, ${nonce})
    on conflict (user_hash) do update set username = excluded.username, wallet = excluded.wallet,
      bound_at = excluded.bound_at, nonce = excluded.nonce`;
  return { username, userHash: hash, wallet, boundAt: boundAt.toISOString() };
}

function decodeWallet(wallet: unknown): Uint8Array {
  if (typeof wallet !== 'string') throw new ValidationError('wallet must be a base58 Solana public key');
  let bytes: Uint8Array;
  try {
    bytes = bs58.decode(wallet);
  } catch {
    throw new ValidationError('wallet must be a base58 Solana public key');
  }
  if (bytes.length !== 32) throw new ValidationError(`wallet must decode to 32 bytes, got ${bytes.length}`);
  return bytes;
}

function decodeSignature(text: string): Uint8Array {
  if (typeof text === 'string') {
    try {
      const bytes = bs58.decode(text);
      if (bytes.length === 64) return bytes;
    } catch {
      // not base58: try base64 below
    }
    if (BASE64.test(text)) {
      const bytes = Buffer.from(text, 'base64');
      if (bytes.length === 64) return new Uint8Array(bytes);
    }
  }
  throw new ValidationError('signature must be 64 bytes of ed25519 signature, in base58 or base64');
}

function verifySignature(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed25519.verify(signature, message, publicKey);
  } catch {
    // A key that is not a curve point cannot have signed anything.
    return false;
  }
}

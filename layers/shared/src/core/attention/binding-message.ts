/**
 * The message a wallet signs to be bound, and its checks. The message names the deployment
 * (stage and API origin), so a signature made for one deployment is refused by another, and the
 * Twitch user and login it binds, so it cannot bind anyone else. Byte for byte (UTF-8, `\n` line
 * ends, no trailing newline):
 *
 *   engagement-oracle wallet binding
 *   stage: <STAGE>
 *   api: <API origin, scheme://host[:port]>
 *   twitch user id: <Twitch user id>
 *   username: <Twitch login, lowercase>
 *   wallet: <wallet public key, base58>
 *   nonce: <nonce>
 *   expires: <expiresAt, ISO-8601 UTC exactly as Date.prototype.toISOString writes it>
 *
 * The signature (64 bytes, ed25519) is sent as base58 or base64. A message expires at
 * `expiresAt`, at most an hour ahead: until then it is a bearer credential of the wallet.
 */
import { ed25519 } from '@noble/curves/ed25519';
import bs58 from 'bs58';
import { UnauthorizedError, ValidationError } from '../../errors.ts';
import { type BindingMessageFields, canonicalBindingMessage } from './binding-message-text.ts';

export {
  BINDING_MESSAGE_TITLE,
  type BindingMessageFields,
  canonicalBindingMessage,
} from './binding-message-text.ts';

export const MAX_BINDING_VALIDITY_MS = 60 * 60 * 1000;
const NONCE = /^[A-Za-z0-9_-]{8,128}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Checks a signed binding message at `nowMs`: the fields' shapes and the expiry (400), then the
 * signature (401). Answers the wallet's public key.
 */
export function verifyBindingMessage(
  fields: BindingMessageFields,
  signatureText: string,
  nowMs: number,
): Uint8Array {
  const walletKey = decodeWallet(fields.wallet);
  if (!NONCE.test(fields.nonce)) {
    throw new ValidationError('nonce must be 8–128 characters of A-Z, a-z, 0-9, _ and -');
  }
  const expiresMs = Date.parse(fields.expiresAt);
  if (Number.isNaN(expiresMs) || new Date(expiresMs).toISOString() !== fields.expiresAt) {
    throw new ValidationError(
      'expiresAt must be an ISO-8601 UTC time as toISOString() writes it (e.g. 2026-01-01T10:15:00.000Z)',
    );
  }
  if (expiresMs <= nowMs) throw new ValidationError(`the binding message expired at ${fields.expiresAt}`);
  if (expiresMs - nowMs > MAX_BINDING_VALIDITY_MS) {
    throw new ValidationError('expiresAt may be at most 1 hour ahead');
  }
  const signature = decodeSignature(signatureText);
  const message = new TextEncoder().encode(canonicalBindingMessage(fields));
  if (!verifySignature(signature, message, walletKey)) {
    throw new UnauthorizedError(
      'signature does not verify: it must be the wallet’s ed25519 signature over the canonical binding message for this deployment (stage and API origin), your Twitch user id and login',
    );
  }
  return walletKey;
}

export function decodeWallet(wallet: unknown): Uint8Array {
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

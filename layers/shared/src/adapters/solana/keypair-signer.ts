/**
 * An ed25519 keypair as a SolanaSigner. The secret comes from Secrets Manager (or is generated
 * for a local run); it accepts the Solana CLI keypair file format (a JSON array of 64 numbers)
 * and base58.
 */
import { ed25519 } from '@noble/curves/ed25519';
import { Keypair } from '@solana/web3.js';
import bs58 from 'bs58';
import { z } from 'zod';
import { ValidationError } from '../../errors.ts';
import type { SolanaSigner } from '../../ports/solana.ts';
import { parseSecret, parseSecretJson } from '../../secret-value.ts';

export function createKeypairSigner(secretKey: Uint8Array): SolanaSigner {
  let keypair: Keypair;
  try {
    keypair = Keypair.fromSecretKey(secretKey);
  } catch (error) {
    throw new ValidationError('Solana secret key must be 64 bytes whose second half is its public key', {
      cause: error,
    });
  }
  const seed = keypair.secretKey.slice(0, 32);
  return {
    address: keypair.publicKey.toBase58(),
    signMessage: async (message) => ed25519.sign(message, seed),
  };
}

export function generateKeypairSigner(): { signer: SolanaSigner; secretKey: Uint8Array } {
  const keypair = Keypair.generate();
  return { signer: createKeypairSigner(keypair.secretKey), secretKey: keypair.secretKey };
}

/**
 * A JSON array of 64 bytes (Solana CLI format), base58 of the same 64 bytes, or either one in
 * a JSON object's `secretKey` field (how the deployed secret holds it).
 */
export function parseSecretKey(text: string): Uint8Array {
  let trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const field = parseSecret(
      trimmed,
      z.object({ secretKey: z.unknown() }),
      'the Solana publisher secret',
    ).secretKey;
    if (typeof field === 'string') trimmed = field.trim();
    else if (Array.isArray(field)) trimmed = JSON.stringify(field);
    else throw new ValidationError('Solana secret key object must have a secretKey field');
  }
  if (trimmed.startsWith('[')) {
    const numbers = parseSecretJson(trimmed, 'the Solana publisher secret');
    if (
      !Array.isArray(numbers) ||
      numbers.length !== 64 ||
      !numbers.every((n) => Number.isInteger(n) && n >= 0 && n <= 255)
    ) {
      throw new ValidationError('Solana secret key JSON must be an array of 64 bytes');
    }
    return Uint8Array.from(numbers as number[]);
  }
  let bytes: Uint8Array;
  try {
    bytes = bs58.decode(trimmed);
  } catch {
    throw new ValidationError('Solana secret key must be a JSON byte array or base58');
  }
  if (bytes.length !== 64)
    throw new ValidationError(`Solana secret key must be 64 bytes, got ${bytes.length}`);
  return bytes;
}

import { createPublicKey, verify } from 'node:crypto';
import { Keypair } from '@solana/web3.js';
import bs58 from 'bs58';
import { describe, expect, it } from 'vitest';
import {
  createKeypairSigner,
  parseSecretKey,
} from '../../layers/shared/src/adapters/solana/keypair-signer.ts';
import { ValidationError } from '../../layers/shared/src/errors.ts';

describe('keypair signer', () => {
  it('signs with ed25519 so that an independent verifier accepts the signature', async () => {
    const keypair = Keypair.generate();
    const signer = createKeypairSigner(keypair.secretKey);
    const message = Buffer.from('a transaction message');

    const signature = await signer.signMessage(message);

    const publicKey = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: keypair.publicKey.toBuffer().toString('base64url') },
      format: 'jwk',
    });
    expect(verify(null, message, publicKey, signature)).toBe(true);
    expect(signer.address).toBe(keypair.publicKey.toBase58());
  });

  it('reads a secret key stored as a Solana CLI JSON array or as base58', () => {
    const { secretKey } = Keypair.generate();

    expect(parseSecretKey(JSON.stringify(Array.from(secretKey)))).toEqual(secretKey);
    expect(parseSecretKey(` ${bs58.encode(secretKey)}\n`)).toEqual(secretKey);
    expect(parseSecretKey(JSON.stringify({ secretKey: bs58.encode(secretKey) }))).toEqual(secretKey);
    expect(parseSecretKey(JSON.stringify({ secretKey: Array.from(secretKey) }))).toEqual(secretKey);
  });

  it('refuses a secret key of the wrong length or whose halves do not match', () => {
    const { secretKey } = Keypair.generate();
    const mismatched = Uint8Array.from(secretKey);
    mismatched.set(Keypair.generate().publicKey.toBytes(), 32);

    expect(() => parseSecretKey(JSON.stringify(Array.from(secretKey.subarray(0, 32))))).toThrow(
      ValidationError,
    );
    expect(() => parseSecretKey('not base58 0OIl')).toThrow(ValidationError);
    expect(() => createKeypairSigner(mismatched)).toThrow(ValidationError);
  });
});

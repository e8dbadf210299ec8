import { describe, expect, it } from 'vitest';
import { StaticSecretStore } from '../../layers/shared/src/adapters/aws/secrets-manager-store.ts';
import { KeyRing, presentedCredential } from '../../layers/shared/src/services/api-auth.ts';

describe('KeyRing', () => {
  it.each([
    ['an array', JSON.stringify(['key-one', 'key-two'])],
    ['{"keys": [...]}', JSON.stringify({ keys: ['key-one', 'key-two'] })],
    ['named keys', JSON.stringify({ primary: 'key-one', rotating: 'key-two' })],
  ])('accepts every key of a secret holding %s and nothing else', async (_shape, secret) => {
    const ring = new KeyRing(new StaticSecretStore({ keys: secret }), 'keys');
    expect(await ring.accepts('key-one')).toBe(true);
    expect(await ring.accepts('key-two')).toBe(true);
    expect(await ring.accepts('key-three')).toBe(false);
    expect(await ring.accepts('')).toBe(false);
    expect(await ring.accepts(undefined)).toBe(false);
  });
});

describe('presentedCredential', () => {
  it('reads x-api-key or a bearer token, in any header case', () => {
    expect(presentedCredential({ 'X-Api-Key': 'abc' })).toBe('abc');
    expect(presentedCredential({ authorization: 'Bearer tok-1' })).toBe('tok-1');
    expect(presentedCredential({ Authorization: 'Basic xyz' })).toBeUndefined();
    expect(presentedCredential({})).toBeUndefined();
  });
});

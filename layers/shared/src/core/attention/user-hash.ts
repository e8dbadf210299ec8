import { sharedKeccak } from '../merkle/keccak.ts';

/**
 * keccak256(lowercase(username)) as 64 lowercase hex characters: the only user id that goes
 * on-chain. On the shared WebAssembly hasher (about 1 µs a name; the ingest writer hashes every event).
 */
export function userHash(username: string): string {
  sharedKeccak.init();
  sharedKeccak.update(username.toLowerCase());
  return sharedKeccak.digest('hex');
}

const USER_HASH = /^[0-9a-f]{64}$/;

export function isUserHash(value: string): boolean {
  return USER_HASH.test(value);
}

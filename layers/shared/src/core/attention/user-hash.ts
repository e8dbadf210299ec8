import { keccak256Utf8Hex } from '../merkle/keccak.ts';

/**
 * keccak256(lowercase(username)) as 64 lowercase hex characters: the only user id that goes
 * on-chain. On the WebAssembly keccak (the ingest writer hashes every event).
 */
export function userHash(username: string): string {
  return keccak256Utf8Hex(username.toLowerCase());
}

const USER_HASH = /^[0-9a-f]{64}$/;

export function isUserHash(value: string): boolean {
  return USER_HASH.test(value);
}

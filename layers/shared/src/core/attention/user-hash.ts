import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/** keccak256(lowercase(username)) as 64 lowercase hex characters: the only user id that goes on-chain. */
export function userHash(username: string): string {
  return bytesToHex(keccak_256(utf8ToBytes(username.toLowerCase())));
}

const USER_HASH = /^[0-9a-f]{64}$/;

export function isUserHash(value: string): boolean {
  return USER_HASH.test(value);
}

/** A claim's on-chain id: keccak256 of its text id, the bytes32 `mintForClaim` records. */
import { keccak_256 } from '@noble/hashes/sha3';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

export function claimIdBytes32(claimId: string): string {
  return `0x${bytesToHex(keccak_256(utf8ToBytes(claimId)))}`;
}

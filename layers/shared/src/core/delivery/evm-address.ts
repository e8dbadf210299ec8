/**
 * EIP-55 mixed-case checksums of EVM addresses. An operator who pastes an address with one
 * character wrong is stopped here when the address carries a checksum (mixed case); an
 * all-lowercase or all-uppercase address carries none and is taken as written, as wallets and
 * ethers' `getAddress` do.
 */
import { keccak_256 } from '@noble/hashes/sha3';

const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** The address in its EIP-55 form; `hex` must be 0x followed by 40 hex characters. */
export function checksumAddress(hex: string): string {
  const lower = hex.slice(2).toLowerCase();
  const hash = keccak_256(new TextEncoder().encode(lower));
  let out = '0x';
  for (let i = 0; i < lower.length; i++) {
    const nibble = ((hash[i >> 1] ?? 0) >> (i % 2 === 0 ? 4 : 0)) & 0x0f;
    const c = lower.charAt(i);
    out += nibble >= 8 ? c.toUpperCase() : c;
  }
  return out;
}

export type AddressProblem = 'not-hex' | 'bad-checksum' | 'zero';

/** Why `value` is not a usable address, or undefined when it is one. */
export function addressProblem(value: string): AddressProblem | undefined {
  if (!HEX_ADDRESS.test(value)) return 'not-hex';
  const digits = value.slice(2);
  const mixed = digits !== digits.toLowerCase() && digits !== digits.toUpperCase();
  if (mixed && checksumAddress(value) !== value) return 'bad-checksum';
  if (/^0x0{40}$/.test(value)) return 'zero';
  return undefined;
}

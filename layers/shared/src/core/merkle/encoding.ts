/**
 * Byte encodings at the edges of the merkle code: hashes travel as 0x-prefixed lowercase hex
 * (both `0x…` and bare hex are accepted on input), public keys as base58.
 */
import bs58 from 'bs58';
import { ValidationError } from '../../errors.ts';

const HEX = /^[0-9a-fA-F]*$/;

export function toHex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

/** Parses hex with or without `0x`; `field` names the input in the error message. */
export function fromHex(hex: string, field: string, byteLength?: number): Uint8Array {
  if (typeof hex !== 'string') throw new ValidationError(`${field} must be a hex string`);
  const digits = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex;
  if (digits.length % 2 !== 0 || !HEX.test(digits)) {
    throw new ValidationError(`${field} must be hex (0x-prefixed or bare), got '${preview(hex)}'`);
  }
  if (byteLength !== undefined && digits.length !== byteLength * 2) {
    throw new ValidationError(`${field} must be ${byteLength} bytes of hex, got ${digits.length / 2}`);
  }
  return new Uint8Array(Buffer.from(digits, 'hex'));
}

export function toBase58(bytes: Uint8Array): string {
  return bs58.encode(bytes);
}

/** Parses a base58 public key (32 bytes unless told otherwise). */
export function fromBase58(text: string, field: string, byteLength = 32): Uint8Array {
  if (typeof text !== 'string') throw new ValidationError(`${field} must be a base58 string`);
  let bytes: Uint8Array;
  try {
    bytes = bs58.decode(text);
  } catch {
    throw new ValidationError(`${field} must be base58, got '${preview(text)}'`);
  }
  if (bytes.length !== byteLength) {
    throw new ValidationError(`${field} must decode to ${byteLength} bytes, got ${bytes.length}`);
  }
  return bytes;
}

function preview(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

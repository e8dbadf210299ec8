/**
 * streamer_key = keccak256("twitch:" ‖ ASCII-lowercased channel) (DESIGN.md section 5), the
 * seed that separates one channel's ChannelState PDA from another's. Pseudo-channels
 * (`category:music:milo`, `carry:milo`) go through the same function.
 */
import { keccak_256 } from '@noble/hashes/sha3';
import { ValidationError } from '../../errors.ts';

const PREFIX = new TextEncoder().encode('twitch:');

export function streamerKey(channel: string): Uint8Array {
  if (channel.length === 0) throw new ValidationError('channel must not be empty');
  const name = new TextEncoder().encode(asciiLowercase(channel));
  const preimage = new Uint8Array(PREFIX.length + name.length);
  preimage.set(PREFIX, 0);
  preimage.set(name, PREFIX.length);
  return keccak_256(preimage);
}

/** Only A–Z fold, as Rust's `to_ascii_lowercase` does; other characters are left alone. */
export function asciiLowercase(text: string): string {
  return text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

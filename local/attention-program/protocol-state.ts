/**
 * The attention program's `ProtocolState` account (one per mint, PDA ["protocol", mint]), as
 * the program's `state.rs` declares it (see program-source.ts): an Anchor `#[account]`, so
 * the 8-byte discriminator sha256("account:ProtocolState")[0..8], then Borsh: is_initialized
 * bool, version u8, admin, publisher, treasury and mint pubkeys, paused bool,
 * require_receipt bool, bump u8 (141 bytes in all). `publisher` all zeros means only the admin
 * may publish roots.
 */
import { createHash } from 'node:crypto';
import { PublicKey } from '@solana/web3.js';
import { findProtocolStateAddress } from '../../layers/shared/src/adapters/solana/attention-program.ts';

export const PROTOCOL_STATE_SIZE = 8 + 1 + 1 + 32 * 4 + 1 + 1 + 1;
export const PROTOCOL_STATE_DISCRIMINATOR: Uint8Array = anchorAccountDiscriminator('ProtocolState');

export interface ProtocolState {
  readonly isInitialized: boolean;
  readonly version: number;
  readonly admin: string;
  /** The allowlisted publisher; the default (all-zero) key allows only the admin. */
  readonly publisher: string;
  readonly treasury: string;
  readonly mint: string;
  readonly paused: boolean;
  readonly requireReceipt: boolean;
  readonly bump: number;
}

export function anchorAccountDiscriminator(name: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`account:${name}`).digest().subarray(0, 8));
}

export function protocolStateAddress(programId: string, mint: string): { address: string; bump: number } {
  const found = findProtocolStateAddress(new PublicKey(programId), new PublicKey(mint));
  return { address: found.address.toBase58(), bump: found.bump };
}

export function encodeProtocolState(state: ProtocolState): Uint8Array {
  const out = Buffer.alloc(PROTOCOL_STATE_SIZE);
  Buffer.from(PROTOCOL_STATE_DISCRIMINATOR).copy(out, 0);
  let at = 8;
  out[at++] = state.isInitialized ? 1 : 0;
  out[at++] = state.version;
  for (const key of [state.admin, state.publisher, state.treasury, state.mint]) {
    new PublicKey(key).toBuffer().copy(out, at);
    at += 32;
  }
  out[at++] = state.paused ? 1 : 0;
  out[at++] = state.requireReceipt ? 1 : 0;
  out[at] = state.bump;
  return new Uint8Array(out);
}

/** undefined when the bytes are too short or carry another account's discriminator. */
export function decodeProtocolState(data: Uint8Array): ProtocolState | undefined {
  if (data.length < PROTOCOL_STATE_SIZE) return undefined;
  if (!PROTOCOL_STATE_DISCRIMINATOR.every((byte, i) => data[i] === byte)) return undefined;
  const bytes = Buffer.from(data);
  const key = (at: number) => new PublicKey(bytes.subarray(at, at + 32)).toBase58();
  return {
    isInitialized: bytes[8] === 1,
    version: bytes[9] ?? 0,
    admin: key(10),
    publisher: key(42),
    treasury: key(74),
    mint: key(106),
    paused: bytes[138] === 1,
    requireReceipt: bytes[139] === 1,
    bump: bytes[140] ?? 0,
  };
}

export const DEFAULT_PUBKEY = PublicKey.default.toBase58();

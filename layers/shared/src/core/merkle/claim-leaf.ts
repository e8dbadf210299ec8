/**
 * Claim leaves. Two formats:
 *
 * `claim-v1`, the deployed attention-oracle program's (DESIGN.md section 5):
 *   leaf = keccak256(claimer 32 B ‖ index u32 LE ‖ amount u64 LE ‖ id UTF-8)
 *   node = keccak256(min(a, b) ‖ max(a, b))            (byte-wise order, no prefix)
 * A leaf preimage of 64 bytes (a 20-byte id) has the length of a node preimage, so v1 leaves
 * and nodes are not domain-separated; the program accepts it because the claimer must sign.
 *
 * `claim-v2`, for deployments with their own verifier:
 *   leaf = keccak256(0x00 ‖ program id 32 B ‖ epoch u64 LE ‖ claimer 32 B ‖ index u32 LE
 *                    ‖ amount u64 LE ‖ id UTF-8)
 *   node = keccak256(0x01 ‖ min(a, b) ‖ max(a, b))
 * Every leaf preimage starts with 0x00 and every node preimage with 0x01, so no node hash is
 * the hash of any leaf encoding (short of a keccak collision); the program id and epoch bind a
 * leaf to one program and one epoch.
 *
 * In both formats a level's odd last node is carried up unhashed, as merkletreejs does.
 */
import { ValidationError } from '../../errors.ts';
import { keccak256 } from './keccak.ts';

export type LeafFormat = 'claim-v1' | 'claim-v2';
export const LEAF_FORMATS: readonly LeafFormat[] = ['claim-v1', 'claim-v2'];

export interface Claim {
  /** The claimer's ed25519 public key, 32 bytes. */
  readonly claimer: Uint8Array;
  /** Bit index in the program's claimed bitmap (u32). */
  readonly index: number;
  /** Token base units (u64). */
  readonly amount: bigint;
  /** At most 64 bytes of UTF-8 (the v1 program's limit); the user_hash as 64 lowercase hex chars. */
  readonly id: string;
}

export type LeafOptions =
  | { readonly format: 'claim-v1' }
  | { readonly format: 'claim-v2'; readonly programId: Uint8Array; readonly epoch: bigint | number };

export const CLAIM_V2_LEAF_PREFIX = 0x00;
export const CLAIM_V2_NODE_PREFIX = 0x01;
export const MAX_ID_BYTES = 64;
export const MAX_U32 = 0xffff_ffff;
export const MAX_U64 = (1n << 64n) - 1n;

const V1_ID_OFFSET = 32 + 4 + 8;
/** 1 prefix + 32 program id + 8 epoch ahead of the v1 layout. */
const V2_HEADER = 1 + 32 + 8;
const LONGEST_LEAF = V2_HEADER + V1_ID_OFFSET + MAX_ID_BYTES;
const LONE_SURROGATE = /\p{Cs}/u;
const utf8 = new TextEncoder();

export function isLeafFormat(value: unknown): value is LeafFormat {
  return value === 'claim-v1' || value === 'claim-v2';
}

/** Throws a ValidationError naming the first bad field (`${path}.amount`, say). */
export function validateClaim(claim: Claim, path = 'claim'): void {
  if (typeof claim !== 'object' || claim === null) throw new ValidationError(`${path} must be an object`);
  const { claimer, index, amount, id } = claim;
  if (!(claimer instanceof Uint8Array) || claimer.length !== 32) {
    throw new ValidationError(`${path}.claimer must be a 32-byte public key`);
  }
  if (!Number.isInteger(index) || index < 0 || index > MAX_U32) {
    throw new ValidationError(
      `${path}.index must be an integer from 0 to ${MAX_U32} (u32), got ${String(index)}`,
    );
  }
  if (typeof amount !== 'bigint') throw new ValidationError(`${path}.amount must be a bigint`);
  if (amount < 0n || amount > MAX_U64) {
    throw new ValidationError(`${path}.amount must be from 0 to 2^64 - 1 (u64), got ${amount}`);
  }
  if (typeof id !== 'string') throw new ValidationError(`${path}.id must be a string`);
  if (id.length <= MAX_ID_BYTES && isAscii(id)) return;
  if (LONE_SURROGATE.test(id)) throw new ValidationError(`${path}.id is not valid Unicode (lone surrogate)`);
  const bytes = Buffer.byteLength(id, 'utf8');
  if (bytes > MAX_ID_BYTES) {
    throw new ValidationError(`${path}.id must be at most ${MAX_ID_BYTES} bytes of UTF-8, got ${bytes}`);
  }
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}

export function validateLeafOptions(options: LeafOptions): void {
  if (!isLeafFormat(options?.format)) {
    throw new ValidationError(`format must be one of ${LEAF_FORMATS.join(', ')}`);
  }
  if (options.format === 'claim-v2') {
    if (!(options.programId instanceof Uint8Array) || options.programId.length !== 32) {
      throw new ValidationError('programId must be a 32-byte public key (claim-v2)');
    }
    toU64(options.epoch, 'epoch');
  }
}

function toU64(value: bigint | number, field: string): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'bigint' && value >= 0n && value <= MAX_U64) return value;
  throw new ValidationError(`${field} must be an integer from 0 to 2^64 - 1 (u64), got ${String(value)}`);
}

/**
 * Encodes leaf preimages, into a caller's buffer (a tree's batch of preimages) or into one
 * reused scratch buffer: building a tree encodes every claim, so the per-leaf cost is a few
 * byte writes and no allocation.
 */
export class LeafEncoder {
  readonly format: LeafFormat;
  /** The longest preimage this encoder writes (an id of MAX_ID_BYTES). */
  readonly maxLength: number;
  /** What precedes the claimer: nothing (v1), or the v2 prefix, program id and epoch. */
  private readonly header: Uint8Array;
  private readonly scratch = new Uint8Array(LONGEST_LEAF);
  /** Views of scratch by preimage length, so encoding allocates none. */
  private readonly prefixes: Uint8Array[] = [];
  /** A DataView of the buffer written last, kept while the buffer stays the same. */
  private view: DataView = new DataView(this.scratch.buffer);

  constructor(options: LeafOptions) {
    validateLeafOptions(options);
    this.format = options.format;
    this.header = new Uint8Array(options.format === 'claim-v2' ? V2_HEADER : 0);
    if (options.format === 'claim-v2') {
      this.header[0] = CLAIM_V2_LEAF_PREFIX;
      this.header.set(options.programId, 1);
      new DataView(this.header.buffer).setBigUint64(33, toU64(options.epoch, 'epoch'), true);
    }
    this.maxLength = this.header.length + V1_ID_OFFSET + MAX_ID_BYTES;
  }

  /**
   * Writes `claim`'s leaf preimage into `into` from `at` on (room for `maxLength` bytes) and
   * returns its length. A bad claim throws a ValidationError naming the field under `path`.
   */
  encodeInto(claim: Claim, into: Uint8Array, at: number, path = 'claim'): number {
    // The checks of validateClaim, inline; it runs only to name what is wrong.
    if (typeof claim !== 'object' || claim === null) validateClaim(claim, path);
    const { claimer, index, amount, id } = claim;
    if (
      !(claimer instanceof Uint8Array) ||
      claimer.length !== 32 ||
      index >>> 0 !== index ||
      typeof amount !== 'bigint' ||
      amount < 0n ||
      amount > MAX_U64 ||
      typeof id !== 'string'
    ) {
      validateClaim(claim, path);
    }
    const { header } = this;
    if (header.length > 0) into.set(header, at);
    const claimerAt = at + header.length;
    into.set(claimer, claimerAt);
    if (this.view.buffer !== into.buffer) this.view = new DataView(into.buffer);
    const offset = into.byteOffset + claimerAt;
    this.view.setUint32(offset + 32, index, true);
    this.view.setBigUint64(offset + 36, amount, true);
    const idStart = claimerAt + V1_ID_OFFSET;
    let length = 0;
    // ids are 64 hex chars in practice: write ASCII directly, fall back to TextEncoder.
    if (id.length <= MAX_ID_BYTES) {
      for (; length < id.length; length++) {
        const code = id.charCodeAt(length);
        if (code >= 0x80) break;
        into[idStart + length] = code;
      }
    }
    if (length < id.length) {
      validateClaim(claim, path);
      length = utf8.encodeInto(id, into.subarray(idStart, idStart + MAX_ID_BYTES)).written;
    }
    return header.length + V1_ID_OFFSET + length;
  }

  /** The preimage of `claim`'s leaf; a view into scratch, valid until the next call. */
  encode(claim: Claim, path = 'claim'): Uint8Array {
    const total = this.encodeInto(claim, this.scratch, 0, path);
    let preimage = this.prefixes[total];
    if (preimage === undefined) {
      preimage = this.scratch.subarray(0, total);
      this.prefixes[total] = preimage;
    }
    return preimage;
  }

  leafHash(claim: Claim, path = 'claim'): Uint8Array {
    return keccak256(this.encode(claim, path));
  }
}

/** The leaf hash of one claim. */
export function claimLeafHash(claim: Claim, options: LeafOptions): Uint8Array {
  return new LeafEncoder(options).leafHash(claim);
}

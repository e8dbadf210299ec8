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
 * Encodes leaf preimages into one reused scratch buffer: building a tree encodes every claim,
 * so the per-leaf cost is a few byte writes and no allocation.
 */
export class LeafEncoder {
  readonly format: LeafFormat;
  private readonly scratch = new Uint8Array(LONGEST_LEAF);
  private readonly view = new DataView(this.scratch.buffer);
  /** Views of scratch by preimage length, so encoding allocates none. */
  private readonly prefixes: Uint8Array[] = [];
  private readonly base: number;
  /** The longest preimage this encoder writes (an id of MAX_ID_BYTES). */
  readonly maxLength: number;

  constructor(options: LeafOptions) {
    validateLeafOptions(options);
    this.format = options.format;
    if (options.format === 'claim-v2') {
      this.scratch[0] = CLAIM_V2_LEAF_PREFIX;
      this.scratch.set(options.programId, 1);
      this.view.setBigUint64(33, toU64(options.epoch, 'epoch'), true);
      this.base = V2_HEADER;
    } else {
      this.base = 0;
    }
    this.maxLength = this.base + V1_ID_OFFSET + MAX_ID_BYTES;
  }

  /** The preimage of `claim`'s leaf; a view into scratch, valid until the next call. */
  encode(claim: Claim, path = 'claim'): Uint8Array {
    validateClaim(claim, path);
    const { scratch, view, base } = this;
    scratch.set(claim.claimer, base);
    view.setUint32(base + 32, claim.index, true);
    view.setBigUint64(base + 36, claim.amount, true);
    const id = claim.id;
    const idStart = base + V1_ID_OFFSET;
    let length = 0;
    // ids are 64 hex chars in practice: write ASCII directly, fall back to TextEncoder.
    for (; length < id.length; length++) {
      const code = id.charCodeAt(length);
      if (code >= 0x80) break;
      scratch[idStart + length] = code;
    }
    if (length < id.length) {
      length = utf8.encodeInto(id, scratch.subarray(idStart, idStart + MAX_ID_BYTES)).written;
    }
    const total = idStart + length;
    let preimage = this.prefixes[total];
    if (preimage === undefined) {
      preimage = scratch.subarray(0, total);
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

/**
 * The slice of Borsh the attention program's instructions use: little-endian integers,
 * fixed byte arrays, `String` (u32 LE byte length + UTF-8) and `Vec<[u8; 32]>` (u32 LE count
 * + items). Values are range-checked, so an out-of-range number fails here instead of being
 * silently truncated into the instruction.
 */
import { ValidationError } from '../../errors.ts';

const U64_MAX = (1n << 64n) - 1n;

export class BorshWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  bytes(value: Uint8Array, expectedLength: number, field: string): this {
    if (value.length !== expectedLength) {
      throw new ValidationError(`${field} must be ${expectedLength} bytes, got ${value.length}`);
    }
    return this.push(Uint8Array.from(value));
  }

  u8(value: number, field: string): this {
    return this.push(Uint8Array.of(checkInteger(value, 0xff, field)));
  }

  u16(value: number, field: string): this {
    const out = new Uint8Array(2);
    new DataView(out.buffer).setUint16(0, checkInteger(value, 0xffff, field), true);
    return this.push(out);
  }

  u32(value: number, field: string): this {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, checkInteger(value, 0xffff_ffff, field), true);
    return this.push(out);
  }

  u64(value: bigint | number, field: string): this {
    const big =
      typeof value === 'bigint' ? value : BigInt(checkInteger(value, Number.MAX_SAFE_INTEGER, field));
    if (big < 0n || big > U64_MAX) throw new ValidationError(`${field} must fit in a u64, got ${big}`);
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, big, true);
    return this.push(out);
  }

  string(value: string, field: string, maxBytes?: number): this {
    const utf8 = new TextEncoder().encode(value);
    if (maxBytes !== undefined && utf8.length > maxBytes) {
      throw new ValidationError(`${field} must be at most ${maxBytes} bytes of UTF-8, got ${utf8.length}`);
    }
    this.u32(utf8.length, `${field} length`);
    return this.push(utf8);
  }

  fixedArrayVec(items: readonly Uint8Array[], itemLength: number, field: string): this {
    this.u32(items.length, `${field} length`);
    items.forEach((item, i) => {
      this.bytes(item, itemLength, `${field}[${i}]`);
    });
    return this;
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private push(chunk: Uint8Array): this {
    this.chunks.push(chunk);
    this.length += chunk.length;
    return this;
  }
}

export class BorshReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly data: Uint8Array) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.data.length - this.offset;
  }

  bytes(length: number, field: string): Uint8Array {
    this.need(length, field);
    // A copy, and a plain Uint8Array even when the input is a Buffer (whose slice() is a view).
    const out = new Uint8Array(this.data.subarray(this.offset, this.offset + length));
    this.offset += length;
    return out;
  }

  u8(field: string): number {
    this.need(1, field);
    return this.view.getUint8(this.offset++);
  }

  u16(field: string): number {
    this.need(2, field);
    const value = this.view.getUint16(this.offset, true);
    this.offset += 2;
    return value;
  }

  u32(field: string): number {
    this.need(4, field);
    const value = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return value;
  }

  u64(field: string): bigint {
    this.need(8, field);
    const value = this.view.getBigUint64(this.offset, true);
    this.offset += 8;
    return value;
  }

  string(field: string): string {
    const length = this.u32(`${field} length`);
    const bytes = this.bytes(length, field);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new ValidationError(`${field} is not valid UTF-8`);
    }
  }

  fixedArrayVec(itemLength: number, field: string): Uint8Array[] {
    const count = this.u32(`${field} length`);
    this.need(count * itemLength, field);
    return Array.from({ length: count }, (_, i) => this.bytes(itemLength, `${field}[${i}]`));
  }

  private need(length: number, field: string): void {
    if (this.offset + length > this.data.length) {
      throw new ValidationError(
        `${field}: data ends at byte ${this.data.length}, needed ${this.offset + length}`,
      );
    }
  }
}

function checkInteger(value: number, max: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new ValidationError(`${field} must be an integer in [0, ${max}], got ${value}`);
  }
  return value;
}

// Reads HDF5 structures at file addresses: every address is relative to the
// base (where the superblock sits, after any user block), sized by the
// superblock's "size of offsets" and "size of lengths", and every read is
// exact: a structure cut short by the end of the file is malformed.
import type { ByteSource } from '../../byte-source.js';
import { MalformedError } from '../../errors.js';

/** Little-endian reads from one structure's bytes, with its file offset for messages. */
export class Cursor {
  pos = 0;
  constructor(
    readonly bytes: Uint8Array,
    /** File offset of bytes[0]. */
    readonly fileOffset: number,
    private readonly what: string,
    readonly offsetSize = 8,
    readonly lengthSize = 8,
  ) {}

  get left(): number {
    return this.bytes.length - this.pos;
  }

  need(n: number): void {
    if (n < 0 || this.pos + n > this.bytes.length) throw new MalformedError(`${this.what} ends at byte ${this.fileOffset + this.bytes.length}, before a field of ${n} bytes at ${this.fileOffset + this.pos}`, { offset: this.fileOffset + this.pos });
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.bytes[this.pos]! | (this.bytes[this.pos + 1]! << 8);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const b = this.bytes;
    const v = (b[this.pos]! | (b[this.pos + 1]! << 8) | (b[this.pos + 2]! << 16) | (b[this.pos + 3]! << 24)) >>> 0;
    this.pos += 4;
    return v;
  }

  /** An unsigned integer of `size` bytes; undefined when all bits are set (HDF5's "undefined address") or past 2^53. */
  uint(size: number): number | undefined {
    this.need(size);
    let value = 0n;
    let allOnes = true;
    for (let i = size - 1; i >= 0; i--) {
      const byte = this.bytes[this.pos + i]!;
      if (byte !== 0xff) allOnes = false;
      value = (value << 8n) | BigInt(byte);
    }
    this.pos += size;
    if (allOnes || value > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    return Number(value);
  }

  /** An address: undefined for the undefined address. */
  address(): number | undefined {
    return this.uint(this.offsetSize);
  }

  /** A length that must be defined and below 2^53. */
  length(what: string): number {
    const at = this.fileOffset + this.pos;
    const value = this.uint(this.lengthSize);
    if (value === undefined) throw new MalformedError(`${what} at offset ${at} is past 2^53`, { offset: at });
    return value;
  }

  take(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** Offset in the file of the next byte. */
  get here(): number {
    return this.fileOffset + this.pos;
  }
}

export class Hdf5Reader {
  constructor(
    readonly source: ByteSource,
    /** Absolute file offset every address is relative to. */
    readonly base: number,
    readonly offsetSize: number,
    readonly lengthSize: number,
  ) {}

  /** The file offset of an address, checked to lie inside the file. */
  at(address: number, what: string): number {
    const offset = this.base + address;
    if (!Number.isSafeInteger(offset) || offset >= this.source.size) throw new MalformedError(`${what} is at address ${address} (file offset ${offset}), past the end of the file (${this.source.size} bytes)`, { offset: Number.isSafeInteger(offset) ? offset : 0 });
    return offset;
  }

  /** Exactly `length` bytes at file offset `offset`, as a cursor; malformed when the file ends first. */
  async cursor(offset: number, length: number, what: string): Promise<Cursor> {
    const bytes = await this.source.read(offset, length);
    if (bytes.length < length) throw new MalformedError(`${what} (${length} bytes at offset ${offset}) runs past the end of the file`, { offset });
    return new Cursor(bytes, offset, what, this.offsetSize, this.lengthSize);
  }
}

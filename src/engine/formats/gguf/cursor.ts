// A forward-only reader over the GGUF header: it holds one window of the file
// (CHUNK_BYTES, or more for one long string) and refills it from the ByteSource,
// so a header of any size costs only its own bytes and never the tensor data.
// Sizes are u32 in GGUF v1 and u64 from v2 on; numbers follow the file's byte order.
import { MAX_READ_BYTES, type ByteSource } from '../../byte-source.js';
import { LimitError, MalformedError, ReadError } from '../../errors.js';
import { MAX_HEADER_BYTES } from './limits.js';

/** First refill: most headers of small files end within it, so little past the header is read. */
const FIRST_CHUNK_BYTES = 16 * 1024;
/** Refills double up to this: a 10 MB vocabulary costs a dozen reads, and at most this much past the header is read. */
const MAX_CHUNK_BYTES = 1024 * 1024;

export class HeaderCursor {
  private window: Uint8Array = new Uint8Array(0);
  private view: DataView = new DataView(new ArrayBuffer(0));
  /** File offset of window[0]. */
  private windowStart = 0;
  /** File offset of the next byte to read. */
  private at: number;
  private chunk = FIRST_CHUNK_BYTES;

  constructor(
    private readonly source: ByteSource,
    readonly littleEndian: boolean,
    /** u64 sizes (v2+) or u32 (v1). */
    readonly wideSizes: boolean,
    start: number,
  ) {
    this.at = start;
  }

  get offset(): number {
    return this.at;
  }

  /** Bytes of the file after the cursor. */
  get left(): number {
    return this.source.size - this.at;
  }

  /** Width of a size field (string length, array length, count, dimension). */
  get sizeWidth(): number {
    return this.wideSizes ? 8 : 4;
  }

  /** True when the next n bytes are in the window (callers then read without awaiting). */
  has(n: number): boolean {
    return this.at + n <= this.windowStart + this.window.length;
  }

  /** Makes the next n bytes readable; a file that ends first is truncated; past MAX_HEADER_BYTES is a limit. */
  async fill(n: number, what: string | (() => string)): Promise<void> {
    if (this.has(n)) return;
    const label = () => (typeof what === 'string' ? what : what());
    if (this.at + n > MAX_HEADER_BYTES) {
      throw new LimitError('MAX_HEADER_BYTES', this.at + n, `the GGUF header runs past ${MAX_HEADER_BYTES} bytes (MAX_HEADER_BYTES) at ${label()}`, { offset: this.at });
    }
    if (n > this.left) throw truncated(label(), this.at, n, this.left);
    const length = Math.min(Math.max(n, this.chunk), this.left, MAX_READ_BYTES);
    this.chunk = Math.min(this.chunk * 2, MAX_CHUNK_BYTES);
    const bytes = await this.source.read(this.at, Math.max(length, n));
    if (bytes.length < n) throw new ReadError(`${this.source.name} ended at byte ${this.at + bytes.length} while the GGUF header was read: did the file shrink?`);
    this.window = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.windowStart = this.at;
  }

  /** Moves past n bytes without reading them (a long string's tail); checked against the file and the header limit. */
  skip(n: number, what: string | (() => string)): void {
    if (this.at + n > MAX_HEADER_BYTES || n > this.left) {
      // Labels are built only when needed: the vocabulary walk skips hundreds of thousands of strings.
      const label = typeof what === 'string' ? what : what();
      if (this.at + n > MAX_HEADER_BYTES) throw new LimitError('MAX_HEADER_BYTES', this.at + n, `the GGUF header runs past ${MAX_HEADER_BYTES} bytes (MAX_HEADER_BYTES) at ${label}`, { offset: this.at });
      throw truncated(label, this.at, n, this.left);
    }
    this.at += n;
  }

  private rel(n: number): number {
    const i = this.at - this.windowStart;
    this.at += n;
    return i;
  }

  // The readers below assume has(width) was made true by fill().
  u8(): number {
    return this.view.getUint8(this.rel(1));
  }
  i8(): number {
    return this.view.getInt8(this.rel(1));
  }
  u16(): number {
    return this.view.getUint16(this.rel(2), this.littleEndian);
  }
  i16(): number {
    return this.view.getInt16(this.rel(2), this.littleEndian);
  }
  u32(): number {
    return this.view.getUint32(this.rel(4), this.littleEndian);
  }
  i32(): number {
    return this.view.getInt32(this.rel(4), this.littleEndian);
  }
  f32(): number {
    return this.view.getFloat32(this.rel(4), this.littleEndian);
  }
  f64(): number {
    return this.view.getFloat64(this.rel(8), this.littleEndian);
  }
  u64(): bigint {
    return this.view.getBigUint64(this.rel(8), this.littleEndian);
  }
  i64(): bigint {
    return this.view.getBigInt64(this.rel(8), this.littleEndian);
  }
  /** The next size field without moving past it (has(sizeWidth) must hold). */
  peekSize(): bigint {
    const i = this.at - this.windowStart;
    return this.wideSizes ? this.view.getBigUint64(i, this.littleEndian) : BigInt(this.view.getUint32(i, this.littleEndian));
  }
  /** A size field as a number, or -1 past 2^32 (the hot loops' fast path; callers then use size()). */
  smallSize(): number {
    if (!this.wideSizes) return this.u32();
    const i = this.at - this.windowStart;
    const lo = this.view.getUint32(this.littleEndian ? i : i + 4, this.littleEndian);
    const hi = this.view.getUint32(this.littleEndian ? i + 4 : i, this.littleEndian);
    if (hi !== 0) return -1;
    this.at += 8;
    return lo;
  }
  /** A size field as a bigint (so a value past 2^53 is seen, not rounded). */
  size(): bigint {
    return this.wideSizes ? this.u64() : BigInt(this.u32());
  }
  bytes(n: number): Uint8Array {
    const i = this.rel(n);
    return this.window.subarray(i, i + n);
  }
}

export function truncated(what: string, offset: number, needed: number | bigint, left: number): MalformedError {
  return new MalformedError(`file ends inside the GGUF header: ${what} at byte ${offset} needs ${needed} bytes, ${left} are left`, { offset }, 'gguf.truncated');
}

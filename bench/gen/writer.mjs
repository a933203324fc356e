// Tiny buffered, positional file writer shared by the benchmark generators.
// Small writes are gathered into one big buffer; big ones go straight to the
// file. Nothing ever holds a whole output file in memory.
import fs from 'node:fs';

const DEFAULT_BUFFER = 8 * 1024 * 1024;

export class FileWriter {
  /** @param {string} path  @param {{bufferSize?: number}} [opts] */
  constructor(path, opts = {}) {
    this.path = path;
    this.fd = fs.openSync(path, 'w');
    this.buf = Buffer.allocUnsafe(opts.bufferSize ?? DEFAULT_BUFFER);
    this.used = 0;
    this.flushedTo = 0; // file position of buf[0]
  }

  /** Bytes written (or skipped) so far: the position the next write lands at. */
  get position() {
    return this.flushedTo + this.used;
  }

  /** @param {Uint8Array} bytes */
  write(bytes) {
    const n = bytes.length;
    if (n <= this.buf.length - this.used) {
      this.buf.set(bytes, this.used);
      this.used += n;
      return;
    }
    this.flush();
    if (n >= this.buf.length / 2) {
      writeAll(this.fd, bytes, this.flushedTo);
      this.flushedTo += n;
    } else {
      this.buf.set(bytes, 0);
      this.used = n;
    }
  }

  /** Leaves a hole of n bytes (reads back as zeros; costs no disk if never written). */
  skip(n) {
    this.flush();
    this.flushedTo += n;
  }

  flush() {
    if (this.used > 0) {
      writeAll(this.fd, this.buf.subarray(0, this.used), this.flushedTo);
      this.flushedTo += this.used;
      this.used = 0;
    }
  }

  /** Flushes, makes the file exactly `position` bytes long (so a trailing hole is kept), closes. */
  close() {
    this.flush();
    fs.ftruncateSync(this.fd, this.flushedTo);
    fs.closeSync(this.fd);
    this.fd = -1;
  }

  /** Closes and deletes a half-written file. */
  abort() {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    fs.rmSync(this.path, { force: true });
  }
}

/** Same interface as FileWriter, writes nothing: used to work out a file's size. */
export class CountingWriter {
  constructor() {
    this.position = 0;
  }
  write(bytes) {
    this.position += bytes.length;
  }
  skip(n) {
    this.position += n;
  }
  flush() {}
  close() {}
  abort() {}
}

function writeAll(fd, bytes, position) {
  let done = 0;
  while (done < bytes.length) {
    done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
  }
}

// ---- little helpers shared by the generators ---------------------------------

export const ascii = (s) => Buffer.from(s, 'latin1');
export const utf8 = (s) => Buffer.from(s, 'utf8');

export function u16le(v) {
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16LE(v);
  return b;
}
export function u32le(v) {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(v);
  return b;
}
export function u64le(v) {
  const b = Buffer.allocUnsafe(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
}

/** Deterministic pseudo-random generator (mulberry32): same files on every run. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function f32ToF16Bits(f) {
  const f32 = new Float32Array([f]);
  const x = new Uint32Array(f32.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  const mant = x & 0x7fffff;
  if (exp <= 0) return sign; // tiny values flush to zero: fine for a fill pattern
  if (exp >= 31) return sign | 0x7c00;
  return sign | (exp << 10) | (mant >>> 13);
}

const patternCache = new Map();

/**
 * A buffer of `bytes` bytes holding weight-like values (about N(0, 0.02)) of the
 * given dtype, repeated over and over to fill tensors cheaply.
 * dtype: 'F32' | 'F16' | 'BF16'.
 */
export function weightPattern(dtype, bytes = 4 * 1024 * 1024) {
  const key = `${dtype}:${bytes}`;
  let buf = patternCache.get(key);
  if (buf) return buf;
  buf = Buffer.allocUnsafe(bytes);
  const rnd = prng(0x5eed + bytes);
  const value = () => (rnd() + rnd() + rnd() - 1.5) * 0.04;
  if (dtype === 'F32') {
    for (let i = 0; i + 4 <= bytes; i += 4) buf.writeFloatLE(value(), i);
  } else if (dtype === 'BF16') {
    const tmp = Buffer.allocUnsafe(4);
    for (let i = 0; i + 2 <= bytes; i += 2) {
      tmp.writeFloatLE(value());
      buf.writeUInt16LE(tmp.readUInt16LE(2), i);
    }
  } else if (dtype === 'F16') {
    for (let i = 0; i + 2 <= bytes; i += 2) buf.writeUInt16LE(f32ToF16Bits(value()), i);
  } else {
    throw new Error(`no pattern for dtype ${dtype}`);
  }
  patternCache.set(key, buf);
  return buf;
}

/**
 * Calls emit(chunk) with consecutive slices of `pattern` (repeated) totalling n bytes.
 * Every chunk but the last is a whole pattern, so the caller can write it without copying.
 */
export function forEachPatternChunk(pattern, n, emit) {
  let left = n;
  while (left > 0) {
    const take = Math.min(left, pattern.length);
    emit(take === pattern.length ? pattern : pattern.subarray(0, take));
    left -= take;
  }
}

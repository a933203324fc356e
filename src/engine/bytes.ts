// Little helpers over Uint8Array that every decoder needs.
import { MalformedError } from './errors.js';

export function startsWith(bytes: Uint8Array, prefix: ArrayLike<number>, at = 0): boolean {
  if (at + prefix.length > bytes.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}

export function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads a little-endian u64 as a number, or undefined past 2^53 (callers treat that as too big). */
export function u64(bytes: Uint8Array, at: number): number | undefined {
  const value = view(bytes).getBigUint64(at, true);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}

export function hex(bytes: Uint8Array, max = 16): string {
  return Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

export function indexOfBytes(haystack: Uint8Array, needle: ArrayLike<number>, from = 0): number {
  for (let i = from; i + needle.length <= haystack.length; i++) if (startsWith(haystack, needle, i)) return i;
  return -1;
}

/** A size or count from the file as a number; past 2^53 it cannot describe a real file. */
export function safeInteger(value: bigint, what: string, offset: number): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new MalformedError(`${what} ${value} is larger than any real file`, { offset });
  return Number(value);
}

// Decodes the scalar an opcode at an offset pushed, as CPython's unpickler
// would build it. Texts are cut at MAX_TEXT_BYTES: the report shows values,
// it does not copy payloads.
import type { StreamReader } from './stream-reader.js';
import type { PyValue } from './types.js';

/** Bytes of one string shown; longer ones are marked truncated. */
export const MAX_TEXT_BYTES = 4096;
/** Bytes of a bytes object shown. */
export const BYTES_HEAD = 32;
/** Longest integer decoded digit by digit (LONG4 can declare gigabytes). */
const MAX_LONG_BYTES = 1024;

const utf8 = new TextDecoder('utf-8');
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 as CPython decodes pickle text; a lossy decoding marked invalid when it refuses the bytes. */
function decodeUtf8(bytes: Uint8Array, cut: boolean): { value: string; invalidUtf8?: true } {
  try {
    return { value: strictUtf8.decode(bytes) };
  } catch {
    // a string cut at MAX_TEXT_BYTES may end inside a character: only the cut itself is forgiven
    const lossy = utf8.decode(bytes);
    if (cut && !lossy.slice(0, -1).includes('\ufffd')) return { value: lossy };
    return { value: lossy, invalidUtf8: true };
  }
}
const latin1 = new TextDecoder('latin1');

export async function decodeScalar(reader: StreamReader, kind: 'int' | 'float' | 'str' | 'bytes' | 'bytearray', offset: number): Promise<PyValue> {
  const head = await reader.bytes(offset, 9);
  const code = head[0];
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  switch (code) {
    case 0x8c: case 0x55: case 0x43: return text(reader, code, offset + 2, head[1]!);
    case 0x58: case 0x54: case 0x42: return text(reader, code, offset + 5, view.getUint32(1, true));
    case 0x8d: case 0x8e: case 0x96: return text(reader, code, offset + 9, Number(view.getBigUint64(1, true)));
    case 0x56: case 0x53: case 0x49: case 0x4c: case 0x46: return line(reader, code, offset + 1);
    case 0x47: return { type: 'float', value: view.getFloat64(1, false) }; // BINFLOAT is big-endian
    case 0x8a: return long(reader, offset + 2, head[1]!);
    case 0x8b: return long(reader, offset + 5, view.getInt32(1, true));
  }
  return { type: 'elided', what: `${kind} at ${offset}` };
}

async function text(reader: StreamReader, code: number, start: number, length: number): Promise<PyValue> {
  const shown = Math.min(length, code === 0x43 || code === 0x42 || code === 0x8e || code === 0x96 ? BYTES_HEAD : MAX_TEXT_BYTES);
  const bytes = await reader.bytes(start, shown);
  if (code === 0x43 || code === 0x42 || code === 0x8e || code === 0x96) {
    return { type: 'bytes', length, head: bytes.slice(), ...(code === 0x96 ? { bytearray: true as const } : {}) };
  }
  if (code === 0x55 || code === 0x54) {
    const value = latin1.decode(bytes);
    return length > shown ? { type: 'str', value, truncated: true } : { type: 'str', value };
  }
  const decoded = decodeUtf8(bytes, length > shown);
  return { type: 'str', ...decoded, ...(length > shown ? { truncated: true as const } : {}) };
}

async function line(reader: StreamReader, code: number, start: number): Promise<PyValue> {
  const bytes = await reader.bytes(start, MAX_TEXT_BYTES + 1);
  const nl = bytes.indexOf(0x0a);
  const raw = latin1.decode(bytes.subarray(0, nl < 0 ? MAX_TEXT_BYTES : nl));
  const truncated = nl < 0;
  if (code === 0x46) return { type: 'float', value: Number(raw) };
  if (code === 0x49 || code === 0x4c) {
    const digits = raw.endsWith('L') ? raw.slice(0, -1) : raw;
    try {
      return { type: 'int', value: BigInt(digits) };
    } catch {
      return { type: 'elided', what: 'integer' };
    }
  }
  const value = code === 0x53 ? unquote(raw) : rawUnicodeEscape(raw);
  return truncated ? { type: 'str', value, truncated: true } : { type: 'str', value };
}

async function long(reader: StreamReader, start: number, length: number): Promise<PyValue> {
  if (length === 0) return { type: 'int', value: 0n };
  if (length > MAX_LONG_BYTES) return { type: 'elided', what: `integer of ${length} bytes` };
  const bytes = await reader.bytes(start, length);
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  if (bytes[bytes.length - 1]! & 0x80) value -= 1n << BigInt(8 * bytes.length);
  return { type: 'int', value };
}

/** A protocol-0 STRING argument: a quoted Python 2 literal. */
function unquote(raw: string): string {
  const body = raw.slice(1, -1);
  return body.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/gs, (_, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
    return ({ n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v' } as Record<string, string>)[e] ?? `\\${e}`;
  });
}

/** UNICODE's raw-unicode-escape: only \uXXXX and \UXXXXXXXX are escapes. */
function rawUnicodeEscape(raw: string): string {
  return raw.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (m, u: string | undefined, U: string | undefined) => {
    const cp = parseInt((u ?? U)!, 16);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
  });
}

export async function decodeTextSpan(reader: StreamReader, offset: number, length: number): Promise<{ value: string; invalidUtf8?: true }> {
  const bytes = await reader.bytes(offset, Math.min(length, MAX_TEXT_BYTES));
  return decodeUtf8(bytes, length > MAX_TEXT_BYTES);
}

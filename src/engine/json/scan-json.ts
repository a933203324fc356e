// Drives the wasm JSON scanner over a text held in memory: feeds it window by
// window, hands each drained tape to a sink, settles duplicate-key candidates
// (equal hashes) by comparing the decoded keys, and turns the scanner's error
// codes into JsonErrors with the same wording everywhere. Synchronous from
// begin to end, so no other user of the wasm instance can interleave.
import type { WeightlensWasm } from '../wasm.js';
import { JsonScanStatus } from './scanner-api.js';
import { JsonError, type JsonErrorKind } from './value.js';
import { decodeAnyString, type TapeSink } from './tape.js';

/**
 * Keys held at once for duplicate checks (16 bytes each, plus their index):
 * bounds the scanner's memory to about 50 MB. A safetensors header needs
 * MAX_TENSORS plus a few; a model index one per tensor.
 */
export const JSON_MAX_OPEN_KEYS = 2_000_000;
/** Nesting the scanner can track at all (assembly/json/key-set.ts KEYSET_MAX_DEPTH). */
export const JSON_DEPTH_CAPACITY = 1024;
/** Offsets cross the wasm boundary as u32. */
const MAX_TEXT_BYTES = 2 ** 32 - 1;
/** Longest key quoted in full in a message. */
const QUOTED_KEY_CHARS = 200;

export interface JsonScanOptions {
  /** Deepest nesting of arrays and objects allowed. */
  maxDepth: number;
  /** Keys allowed in any one object (default: no limit). */
  maxObjectKeys?: number;
  /** Keys held at once (default JSON_MAX_OPEN_KEYS). */
  maxOpenKeys?: number;
  /** Bytes per window (default and maximum: the wasm input window); tests use tiny ones. */
  window?: number;
  /** Bits of the key hash kept (default 64); tests narrow it to force collisions. */
  hashBits?: number;
}

const SYNTAX_MESSAGES: Readonly<Record<number, string>> = {
  1: 'unexpected end of input',
  2: 'unexpected character',
  3: 'expected a quoted key',
  4: "expected ':'",
  5: "expected ',' or '}'",
  6: "expected ',' or ']'",
  7: 'unterminated string',
  8: 'control character inside a string',
  9: 'invalid escape in string',
  10: 'unpaired surrogate escape in string',
  11: 'invalid number',
  12: 'unexpected bytes after the JSON value',
};
/** Reasons whose message says so when the text ended where the byte was expected. */
const EXPECTS = new Set([4, 5, 6]);

/**
 * Scans `bytes` as one strict JSON value and passes the tape to `sink`; throws
 * JsonError. Invalid UTF-8 anywhere wins over any other error, as in the
 * reference (which decodes the text before parsing it).
 */
export function scanJson(wasm: WeightlensWasm, bytes: Uint8Array, options: JsonScanOptions, sink: TapeSink): void {
  if (bytes.length > MAX_TEXT_BYTES) throw new RangeError(`a JSON text of ${bytes.length} bytes is past what the scanner addresses`);
  if (!(options.maxDepth >= 0 && options.maxDepth <= JSON_DEPTH_CAPACITY)) throw new RangeError(`maxDepth ${options.maxDepth} is past ${JSON_DEPTH_CAPACITY}`);
  const maxObjectKeys = Math.min(options.maxObjectKeys ?? MAX_TEXT_BYTES, MAX_TEXT_BYTES);
  const maxOpenKeys = Math.min(options.maxOpenKeys ?? JSON_MAX_OPEN_KEYS, MAX_TEXT_BYTES);
  const step = Math.max(1, Math.min(options.window ?? wasm.inputCapacity, wasm.inputCapacity));
  const seed = crypto.getRandomValues(new Uint32Array(2));

  const scanner = wasm.jsonScanner();
  scanner.begin(bytes.length, { maxDepth: options.maxDepth, maxObjectKeys, maxOpenKeys }, [seed[0]!, seed[1]!], options.hashBits ?? 64);
  let failure: JsonError | undefined;
  try {
    let at = 0;
    do {
      const chunk = bytes.subarray(at, at + step);
      let status = scanner.feed(at, chunk);
      for (;;) {
        const tape = scanner.tape();
        if (!failure && tape.length > 0) sink.take(tape, tape.length / 3);
        scanner.clearTape();
        if (status === JsonScanStatus.TapeFull) {
          status = scanner.resume();
        } else if (status === JsonScanStatus.KeyCandidate) {
          if (sameKey(bytes, scanner.key(), scanner.candidate())) scanner.reject();
          status = scanner.resume();
        } else break;
      }
      if (status === JsonScanStatus.Utf8) throw errorOf(status, scanner.error(), bytes, options, maxObjectKeys, maxOpenKeys);
      if (status < 0) failure ??= errorOf(status, scanner.error(), bytes, options, maxObjectKeys, maxOpenKeys);
      at += chunk.length;
    } while (at < bytes.length);
  } finally {
    scanner.end();
  }
  if (failure) throw failure;
}

function sameKey(bytes: Uint8Array, a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  if (a.end - a.start === b.end - b.start && bytes.subarray(a.start, a.end).every((x, i) => x === bytes[b.start + i])) return true;
  return decodeAnyString(bytes, a.start, a.end) === decodeAnyString(bytes, b.start, b.end);
}

function errorOf(status: number, error: { reason: number; at: number }, bytes: Uint8Array, options: JsonScanOptions, maxObjectKeys: number, maxOpenKeys: number): JsonError {
  const make = (kind: JsonErrorKind, what: string) => new JsonError(kind, `${what} at byte ${error.at}`, error.at);
  switch (status) {
    case JsonScanStatus.Utf8:
      return make('invalid-utf8', 'invalid UTF-8');
    case JsonScanStatus.Depth:
      return make('too-deep', `nesting deeper than ${options.maxDepth} levels`);
    case JsonScanStatus.ObjectKeys:
      return make('too-many-keys', `more than ${maxObjectKeys} keys in one object`);
    case JsonScanStatus.OpenKeys:
      return make('too-many-open-keys', `more than ${maxOpenKeys} keys in open objects at once`);
    case JsonScanStatus.Duplicate: {
      const key = decodeAnyString(bytes, error.at, keyEnd(bytes, error.at));
      const shown = key.length > QUOTED_KEY_CHARS ? `${JSON.stringify(key.slice(0, QUOTED_KEY_CHARS))}…` : JSON.stringify(key);
      return make('duplicate-key', `duplicate key ${shown}`);
    }
    default: {
      const what = SYNTAX_MESSAGES[error.reason] ?? `syntax error ${error.reason}`;
      return make('syntax', EXPECTS.has(error.reason) && error.at === bytes.length ? `${what}, found the end` : what);
    }
  }
}

/** End (after the closing quote) of the string token starting at `start`. */
function keyEnd(bytes: Uint8Array, start: number): number {
  let i = start + 1;
  while (bytes[i] !== 0x22) i += bytes[i] === 0x5c ? 2 : 1;
  return i + 1;
}

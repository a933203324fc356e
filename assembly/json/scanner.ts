// A strict JSON scanner over UTF-8 text fed window by window through the input
// buffer, so a 100 MB header streams through without ever being in wasm memory
// whole. It refuses what the reference parser (serde_json, behind
// huggingface/safetensors) refuses, and also what JSON.parse lets pass: invalid
// UTF-8 anywhere (checked before any JSON error is reported, as the reference
// runs str::from_utf8 first), duplicate keys at any level (compared by decoded
// text, so "k" and "\u006b" are equal), unpaired surrogate escapes, nesting past
// a limit. Every state is kept between calls: a window may end inside a string,
// an escape, a UTF-8 sequence, a number or a literal.
//
// Output is a tape of 3-word records (kind | flags, start, end: byte offsets in
// the text) that JavaScript drains after each call and turns into meaning; the
// scanner knows nothing of safetensors.
import { INPUT } from "../io";
import { utf8Reset, utf8Validate, utf8Finish, utf8ErrorAt } from "./utf8";
import {
  KEYSET_MAX_DEPTH, keySetReset, keySetFree, hashBegin, hashByte, hashRun, hashCodePoint, hashEnd,
  objectOpen, objectClose, objectKeys, probeBegin, probeNext, probeInsert, recordStart, recordEnd,
} from "./key-set";

// Statuses of jsonScanFeed / jsonScanResume.
export const JSON_NEED_MORE: i32 = 0;
export const JSON_DONE: i32 = 1;
/** The tape is full: drain it (jsonScanTapeClear) and resume. */
export const JSON_TAPE_FULL: i32 = 2;
/** A key has the hash of an earlier key of its object: compare them, then jsonScanReject or resume. */
export const JSON_KEY_CANDIDATE: i32 = 3;
// Errors; sticky, so later windows are only checked for UTF-8.
export const JSON_ERR_UTF8: i32 = -1;
export const JSON_ERR_SYNTAX: i32 = -2;
export const JSON_ERR_DEPTH: i32 = -3;
export const JSON_ERR_OBJECT_KEYS: i32 = -4;
export const JSON_ERR_OPEN_KEYS: i32 = -5;
export const JSON_ERR_DUPLICATE: i32 = -6;

// Reasons of JSON_ERR_SYNTAX.
export const R_UNEXPECTED_END: i32 = 1;
export const R_UNEXPECTED_CHAR: i32 = 2;
export const R_EXPECTED_KEY: i32 = 3;
export const R_EXPECTED_COLON: i32 = 4;
export const R_EXPECTED_COMMA_OBJECT: i32 = 5;
export const R_EXPECTED_COMMA_ARRAY: i32 = 6;
export const R_UNTERMINATED_STRING: i32 = 7;
export const R_CONTROL_CHAR: i32 = 8;
export const R_INVALID_ESCAPE: i32 = 9;
export const R_UNPAIRED_SURROGATE: i32 = 10;
export const R_INVALID_NUMBER: i32 = 11;
export const R_TRAILING: i32 = 12;

// Tape record kinds (low byte) and flags.
export const T_OBJECT: u32 = 1;
export const T_OBJECT_END: u32 = 2;
export const T_ARRAY: u32 = 3;
export const T_ARRAY_END: u32 = 4;
export const T_KEY: u32 = 5;
export const T_STRING: u32 = 6;
export const T_INT: u32 = 7;
/** A number with a fraction or exponent, or -0 (serde_json reads -0 as a float). */
export const T_FLOAT: u32 = 8;
export const T_TRUE: u32 = 9;
export const T_FALSE: u32 = 10;
export const T_NULL: u32 = 11;
/** The string holds escapes: decode them (a string without is its bytes). */
export const F_ESCAPED: u32 = 0x100;

/** Records per drain; 384 KiB. A 1 MiB window of a dense header holds ~100k tokens: a few drains. */
export const TAPE_CAPACITY: i32 = 32768;
const TAPE: usize = memory.data(TAPE_CAPACITY * 12, 16);
let tapeCount: i32 = 0;

const S_VALUE = 0; // a value is expected
const S_ARRAY_FIRST = 1; // after '[': a value or ']'
const S_OBJECT_FIRST = 2; // after '{': a key or '}'
const S_OBJECT_KEY = 3; // after ',' in an object: a key
const S_COLON = 4;
const S_AFTER = 5; // after a value inside a container: ',' or its closer
const S_TRAIL = 6; // after the top value: whitespace only
const S_STRING = 7;
const S_ESCAPE = 8; // after '\'
const S_HEX = 9; // inside \uXXXX
const S_HIGH = 10; // after a high surrogate escape: '\' of its low half must follow
const S_HIGH_U = 11; // ... then 'u'
const S_LITERAL = 12;
const S_NUMBER = 13;
const S_KEY_DONE = 14; // a key was read; its duplicate check is pending
const S_ERROR = 15;

// number sub-states
const N_START = 0;
const N_MINUS = 1;
const N_ZERO = 2;
const N_INT = 3;
const N_DOT = 4;
const N_FRACTION = 5;
const N_E = 6;
const N_E_SIGN = 7;
const N_EXPONENT = 8;

/** Internal: keep scanning (no status is 100). */
const CONTINUE: i32 = 100;

const isObject = new StaticArray<bool>(KEYSET_MAX_DEPTH + 1);

let total: u32 = 0;
let maxDepth: i32 = 0;
let maxObjectKeys: u32 = 0;
let winStart: u32 = 0;
let winLength: u32 = 0;
let utf8Done: u32 = 0;
let pos: u32 = 0;
let state: i32 = S_VALUE;
let depth: i32 = 0;
let errStatus: i32 = 0;
let errReason: i32 = 0;
let errAt: u32 = 0;

let strStart: u32 = 0;
let strIsKey: bool = false;
let strFlags: u32 = 0;
let escapeAt: u32 = 0;
let hexCount: i32 = 0;
let hexValue: u32 = 0;
let high: u32 = 0; // pending high surrogate
let highAt: u32 = 0;

let keyHash: u64 = 0;
let keyStart: u32 = 0;
let keyEnd: u32 = 0;
let keyFlags: u32 = 0;
let candidate: u32 = 0;

let numStart: u32 = 0;
let numState: i32 = N_START;
let numFloat: bool = false;
let numNegative: bool = false;
let numZero: bool = false;

let litStart: u32 = 0;
let litWord: i32 = 0; // 0 true, 1 false, 2 null
let litIndex: i32 = 0;

/**
 * Starts a scan of a `length`-byte text. `maxDepth` bounds nesting (at most
 * KEYSET_MAX_DEPTH), `maxObjectKeys` the keys of one object, `maxOpenKeys` the
 * keys held for duplicate checks at once (16 bytes each). The seed keys the key
 * hash; tests narrow `hashBits` to force collisions.
 */
export function jsonScanBegin(length: u32, depthLimit: i32, objectKeysLimit: u32, openKeysLimit: u32, seedLo: u32, seedHi: u32, hashBits: i32): void {
  total = length;
  maxDepth = depthLimit < KEYSET_MAX_DEPTH ? depthLimit : KEYSET_MAX_DEPTH;
  maxObjectKeys = objectKeysLimit;
  winStart = 0;
  winLength = 0;
  utf8Done = 0;
  pos = 0;
  state = S_VALUE;
  depth = 0;
  errStatus = 0;
  errReason = 0;
  errAt = 0;
  high = 0;
  tapeCount = 0;
  utf8Reset();
  keySetReset(openKeysLimit, seedLo, seedHi, hashBits);
}

/** Frees what the scan allocated. */
export function jsonScanEnd(): void {
  keySetFree();
}

/** Scans the window [windowStart, windowStart + length) just copied to the input buffer; windows must follow each other. */
export function jsonScanFeed(windowStart: u32, length: u32): i32 {
  winStart = windowStart;
  winLength = length;
  return run();
}

/** Goes on in the same window after JSON_TAPE_FULL or a key candidate that was not a duplicate. */
export function jsonScanResume(): i32 {
  return run();
}

/** The caller found the candidate key equal to the current one: a duplicate. */
export function jsonScanReject(): void {
  fail(JSON_ERR_DUPLICATE, 0, keyStart);
}

export function jsonScanTapePointer(): usize { return TAPE; }
export function jsonScanTapeCount(): i32 { return tapeCount; }
export function jsonScanTapeClear(): void { tapeCount = 0; }
export function jsonScanErrorReason(): i32 { return errReason; }
export function jsonScanErrorAt(): u32 { return errStatus == JSON_ERR_UTF8 ? <u32>utf8ErrorAt() : errAt; }
export function jsonScanKeyStart(): u32 { return keyStart; }
export function jsonScanKeyEnd(): u32 { return keyEnd; }
export function jsonScanCandidateStart(): u32 { return recordStart(candidate); }
export function jsonScanCandidateEnd(): u32 { return recordEnd(candidate); }

function run(): i32 {
  const winEnd = winStart + winLength;
  if (utf8Done < winEnd) {
    const from = utf8Done;
    utf8Done = winEnd;
    if (!utf8Validate(INPUT + <usize>(from - winStart), from, winEnd - from)) return utf8Error();
  }
  if (winEnd == total && !utf8Finish()) return utf8Error();
  if (utf8ErrorAt() >= 0) return utf8Error();
  if (errStatus != 0) return errStatus;
  return scan(winEnd);
}

function utf8Error(): i32 {
  errStatus = JSON_ERR_UTF8;
  state = S_ERROR;
  return JSON_ERR_UTF8;
}

function fail(status: i32, reason: i32, at: u32): i32 {
  errStatus = status;
  errReason = reason;
  errAt = at;
  state = S_ERROR;
  return status;
}

@inline function emit(kind: u32, start: u32, end: u32): void {
  const at = TAPE + <usize>tapeCount * 12;
  store<u32>(at, kind);
  store<u32>(at, start, 4);
  store<u32>(at, end, 8);
  tapeCount++;
}

@inline function isSpace(b: u32): bool {
  return b == 0x20 || b == 0x0a || b == 0x0d || b == 0x09;
}

@inline function isDigit(b: u32): bool {
  return b - 0x30 < 10;
}

@inline function afterValue(): void {
  state = depth == 0 ? S_TRAIL : S_AFTER;
}

/** Any byte of `w` that ends a run of plain string bytes: '"', '\', or below 0x20. */
@inline function hasStringSpecial(w: u64): bool {
  const ones: u64 = 0x0101010101010101;
  const highs: u64 = 0x8080808080808080;
  const quote = w ^ 0x2222222222222222;
  const backslash = w ^ 0x5c5c5c5c5c5c5c5c;
  const control = (w - ones * 0x20) & ~w;
  return (((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) | control) & highs ? true : false;
}

function simpleEscape(b: u32): i32 {
  switch (b) {
    case 0x22: return 0x22;
    case 0x5c: return 0x5c;
    case 0x2f: return 0x2f;
    case 0x62: return 0x08;
    case 0x66: return 0x0c;
    case 0x6e: return 0x0a;
    case 0x72: return 0x0d;
    case 0x74: return 0x09;
  }
  return -1;
}

function hexDigit(b: u32): i32 {
  if (b - 0x30 < 10) return <i32>(b - 0x30);
  const l = b | 0x20;
  if (l - 0x61 < 6) return <i32>(l - 0x61 + 10);
  return -1;
}

function literalByte(word: i32, index: i32): u32 {
  // "true", "false", "null"
  if (word == 0) return <u32>load<u8>(changetype<usize>("true") + <usize>(index << 1));
  if (word == 1) return <u32>load<u8>(changetype<usize>("false") + <usize>(index << 1));
  return <u32>load<u8>(changetype<usize>("null") + <usize>(index << 1));
}

@inline function literalLength(word: i32): i32 {
  return word == 1 ? 5 : 4;
}

function openContainer(object: bool): i32 {
  if (depth >= maxDepth) return fail(JSON_ERR_DEPTH, 0, pos);
  depth++;
  unchecked(isObject[depth] = object);
  if (object) objectOpen(depth);
  emit(object ? T_OBJECT : T_ARRAY, pos, pos + 1);
  pos++;
  state = object ? S_OBJECT_FIRST : S_ARRAY_FIRST;
  return CONTINUE;
}

function closeContainer(): void {
  const object = unchecked(isObject[depth]);
  if (object) objectClose(depth);
  emit(object ? T_OBJECT_END : T_ARRAY_END, pos, pos + 1);
  depth--;
  pos++;
  afterValue();
}

function beginString(key: bool): void {
  strStart = pos;
  strIsKey = key;
  strFlags = 0;
  if (key) hashBegin();
  pos++;
  state = S_STRING;
}

function endString(): void {
  if (strIsKey) {
    keyHash = hashEnd();
    keyStart = strStart;
    keyEnd = pos;
    keyFlags = strFlags;
    probeBegin(depth, keyHash);
    state = S_KEY_DONE;
  } else {
    emit(T_STRING | strFlags, strStart, pos);
    afterValue();
  }
}

function finishKey(): i32 {
  const found = probeNext(depth, keyHash);
  if (found >= 0) {
    candidate = <u32>found;
    return JSON_KEY_CANDIDATE;
  }
  if (objectKeys(depth) >= maxObjectKeys) return fail(JSON_ERR_OBJECT_KEYS, 0, keyStart);
  if (!probeInsert(depth, keyHash, keyStart, keyEnd)) return fail(JSON_ERR_OPEN_KEYS, 0, keyStart);
  emit(T_KEY | keyFlags, keyStart, keyEnd);
  state = S_COLON;
  return CONTINUE;
}

function beginValue(b: u32): i32 {
  if (b == 0x7b) return openContainer(true);
  if (b == 0x5b) return openContainer(false);
  if (b == 0x22) {
    beginString(false);
    return CONTINUE;
  }
  if (b == 0x2d || isDigit(b)) {
    numStart = pos;
    numState = N_START;
    numFloat = false;
    numNegative = false;
    numZero = false;
    state = S_NUMBER;
    return CONTINUE;
  }
  if (b == 0x74 || b == 0x66 || b == 0x6e) {
    litStart = pos;
    litWord = b == 0x74 ? 0 : b == 0x66 ? 1 : 2;
    litIndex = 0;
    state = S_LITERAL;
    return CONTINUE;
  }
  return fail(JSON_ERR_SYNTAX, R_UNEXPECTED_CHAR, pos);
}

function endNumber(): void {
  const float = numFloat || (numNegative && numZero);
  emit(float ? T_FLOAT : T_INT, numStart, pos);
  afterValue();
}

/** One byte of a number: CONTINUE when it belongs to it, 0 when the number ended before it, or an error. */
function numberByte(b: u32): i32 {
  switch (numState) {
    case N_START:
      if (b == 0x2d) { numNegative = true; numState = N_MINUS; return CONTINUE; }
      // fall through: a digit
    case N_MINUS:
      if (b == 0x30) { numZero = true; numState = N_ZERO; return CONTINUE; }
      if (isDigit(b)) { numState = N_INT; return CONTINUE; }
      return fail(JSON_ERR_SYNTAX, R_INVALID_NUMBER, numStart);
    case N_ZERO:
    case N_INT:
      if (numState == N_INT && isDigit(b)) return CONTINUE;
      if (b == 0x2e) { numFloat = true; numState = N_DOT; return CONTINUE; }
      if (b == 0x65 || b == 0x45) { numFloat = true; numState = N_E; return CONTINUE; }
      return 0;
    case N_DOT:
      if (isDigit(b)) { numState = N_FRACTION; return CONTINUE; }
      return fail(JSON_ERR_SYNTAX, R_INVALID_NUMBER, numStart);
    case N_FRACTION:
      if (isDigit(b)) return CONTINUE;
      if (b == 0x65 || b == 0x45) { numState = N_E; return CONTINUE; }
      return 0;
    case N_E:
      if (b == 0x2b || b == 0x2d) { numState = N_E_SIGN; return CONTINUE; }
      // fall through: a digit
    case N_E_SIGN:
      if (isDigit(b)) { numState = N_EXPONENT; return CONTINUE; }
      return fail(JSON_ERR_SYNTAX, R_INVALID_NUMBER, numStart);
    default: // N_EXPONENT
      if (isDigit(b)) return CONTINUE;
      return 0;
  }
}

/** What the end of the text means in each state. */
function endOfText(): i32 {
  switch (state) {
    case S_TRAIL: return JSON_DONE;
    case S_NUMBER:
      if (numState == N_ZERO || numState == N_INT || numState == N_FRACTION || numState == N_EXPONENT) {
        endNumber();
        return CONTINUE;
      }
      return fail(JSON_ERR_SYNTAX, R_INVALID_NUMBER, numStart);
    case S_VALUE:
    case S_ARRAY_FIRST: return fail(JSON_ERR_SYNTAX, R_UNEXPECTED_END, total);
    case S_OBJECT_FIRST:
    case S_OBJECT_KEY: return fail(JSON_ERR_SYNTAX, R_EXPECTED_KEY, total);
    case S_COLON: return fail(JSON_ERR_SYNTAX, R_EXPECTED_COLON, total);
    case S_AFTER: return fail(JSON_ERR_SYNTAX, unchecked(isObject[depth]) ? R_EXPECTED_COMMA_OBJECT : R_EXPECTED_COMMA_ARRAY, total);
    case S_LITERAL: return fail(JSON_ERR_SYNTAX, R_UNEXPECTED_CHAR, litStart);
    default: return fail(JSON_ERR_SYNTAX, R_UNTERMINATED_STRING, strStart);
  }
}

function scan(winEnd: u32): i32 {
  const window = INPUT - <usize>winStart; // window + offset = address of that text byte
  while (true) {
    if (tapeCount >= TAPE_CAPACITY) return JSON_TAPE_FULL;
    if (state == S_KEY_DONE) {
      const r = finishKey();
      if (r != CONTINUE) return r;
      continue;
    }
    if (pos >= winEnd) {
      if (winEnd < total) return JSON_NEED_MORE;
      const r = endOfText();
      if (r != CONTINUE) return r;
      continue;
    }
    const b = <u32>load<u8>(window + <usize>pos);
    switch (state) {
      case S_VALUE:
      case S_ARRAY_FIRST: {
        if (isSpace(b)) { pos++; continue; }
        if (b == 0x5d && state == S_ARRAY_FIRST) { closeContainer(); continue; }
        const r = beginValue(b);
        if (r != CONTINUE) return r;
        continue;
      }
      case S_OBJECT_FIRST:
      case S_OBJECT_KEY: {
        if (isSpace(b)) { pos++; continue; }
        if (b == 0x22) { beginString(true); continue; }
        if (b == 0x7d && state == S_OBJECT_FIRST) { closeContainer(); continue; }
        return fail(JSON_ERR_SYNTAX, R_EXPECTED_KEY, pos);
      }
      case S_COLON: {
        if (isSpace(b)) { pos++; continue; }
        if (b == 0x3a) { pos++; state = S_VALUE; continue; }
        return fail(JSON_ERR_SYNTAX, R_EXPECTED_COLON, pos);
      }
      case S_AFTER: {
        if (isSpace(b)) { pos++; continue; }
        const object = unchecked(isObject[depth]);
        if (b == 0x2c) { pos++; state = object ? S_OBJECT_KEY : S_VALUE; continue; }
        if (b == (object ? <u32>0x7d : <u32>0x5d)) { closeContainer(); continue; }
        return fail(JSON_ERR_SYNTAX, object ? R_EXPECTED_COMMA_OBJECT : R_EXPECTED_COMMA_ARRAY, pos);
      }
      case S_TRAIL: {
        // padding: the reference pads headers with spaces to a multiple of 8
        while (pos < winEnd && isSpace(<u32>load<u8>(window + <usize>pos))) pos++;
        if (pos < winEnd) return fail(JSON_ERR_SYNTAX, R_TRAILING, pos);
        continue;
      }
      case S_STRING: {
        // a run of plain bytes, eight at a time where possible
        const from = window + <usize>pos;
        const end = window + <usize>winEnd;
        let q = from;
        while (q + 8 <= end && !hasStringSpecial(load<u64>(q))) q += 8;
        let c: u32 = 0;
        while (q < end) {
          c = <u32>load<u8>(q);
          if (c == 0x22 || c == 0x5c || c < 0x20) break;
          q++;
        }
        const run = <u32>(q - from);
        if (strIsKey && run > 0) hashRun(from, run);
        pos += run;
        if (q == end) continue;
        if (c == 0x22) { pos++; endString(); continue; }
        if (c == 0x5c) { strFlags |= F_ESCAPED; escapeAt = pos; pos++; state = S_ESCAPE; continue; }
        return fail(JSON_ERR_SYNTAX, R_CONTROL_CHAR, pos);
      }
      case S_ESCAPE: {
        if (b == 0x75) { pos++; hexCount = 0; hexValue = 0; state = S_HEX; continue; }
        const d = simpleEscape(b);
        if (d < 0) return fail(JSON_ERR_SYNTAX, R_INVALID_ESCAPE, escapeAt);
        if (strIsKey) hashByte(<u32>d);
        pos++;
        state = S_STRING;
        continue;
      }
      case S_HEX: {
        const v = hexDigit(b);
        if (v < 0) return fail(JSON_ERR_SYNTAX, R_INVALID_ESCAPE, escapeAt);
        hexValue = (hexValue << 4) | <u32>v;
        pos++;
        if (++hexCount < 4) continue;
        const cp = hexValue;
        if (high != 0) {
          if (cp < 0xdc00 || cp > 0xdfff) return fail(JSON_ERR_SYNTAX, R_UNPAIRED_SURROGATE, highAt);
          if (strIsKey) hashCodePoint(0x10000 + ((high - 0xd800) << 10) + (cp - 0xdc00));
          high = 0;
          state = S_STRING;
        } else if (cp >= 0xd800 && cp <= 0xdbff) {
          high = cp;
          highAt = escapeAt;
          state = S_HIGH;
        } else if (cp >= 0xdc00 && cp <= 0xdfff) {
          return fail(JSON_ERR_SYNTAX, R_UNPAIRED_SURROGATE, escapeAt);
        } else {
          if (strIsKey) hashCodePoint(cp);
          state = S_STRING;
        }
        continue;
      }
      case S_HIGH: {
        if (b != 0x5c) return fail(JSON_ERR_SYNTAX, R_UNPAIRED_SURROGATE, highAt);
        escapeAt = pos;
        pos++;
        state = S_HIGH_U;
        continue;
      }
      case S_HIGH_U: {
        if (b == 0x75) { pos++; hexCount = 0; hexValue = 0; state = S_HEX; continue; }
        return fail(JSON_ERR_SYNTAX, simpleEscape(b) >= 0 ? R_UNPAIRED_SURROGATE : R_INVALID_ESCAPE, simpleEscape(b) >= 0 ? highAt : escapeAt);
      }
      case S_LITERAL: {
        if (b != literalByte(litWord, litIndex)) return fail(JSON_ERR_SYNTAX, R_UNEXPECTED_CHAR, litStart);
        pos++;
        if (++litIndex == literalLength(litWord)) {
          emit(litWord == 0 ? T_TRUE : litWord == 1 ? T_FALSE : T_NULL, litStart, pos);
          afterValue();
        }
        continue;
      }
      case S_NUMBER: {
        const r = numberByte(b);
        if (r == CONTINUE) { pos++; continue; }
        if (r == 0) { endNumber(); continue; }
        return r;
      }
      default:
        return errStatus;
    }
  }
}

// The scanner's tape (assembly/json/scanner.ts): records of three u32 words,
// kind | flags, start, end (byte offsets of the token in the text, end exclusive).
// This file mirrors its constants and decodes tokens from the text's bytes.

export const T_OBJECT = 1;
export const T_OBJECT_END = 2;
export const T_ARRAY = 3;
export const T_ARRAY_END = 4;
export const T_KEY = 5;
export const T_STRING = 6;
export const T_INT = 7;
/** A fraction or exponent, or -0. */
export const T_FLOAT = 8;
export const T_TRUE = 9;
export const T_FALSE = 10;
export const T_NULL = 11;
export const KIND_MASK = 0xff;
/** The string holds escapes. */
export const F_ESCAPED = 0x100;

/** Consumes tape records as the scanner drains them, in text order. */
export interface TapeSink {
  /** Records [0, count) of `tape` (3 words each); the view is only valid during the call. */
  take(tape: Uint32Array, count: number): void;
}

// One decoder call per token is the cheapest way to a string here (measured: 5× faster than
// String.fromCharCode.apply over the bytes, and no garbage).
const utf8 = new TextDecoder('utf-8');

/** The value of a string token [start, end) (quotes included); `word` is its record's first word. */
export function decodeString(bytes: Uint8Array, start: number, end: number, word: number): string {
  if (word & F_ESCAPED) return JSON.parse(utf8.decode(bytes.subarray(start, end))) as string; // the scanner has validated every escape
  return utf8.decode(bytes.subarray(start + 1, end - 1));
}

/** A string token whose flags are unknown (a key recorded earlier). */
export function decodeAnyString(bytes: Uint8Array, start: number, end: number): string {
  return JSON.parse(utf8.decode(bytes.subarray(start, end))) as string;
}

/** The text of a number token. */
export function tokenText(bytes: Uint8Array, start: number, end: number): string {
  return utf8.decode(bytes.subarray(start, end));
}

/** Digits a number may have and still be exact as a double (10^15 < 2^53). */
const EXACT_DIGITS = 15;

/** A non-negative integer token of at most 15 digits as a number; undefined otherwise (negative, longer). */
export function smallInteger(bytes: Uint8Array, start: number, end: number): number | undefined {
  if (end - start > EXACT_DIGITS || bytes[start] === 0x2d) return undefined;
  let n = 0;
  for (let i = start; i < end; i++) n = n * 10 + (bytes[i]! - 0x30);
  return n;
}

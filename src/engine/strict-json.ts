// A strict JSON reader over UTF-8 bytes. JSON.parse keeps the last of two equal
// keys and rounds big integers; a loader built on another parser may keep the
// first. This reader refuses duplicate keys at every level, keeps integers
// exact (bigint) and reports byte offsets, so a header cannot mean two things.

/** Objects become Maps (insertion order kept), integers bigints, other numbers JsonFloat. */
export type JsonValue = null | boolean | bigint | JsonFloat | string | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

/** A number with a fraction or exponent, kept as written. */
export class JsonFloat {
  constructor(readonly text: string) {}
}

/** Where each value of an object starts, for messages: key → byte offset of its value. */
export const valueOffsets = new WeakMap<JsonObject, Map<string, number>>();

export type JsonErrorKind = 'syntax' | 'duplicate-key' | 'too-deep' | 'too-many-keys';

export class JsonError extends Error {
  override name = 'JsonError';
  constructor(
    readonly kind: JsonErrorKind,
    message: string,
    /** Byte offset in the input. */
    readonly at: number,
  ) {
    super(message);
  }
}

const utf8 = new TextDecoder('utf-8');
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isSpace = (b: number | undefined) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
const isDigit = (b: number | undefined) => b !== undefined && b >= 0x30 && b <= 0x39;

/**
 * Parses exactly one JSON value; only JSON whitespace may follow it. The input
 * must already be valid UTF-8 (strings are decoded without further checks).
 * `maxDepth` bounds nesting of arrays and objects, `maxObjectKeys` the keys of any one object.
 */
export function parseStrictJson(bytes: Uint8Array, maxDepth: number, maxObjectKeys = Infinity): JsonValue {
  let at = 0;
  const fail = (kind: JsonErrorKind, what: string, where = at): never => {
    throw new JsonError(kind, `${what} at byte ${where}`, where);
  };
  const skipSpace = () => {
    while (isSpace(bytes[at])) at++;
  };
  const expect = (b: number, what: string) => {
    if (bytes[at] !== b) fail('syntax', bytes[at] === undefined ? `expected ${what}, found the end` : `expected ${what}`);
    at++;
  };

  const string = (): string => {
    const start = at;
    at++; // opening quote
    let escaped = false;
    for (;;) {
      const b = bytes[at];
      if (b === undefined) return fail('syntax', 'unterminated string', start);
      if (b === 0x22) break;
      if (b < 0x20) return fail('syntax', 'control character inside a string');
      if (b === 0x5c) {
        escaped = true;
        at++;
        if (bytes[at] === undefined) return fail('syntax', 'unterminated string', start);
      }
      at++;
    }
    at++; // closing quote
    const text = utf8.decode(bytes.subarray(start, at));
    if (!escaped) return text.slice(1, -1);
    let value: string;
    try {
      value = JSON.parse(text) as string; // validates and expands the escapes
    } catch {
      return fail('syntax', 'invalid escape in string', start);
    }
    // JSON.parse lets \ud800 stand alone; Rust strings (serde_json, so the reference) cannot hold it.
    if (LONE_SURROGATE.test(value)) fail('syntax', 'unpaired surrogate escape in string', start);
    return value;
  };

  const number = (): bigint | JsonFloat => {
    const start = at;
    if (bytes[at] === 0x2d) at++;
    if (bytes[at] === 0x30) at++;
    else if (isDigit(bytes[at])) while (isDigit(bytes[at])) at++;
    else fail('syntax', 'invalid number', start);
    let integer = true;
    if (bytes[at] === 0x2e) {
      integer = false;
      at++;
      if (!isDigit(bytes[at])) fail('syntax', 'invalid number', start);
      while (isDigit(bytes[at])) at++;
    }
    if (bytes[at] === 0x65 || bytes[at] === 0x45) {
      integer = false;
      at++;
      if (bytes[at] === 0x2b || bytes[at] === 0x2d) at++;
      if (!isDigit(bytes[at])) fail('syntax', 'invalid number', start);
      while (isDigit(bytes[at])) at++;
    }
    const text = utf8.decode(bytes.subarray(start, at));
    // serde_json reads -0 as the float -0.0, so it is no integer to the reference either.
    return integer && text !== '-0' ? BigInt(text) : new JsonFloat(text);
  };

  const literal = <T>(word: string, value: T): T => {
    for (let i = 0; i < word.length; i++) if (bytes[at + i] !== word.charCodeAt(i)) fail('syntax', 'unexpected character');
    at += word.length;
    return value;
  };

  const value = (depth: number): JsonValue => {
    skipSpace();
    const b = bytes[at];
    if (b === 0x7b || b === 0x5b) {
      if (depth >= maxDepth) fail('too-deep', `nesting deeper than ${maxDepth} levels`);
      return b === 0x7b ? object(depth + 1) : array(depth + 1);
    }
    if (b === 0x22) return string();
    if (b === 0x2d || isDigit(b)) return number();
    if (b === 0x74) return literal('true', true);
    if (b === 0x66) return literal('false', false);
    if (b === 0x6e) return literal('null', null);
    return fail('syntax', b === undefined ? 'unexpected end of input' : 'unexpected character');
  };

  const object = (depth: number): JsonObject => {
    const map: JsonObject = new Map();
    const offsets = new Map<string, number>();
    valueOffsets.set(map, offsets);
    at++; // '{'
    skipSpace();
    if (bytes[at] === 0x7d) {
      at++;
      return map;
    }
    for (;;) {
      skipSpace();
      const keyAt = at;
      if (bytes[at] !== 0x22) fail('syntax', 'expected a quoted key');
      const key = string();
      if (map.has(key)) fail('duplicate-key', `duplicate key ${JSON.stringify(key)}`, keyAt);
      if (map.size >= maxObjectKeys) fail('too-many-keys', `more than ${maxObjectKeys} keys in one object`, keyAt);
      skipSpace();
      expect(0x3a, "':'");
      skipSpace();
      offsets.set(key, at);
      map.set(key, value(depth));
      skipSpace();
      if (bytes[at] === 0x2c) {
        at++;
        continue;
      }
      expect(0x7d, "',' or '}'");
      return map;
    }
  };

  const array = (depth: number): JsonValue[] => {
    const items: JsonValue[] = [];
    at++; // '['
    skipSpace();
    if (bytes[at] === 0x5d) {
      at++;
      return items;
    }
    for (;;) {
      items.push(value(depth));
      skipSpace();
      if (bytes[at] === 0x2c) {
        at++;
        continue;
      }
      expect(0x5d, "',' or ']'");
      return items;
    }
  };

  const result = value(0);
  skipSpace();
  if (at !== bytes.length) fail('syntax', 'unexpected bytes after the JSON value');
  return result;
}

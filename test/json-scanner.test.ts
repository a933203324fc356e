// The AssemblyScript JSON scanner (assembly/json/) on real bytes: every error
// it names, every limit, and resumability — the same text fed one byte at a
// time, in odd-sized windows and whole must give the same value or the same
// error, wherever a window ends (inside a string, an escape, a UTF-8 sequence,
// a number, a literal).
import { describe, expect, it } from 'vitest';
import { ValueBuilder } from '../src/engine/json/build-value.js';
import { scanJson, type JsonScanOptions } from '../src/engine/json/scan-json.js';
import { JsonError, JsonFloat, type JsonValue } from '../src/engine/json/value.js';
import { concat, wasm } from './helpers.js';

const w = await wasm();
const enc = (text: string) => new TextEncoder().encode(text);

function parse(bytes: Uint8Array, options: Partial<JsonScanOptions> = {}): JsonValue {
  const builder = new ValueBuilder(bytes);
  scanJson(w, bytes, { maxDepth: 64, ...options }, builder);
  return builder.value;
}

function outcome(bytes: Uint8Array, options: Partial<JsonScanOptions> = {}): { value: unknown } | { kind: string; at: number; message: string } {
  try {
    return { value: plain(parse(bytes, options)) };
  } catch (error) {
    if (!(error instanceof JsonError)) throw error;
    return { kind: error.kind, at: error.at, message: error.message };
  }
}

function errorOf(input: string | Uint8Array, options: Partial<JsonScanOptions> = {}): JsonError {
  try {
    parse(typeof input === 'string' ? enc(input) : input, options);
  } catch (error) {
    if (error instanceof JsonError) return error;
    throw error;
  }
  throw new Error(`parsed: ${String(input)}`);
}

/** JSON.parse's view of a value: Maps as objects, bigints and floats as numbers. */
function plain(v: JsonValue): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof JsonFloat) return Number(v.text);
  return v;
}

/** Texts whose tokens straddle every kind of window end. */
const CORPUS = [
  '{"name":"ünïcødé ✓ 😀","esc":"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00","n":[0,-0,12,-34,5.25,-6e7,8E-2,1e+2],"t":[true,false,null]}',
  '  [ {"a" : { "b" : [ [ ], { } ] } } , "x" , 1 ]  \n\t ',
  '{"k":1,"\\u006b\\u0032":2,"k3":{"k":{"k":3}}}',
  '"just a string"',
  '-12345678901234567890123',
  '{"a":{"dtype":"U8",}}',
  '{"a":[1 2]}',
  '{"a":01}',
  '{"a":"x\ty"}',
  '{"a":"\\q"}',
  '{"a":tru}',
  '{"\\ud83d":{}}',
  '{"\\ud83dx":{}}',
  '{"\\ud83d\\n":{}}',
  '{"\\ude00":{}}',
  '{"\\ud83d\\ud83d":{}}',
  '{"a":',
  '{"a" 1}',
  '{"a":1,}',
  '[1,]',
  '[1}',
  '{"a":1]',
  '"\\u12g4"',
  '1.',
  '-',
  '1e',
  '1e+',
  '{} {}',
  '',
  '   ',
  '{"x":1,"y":{"x":2},"x":3}',
  '{"é":1,"\\u00e9":2}',
  '{"😀":1,"\\ud83d\\ude00":2}',
  'nul',
  'falsey',
];

/** Texts JSON.parse accepts and the reference refuses: lone surrogate escapes, duplicate keys. */
const LENIENT = new Set([
  '{"\\ud83d":{}}',
  '{"\\ud83dx":{}}',
  '{"\\ud83d\\n":{}}',
  '{"\\ude00":{}}',
  '{"\\ud83d\\ud83d":{}}',
  '{"x":1,"y":{"x":2},"x":3}',
  '{"é":1,"\\u00e9":2}',
  '{"😀":1,"\\ud83d\\ude00":2}',
]);

describe('the JSON scanner', () => {
  it('reads values as JSON.parse does, integers exact and -0 a float', () => {
    const text = CORPUS[0]!;
    expect(plain(parse(enc(text)))).toEqual(JSON.parse(text));
    const v = parse(enc('[18446744073709551615, -0, 0, -0.0, 1e2]')) as JsonValue[];
    expect(v).toEqual([2n ** 64n - 1n, new JsonFloat('-0'), 0n, new JsonFloat('-0.0'), new JsonFloat('1e2')]);
  });

  it('gives the same value or error however the text is cut into windows', () => {
    for (const text of CORPUS) {
      const bytes = enc(text);
      const whole = outcome(bytes);
      for (const window of [1, 2, 3, 5, 7, 64]) expect(outcome(bytes, { window }), `${JSON.stringify(text)} in ${window}-byte windows`).toEqual(whole);
    }
  });

  it('accepts what JSON.parse accepts in the valid part of the corpus', () => {
    for (const text of CORPUS) {
      let expected: unknown;
      try {
        expected = JSON.parse(text);
      } catch {
        continue;
      }
      const got = outcome(enc(text));
      if (LENIENT.has(text)) expect(got, text).toMatchObject({ kind: expect.stringMatching(/^(syntax|duplicate-key)$/) });
      else expect(got, text).toEqual({ value: expected });
    }
  });

  it.each([
    ['', 'unexpected end of input', 0],
    ['   ', 'unexpected end of input', 3],
    ['[1,]', 'unexpected character', 3],
    ['{"a":tru}', 'unexpected character', 5],
    ['nul', 'unexpected character', 0],
    ['{"a":1,}', 'expected a quoted key', 7],
    ['{', 'expected a quoted key', 1],
    ['{"a" 1}', "expected ':'", 5],
    ['{"a"', "expected ':', found the end", 4],
    ['{"a":1]', "expected ',' or '}'", 6],
    ['[1}', "expected ',' or ']'", 2],
    ['[1', "expected ',' or ']', found the end", 2],
    ['"abc', 'unterminated string', 0],
    ['["a\\', 'unterminated string', 1],
    ['"a\tb"', 'control character inside a string', 2],
    ['"a\\qb"', 'invalid escape in string', 2],
    ['"\\u12g4"', 'invalid escape in string', 1],
    ['"x\\ud83d"', 'unpaired surrogate escape in string', 2],
    ['"\\ude00"', 'unpaired surrogate escape in string', 1],
    ['"\\ud83d\\u0041"', 'unpaired surrogate escape in string', 1],
    ['"\\ud83d\\n"', 'unpaired surrogate escape in string', 1],
    ['-', 'invalid number', 0],
    ['[1.]', 'invalid number', 1],
    ['[1e+]', 'invalid number', 1],
    ['{} x', 'unexpected bytes after the JSON value', 3],
    ['01', 'unexpected bytes after the JSON value', 1],
  ])('names the syntax error in %j, with its offset', (text, message, at) => {
    const e = errorOf(text);
    expect(e.kind).toBe('syntax');
    expect(e.message).toBe(`${message} at byte ${at}`);
    expect(e.at).toBe(at);
  });

  it.each([
    [[0x22, 0xff, 0x22], 1, 'a byte that is never UTF-8'],
    [[0x22, 0xc3, 0x28, 0x22], 1, 'a lead byte without its continuation'],
    [[0x22, 0xe0, 0x80, 0x80, 0x22], 1, 'an overlong encoding'],
    [[0x22, 0xed, 0xa0, 0x80, 0x22], 1, 'an encoded surrogate'],
    [[0x22, 0xf4, 0x90, 0x80, 0x80, 0x22], 1, 'a code point past U+10FFFF'],
    [[0x22, 0x61, 0xe2, 0x82], 2, 'a sequence cut by the end of the text'],
    [[0x22, 0xc3, 0xa9, 0x80, 0x22], 3, 'a stray continuation byte after a valid character'],
  ])('refuses invalid UTF-8 (%j: %s), pointing at the sequence', (bytes, at) => {
    for (const window of [1, 2, 1024]) {
      const e = errorOf(Uint8Array.from(bytes), { window });
      expect(e).toMatchObject({ kind: 'invalid-utf8', at });
    }
  });

  it('reports invalid UTF-8 anywhere before any JSON error, as the reference decodes first', () => {
    const bytes = concat('{"a":1,"a":2, oops', [0xff], '}');
    expect(errorOf(bytes, { window: 4 })).toMatchObject({ kind: 'invalid-utf8', at: 18 });
    expect(errorOf(concat('[1,]', new Uint8Array(5000).fill(0x20), [0xc3]), { window: 1000 })).toMatchObject({ kind: 'invalid-utf8', at: 5004 });
  });

  it('refuses duplicate keys at any depth, by decoded text, pointing at the second', () => {
    expect(errorOf('{"a": {"x": 1, "y": 2, "x": 3}}')).toMatchObject({ kind: 'duplicate-key', at: 23, message: 'duplicate key "x" at byte 23' });
    expect(errorOf('{"k":1,"\\u006b":2}')).toMatchObject({ kind: 'duplicate-key', at: 7 });
    expect(errorOf('{"é":1,"\\u00e9":2}')).toMatchObject({ kind: 'duplicate-key' });
    expect(errorOf('{"😀":1,"\\ud83d\\ude00":2}')).toMatchObject({ kind: 'duplicate-key' });
    expect(errorOf('{"a\\/b":1,"a/b":2}')).toMatchObject({ kind: 'duplicate-key' });
    // equal keys in different objects, and keys that differ only by a trailing NUL, are fine
    expect(plain(parse(enc('{"x":{"x":1},"y":{"x":2},"a":1,"a\\u0000":2}')))).toEqual({ x: { x: 1 }, y: { x: 2 }, a: 1, 'a\0': 2 });
  });

  it('quotes at most 200 characters of a duplicate key in its message', () => {
    const key = 'k'.repeat(300);
    const e = errorOf(`{"${key}":1,"${key}":2}`);
    expect(e.message).toBe(`duplicate key "${'k'.repeat(200)}"… at byte 306`);
  });

  it('finds a duplicate among many keys (hash index past 16 keys, grown as it fills)', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `"key-${i}":${i}`);
    const ok = enc(`{${keys.join(',')}}`);
    expect((parse(ok) as Map<string, JsonValue>).size).toBe(5000);
    const dup = enc(`{${keys.join(',')},"key-1234":0}`);
    expect(errorOf(dup)).toMatchObject({ kind: 'duplicate-key', message: expect.stringContaining('"key-1234"') });
    // nested objects with their own indexes, opened and closed inside a large one
    const nested = `{${keys.slice(0, 100).join(',')},"inner":{${keys.slice(0, 100).join(',')}},${keys.slice(100, 200).join(',')},"key-50":1}`;
    expect(errorOf(nested)).toMatchObject({ kind: 'duplicate-key', at: nested.lastIndexOf('"key-50"') });
  });

  it('settles hash collisions by comparing the keys: different keys pass, equal ones do not', () => {
    for (const hashBits of [0, 1, 3]) {
      const keys = Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`);
      expect((parse(enc(`{${keys.join(',')}}`), { hashBits }) as Map<string, JsonValue>).size).toBe(40);
      expect(errorOf(`{${keys.join(',')},"k7":0}`, { hashBits })).toMatchObject({ kind: 'duplicate-key', message: expect.stringContaining('"k7"') });
      expect(errorOf(`{"a":1,"b":2,"\\u0061":3}`, { hashBits })).toMatchObject({ kind: 'duplicate-key', at: 13 });
    }
  });

  it('counts nesting depth against maxDepth', () => {
    expect(parse(enc('[[[]]]'), { maxDepth: 3 })).toEqual([[[]]]);
    expect(errorOf('[[[[]]]]', { maxDepth: 3 })).toMatchObject({ kind: 'too-deep', at: 3, message: 'nesting deeper than 3 levels at byte 3' });
    expect(errorOf(`${'['.repeat(2000)}${']'.repeat(2000)}`, { maxDepth: 1024 })).toMatchObject({ kind: 'too-deep', at: 1024 });
  });

  it('counts the keys of each object against maxObjectKeys', () => {
    expect(parse(enc('{"a":{"x":1,"y":2},"b":1}'), { maxObjectKeys: 2 })).toBeInstanceOf(Map);
    expect(errorOf('{"a":1,"b":2,"c":3}', { maxObjectKeys: 2 })).toMatchObject({ kind: 'too-many-keys', at: 13 });
  });

  it('bounds the keys held at once (maxOpenKeys), closed objects giving theirs back', () => {
    expect(parse(enc('{"a":{"x":1,"y":2},"b":{"x":1,"y":2}}'), { maxOpenKeys: 4 })).toBeInstanceOf(Map);
    expect(errorOf('{"a":{"x":1,"y":2,"z":{"p":1}}}', { maxOpenKeys: 4 })).toMatchObject({ kind: 'too-many-open-keys', at: 23 });
  });

  it('drains a tape longer than the scanner holds (32,768 records) without losing a token', () => {
    const list = Array.from({ length: 100_000 }, (_, i) => (i % 3 === 0 ? `"s${i}"` : i % 3 === 1 ? String(i) : '[true,null]'));
    const text = `[${list.join(',')}]`;
    expect(plain(parse(enc(text)))).toEqual(JSON.parse(text));
    expect(plain(parse(enc(text), { window: 777 }))).toEqual(JSON.parse(text));
  });

  it('agrees with JSON.parse on thousands of random texts, fed in random windows', () => {
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const atoms = ['0', '-0.5', '12e3', '"a"', '"\\u00e9"', '"é😀"', 'true', 'null', '[]', '{}', '[1,2]', '{"k":1}'];
    const noise = ['', ' ', ',', ':', '[', ']', '{', '}', '"', '\\', '-', '.', 'e', '0', '1', 'x', '\n'];
    const value = (depth: number): string => {
      const r = random(4);
      if (depth > 3 || r === 0) return atoms[random(atoms.length)]!;
      if (r === 1) return `[${Array.from({ length: random(4) }, () => value(depth + 1)).join(',')}]`;
      const n = random(4);
      return `{${Array.from({ length: n }, (_, i) => `"k${i}${random(2) ? '' : 'x'}":${value(depth + 1)}`).join(',')}}`;
    };
    let agreed = 0;
    let duplicates = 0;
    for (let i = 0; i < 3000; i++) {
      let text = value(0);
      if (random(2)) {
        const at = random(text.length + 1);
        text = text.slice(0, at) + noise[random(noise.length)] + text.slice(at + random(2));
      }
      let expected: unknown;
      let valid = true;
      try {
        expected = JSON.parse(text);
      } catch {
        valid = false;
      }
      const got = outcome(enc(text), { window: 1 + random(9) });
      if (valid && 'value' in got) {
        expect(got.value, text).toEqual(expected);
        agreed++;
      } else if (valid) {
        // only a mutation can repeat a key in one object; JSON.parse keeps the last
        expect(got, text).toMatchObject({ kind: 'duplicate-key' });
        duplicates++;
      } else {
        expect('kind' in got, text).toBe(true);
      }
    }
    expect(agreed).toBeGreaterThan(1000);
    expect(duplicates).toBeLessThan(30);
  });
});

// The strict JSON reader behind the safetensors header: exact integers,
// duplicate keys refused at every level, byte offsets in errors.
import { describe, expect, it } from 'vitest';
import { JsonError, JsonFloat, parseStrictJson, valueOffsets, type JsonObject } from '../src/engine/strict-json.js';
import { wasm } from './helpers.js';

const w = await wasm();
const parse = (text: string, depth = 64) => parseStrictJson(w, new TextEncoder().encode(text), { maxDepth: depth });

function errorOf(text: string, depth = 64): JsonError {
  try {
    parse(text, depth);
  } catch (error) {
    if (error instanceof JsonError) return error;
    throw error;
  }
  throw new Error(`parsed: ${text}`);
}

describe('strict JSON', () => {
  it('keeps integers exact and floats as written', () => {
    const value = parse('{"big": 18446744073709551615, "f": -1.5e3, "list": [0, true, null, "x"]}') as JsonObject;
    expect(value.get('big')).toBe(2n ** 64n - 1n);
    expect(value.get('f')).toEqual(new JsonFloat('-1.5e3'));
    expect(value.get('list')).toEqual([0n, true, null, 'x']);
  });

  it('expands escapes and records where each value starts', () => {
    const value = parse('{"a\\u00e9\\n": "ü\\"", "b": 1}') as JsonObject;
    expect([...value.keys()]).toEqual(['aé\n', 'b']);
    expect(value.get('aé\n')).toBe('ü"');
    expect(valueOffsets.get(value)!.get('b')).toBe('{"a\\u00e9\\n": "ü\\"", "b": '.length + 1); // ü is 2 bytes
  });

  it('refuses duplicate keys at any depth, pointing at the second one', () => {
    const e = errorOf('{"a": {"x": 1, "y": 2, "x": 3}}');
    expect(e.kind).toBe('duplicate-key');
    expect(e.at).toBe(23);
  });

  it('counts nesting depth', () => {
    expect(parse('[[[]]]', 3)).toEqual([[[]]]);
    expect(errorOf('[[[[]]]]', 3).kind).toBe('too-deep');
  });

  it('counts the keys of each object', () => {
    expect(parse('{"a":{"x":1,"y":2},"b":1}', 64)).toBeInstanceOf(Map);
    expect(parseStrictJson(w, new TextEncoder().encode('{"a":{"x":1,"y":2},"b":1}'), { maxDepth: 64, maxObjectKeys: 2 })).toBeInstanceOf(Map);
    const e = (() => {
      try {
        parseStrictJson(w, new TextEncoder().encode('{"a":1,"b":2,"c":3}'), { maxDepth: 64, maxObjectKeys: 2 });
      } catch (error) {
        return error as JsonError;
      }
      throw new Error('parsed');
    })();
    expect(e).toMatchObject({ kind: 'too-many-keys', at: 13 });
  });

  it('accepts a surrogate pair written as escapes', () => {
    expect(parse('"\\ud83d\\ude00"')).toBe('\u{1f600}');
  });

  it('reads -0 as a float, as serde_json does', () => {
    expect(parse('[-0, 0]')).toEqual([new JsonFloat('-0'), 0n]);
  });

  it.each(['', '"\\ud800"', '"\\udc00x"', '{', '{"a" 1}', '[1,]', '{"a":1,}', '01', '1.', '-', '"\\x"', '"a', 'nul', '{} {}', '[1] x'])('refuses %j', (text) => {
    expect(errorOf(text).kind).toBe('syntax');
  });
});

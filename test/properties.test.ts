// Property tests: random valid inputs built by generators, scanned for real.
// A random pickle of plain values must come out clean and read back as the
// same Python value; a random valid safetensors file must be clean with
// exactly its tensor table.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Report } from '../src/engine/report.js';
import { strRepr } from '../src/engine/pickle/render.js';
import { concat, scanBytes } from './helpers.js';

type Py = null | boolean | number | bigint | string | Py[] | { tuple: Py[] } | { dict: [string, Py][] } | { bytes: Uint8Array };

// Values small enough that nothing is elided (at most 32 items, 12 levels shown).
const py: fc.Arbitrary<Py> = fc.letrec<{ value: Py }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }),
    fc.integer({ min: -1000, max: 1000 }).map((n) => n / 8 + 0.5), // floats Python and JS print alike
    fc.string({ maxLength: 12, unit: fc.constantFrom(...'abcXYZ019 _-.\'"\\\n\téü中') }),
    fc.uint8Array({ maxLength: 8 }).map((b) => ({ bytes: b })),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.array(tie('value'), { maxLength: 4 }).map((t) => ({ tuple: t })),
    fc.uniqueArray(fc.tuple(fc.string({ maxLength: 6, unit: fc.constantFrom(...'abkey') }), tie('value')), { maxLength: 4, selector: ([k]) => k }).map((d) => ({ dict: d })),
  ),
})).value;

/** A protocol-3 pickle of `v` written as CPython would (no memo: every value is new). */
function pickleOf(v: Py): Uint8Array {
  const enc = new TextEncoder();
  const u32 = (n: number) => { const b = new Uint8Array(4); new DataView(b.buffer).setUint32(0, n, true); return b; };
  const parts: (Uint8Array | number[])[] = [[0x80, 3]];
  const put = (x: Py): void => {
    if (x === null) parts.push([0x4e]);
    else if (typeof x === 'boolean') parts.push([x ? 0x88 : 0x89]);
    else if (typeof x === 'number' && Number.isInteger(x)) { parts.push([0x4a], u32(x >>> 0)); }
    else if (typeof x === 'number') { const b = new Uint8Array(9); b[0] = 0x47; new DataView(b.buffer).setFloat64(1, x, false); parts.push(b); }
    else if (typeof x === 'bigint') {
      const bytes: number[] = [];
      let n = x;
      do { bytes.push(Number(n & 0xffn)); n >>= 8n; } while (n !== 0n && n !== -1n);
      if ((bytes.at(-1)! & 0x80) !== (x < 0n ? 0x80 : 0)) bytes.push(x < 0n ? 0xff : 0);
      parts.push([0x8a, bytes.length, ...bytes]);
    } else if (typeof x === 'string') { const b = enc.encode(x); parts.push([0x58], u32(b.length), b); }
    else if (Array.isArray(x)) { parts.push([0x5d]); if (x.length) { parts.push([0x28]); x.forEach(put); parts.push([0x65]); } }
    else if ('tuple' in x) { parts.push([0x28]); x.tuple.forEach(put); parts.push([0x74]); }
    else if ('dict' in x) { parts.push([0x7d]); if (x.dict.length) { parts.push([0x28]); for (const [k, val] of x.dict) { put(k); put(val); } parts.push([0x75]); } }
    else { parts.push([0x43, x.bytes.length], x.bytes); }
  };
  put(v);
  parts.push([0x2e]);
  return concat(...parts);
}

/** Python's repr of `v`, as the engine renders it. */
function repr(x: Py): string {
  if (x === null) return 'None';
  if (typeof x === 'boolean') return x ? 'True' : 'False';
  if (typeof x === 'bigint') return x.toString();
  if (typeof x === 'number') return Number.isInteger(x) ? String(x) : String(x);
  if (typeof x === 'string') return strRepr(x);
  if (Array.isArray(x)) return `[${x.map(repr).join(', ')}]`;
  if ('tuple' in x) return x.tuple.length === 1 ? `(${repr(x.tuple[0]!)},)` : `(${x.tuple.map(repr).join(', ')})`;
  if ('dict' in x) return `{${x.dict.map(([k, v]) => `${strRepr(k)}: ${repr(v)}`).join(', ')}}`;
  return `b'${Array.from(x.bytes, (b) => (b === 0x5c ? '\\\\' : b === 0x27 ? "\\'" : b === 0x0a ? '\\n' : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('')}'`;
}

const returns = (r: Report) => (r.content.pickle as { streams: { returns: string[] }[] }).streams[0]!.returns[0];

describe('properties', () => {
  it('a random pickle of plain values is clean and reads back as the same value', async () => {
    await fc.assert(
      fc.asyncProperty(py, async (v) => {
        const r = await scanBytes(pickleOf(v), 'random.pkl');
        expect(r.verdict).toBe('clean');
        expect(r.findings).toEqual([]);
        expect(returns(r)).toBe(repr(v));
      }),
      { numRuns: 300, seed: 20261122 },
    );
  });

  it('a random valid safetensors file is clean with exactly its tensors', async () => {
    const DTYPES: [string, number][] = [['F32', 4], ['F16', 2], ['BF16', 2], ['I64', 8], ['U8', 1], ['BOOL', 1], ['F64', 8]];
    const tensor = fc.record({ dtype: fc.constantFrom(...DTYPES), shape: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }) });
    const model = fc.uniqueArray(fc.tuple(fc.string({ minLength: 1, maxLength: 10, unit: fc.constantFrom(...'abc.xyz_0') }), tensor), { minLength: 1, maxLength: 8, selector: ([name]) => name });
    await fc.assert(
      fc.asyncProperty(model, fc.boolean(), async (tensors, withMetadata) => {
        let offset = 0;
        const header: Record<string, unknown> = withMetadata ? { __metadata__: { format: 'pt' } } : {};
        for (const [name, { dtype, shape }] of tensors) {
          const bytes = shape.reduce((a, b) => a * b, 1) * dtype[1];
          header[name] = { dtype: dtype[0], shape, data_offsets: [offset, offset + bytes] };
          offset += bytes;
        }
        let json = JSON.stringify(header);
        json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);
        const length = new Uint8Array(8);
        new DataView(length.buffer).setBigUint64(0, BigInt(json.length), true);
        const r = await scanBytes(concat(length, json, new Uint8Array(offset)), 'random.safetensors');
        expect(r.verdict).toBe('clean');
        const listed = (r.content.tensors as { name: string; dtype: string; shape: number[] }[]).map(({ name, dtype, shape }) => [name, dtype, shape]).sort();
        expect(listed).toEqual(tensors.map(([name, { dtype, shape }]) => [name, dtype[0], shape]).sort());
      }),
      { numRuns: 200, seed: 20261122 },
    );
  });
});

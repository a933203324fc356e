// The safetensors driver on the fixture and on hand-built headers that break
// each rule of the reference implementation (huggingface/safetensors tensor.rs),
// and the limits of src/engine/formats/safetensors/safetensors.ts.
import { describe, expect, it } from 'vitest';
import { MemoryByteSource } from '../src/engine/byte-source.js';
import { scanSource } from '../src/engine/scan.js';
import { concat, fixtureBytes, scanBytes, wasm } from './helpers.js';

function u64le(n: bigint): number[] {
  const out: number[] = [];
  for (let i = 0n; i < 8n; i++) out.push(Number((n >> (8n * i)) & 0xffn));
  return out;
}

/** A safetensors file: header text padded with spaces to 8 bytes, as the reference writes it, then `dataBytes` zero bytes. */
function st(header: string | object, dataBytes: number): Uint8Array {
  let text = typeof header === 'string' ? header : JSON.stringify(header);
  const length = new TextEncoder().encode(text).length;
  text += ' '.repeat((8 - (length % 8)) % 8);
  const bytes = new TextEncoder().encode(text);
  return concat(u64le(BigInt(bytes.length)), bytes, new Uint8Array(dataBytes));
}

const t = (dtype: string, shape: unknown, data_offsets: unknown) => ({ dtype, shape, data_offsets });

async function expectMalformed(bytes: Uint8Array, rule: string, message: RegExp) {
  const r = await scanBytes(bytes);
  expect(r.format).toBe('safetensors');
  expect(r.verdict).toBe('malformed');
  expect(r.findings).toHaveLength(1);
  expect(r.findings[0]).toMatchObject({ rule, severity: 'high' });
  expect(r.findings[0]!.message).toMatch(message);
  return r.findings[0]!;
}

describe('safetensors', () => {
  it('reads the fixture and calls it clean, with its tensor table', async () => {
    const r = await scanBytes(fixtureBytes('model.safetensors'));
    expect(r.verdict).toBe('clean');
    expect(r.findings).toEqual([]);
    const dataOffset = r.content.dataOffset as number;
    expect(dataOffset).toBe(8 + (r.content.headerBytes as number));
    expect(r.content).toMatchObject({
      metadata: { format: 'pt' },
      parameters: 6,
      totals: { F32: { tensors: 2, parameters: 6, bytes: 24 } },
      tensors: [
        { name: 'weight', dtype: 'F32', shape: [2, 2], parameters: 4, bytes: 16, offset: dataOffset },
        { name: 'bias', dtype: 'F32', shape: [2], parameters: 2, bytes: 8, offset: dataOffset + 16 },
      ],
    });
  });

  it('lists tensors in file order and totals them by dtype, whatever the header order', async () => {
    const r = await scanBytes(st({ b: t('F16', [3], [8, 14]), a: t('I64', [1], [0, 8]), e: t('BOOL', [0, 5], [14, 14]) }, 14));
    expect(r.verdict).toBe('clean');
    expect((r.content.tensors as { name: string }[]).map((x) => x.name)).toEqual(['a', 'b', 'e']);
    expect(r.content.totals).toEqual({ I64: { tensors: 1, parameters: 1, bytes: 8 }, F16: { tensors: 1, parameters: 3, bytes: 6 }, BOOL: { tensors: 1, parameters: 0, bytes: 0 } });
    expect(r.content.metadata).toBeNull();
  });

  it('accepts an empty header, zero-size tensors and every dtype the reference knows', async () => {
    expect((await scanBytes(st({}, 0))).verdict).toBe('clean');
    const header: Record<string, object> = {};
    let at = 0;
    const dtypes: [string, number][] = [['F64', 8], ['F32', 4], ['F16', 2], ['BF16', 2], ['I64', 8], ['I32', 4], ['I16', 2], ['I8', 1], ['U64', 8], ['U32', 4], ['U16', 2], ['U8', 1], ['BOOL', 1], ['F8_E4M3', 1], ['F8_E5M2', 1], ['F8_E8M0', 1], ['C64', 8]];
    for (const [dtype, size] of dtypes) {
      header[dtype] = t(dtype, [2], [at, at + 2 * size]);
      at += 2 * size;
    }
    header.F4 = t('F4', [2, 3], [at, at + 3]); // 24 bits
    header.F6_E2M3 = t('F6_E2M3', [4], [at + 3, at + 6]); // 24 bits
    header.F6_E3M2 = t('F6_E3M2', [4], [at + 6, at + 9]);
    header.empty = t('F32', [0], [at + 9, at + 9]);
    const r = await scanBytes(st(header, at + 9));
    expect(r.verdict, JSON.stringify(r.findings)).toBe('clean');
    expect((r.content.tensors as unknown[]).length).toBe(dtypes.length + 4);
  });

  it('allows whitespace padding after the header object, and nothing else', async () => {
    expect((await scanBytes(st(`{"a":${JSON.stringify(t('U8', [1], [0, 1]))}}  \n\t `, 1))).verdict).toBe('clean');
    await expectMalformed(st(`{"a":${JSON.stringify(t('U8', [1], [0, 1]))}}  x`, 1), 'safetensors.invalid-json', /unexpected bytes after the JSON value/);
  });

  it('MAX_HEADER_BYTES: refuses a header over the 100,000,000-byte limit without reading it', async () => {
    const bytes = concat(u64le(100_000_001n), '{"a":1}', new Uint8Array(64));
    const f = await expectMalformed(bytes, 'safetensors.header-too-large', /100000001 exceeds .* 100000000/);
    expect(f.location).toEqual({ offset: 0, length: 8 });
  });

  it('refuses a header length of 2^64 − 1', async () => {
    const bytes = concat(u64le(2n ** 64n - 1n), '{"a":1}', new Uint8Array(64));
    await expectMalformed(bytes, 'safetensors.header-too-large', /18446744073709551615 exceeds/);
  });

  it('is malformed when the header runs past the end of the file', async () => {
    const bytes = st({ a: t('U8', [1], [0, 1]) }, 1);
    await expectMalformed(bytes.subarray(0, 30), 'safetensors.header-out-of-bounds', /runs past the end of the 30-byte file/);
  });

  it('rejects a header that is not UTF-8', async () => {
    const bytes = st('{"a\xff":{}}', 0);
    const at = bytes.indexOf(0xc3); // the encoder wrote U+00FF as C3 BF; break it
    bytes[at + 1] = 0x28;
    const f = await expectMalformed(bytes, 'safetensors.invalid-utf8', /not valid UTF-8/);
    expect(f.location.offset).toBe(at);
    const stray = st('{"ÿÿ":{}}', 0);
    stray[stray.indexOf(0xc3, stray.indexOf(0xc3) + 1)] = 0xff; // a valid ÿ, then a byte that is never UTF-8
    const g = await expectMalformed(stray, 'safetensors.invalid-utf8', /byte 4 of the header/);
    expect(g.location.offset).toBe(12);
  });

  it.each([
    ['{"a":{"dtype":"U8",}}', /expected a quoted key/],
    ['{"a":[1 2]}', /expected ',' or '\]'/],
    ['{"a":01}', /expected ',' or '}'/],
    ['{"a":"x\ty"}', /control character/],
    ['{"a":"\\q"}', /invalid escape/],
    ['{"a":tru}', /unexpected character/],
    ['{"\\ud83d":{}}', /unpaired surrogate/],
    ['{"a":', /unexpected end/],
  ])('rejects invalid JSON %s', async (header, message) => {
    await expectMalformed(st(header, 0), 'safetensors.invalid-json', message);
  });

  it('rejects a duplicate tensor name that JSON.parse would hide', async () => {
    const header = `{"w":${JSON.stringify(t('U8', [1], [0, 1]))},"w":${JSON.stringify(t('U8', [2], [0, 2]))}}`;
    expect(Object.keys(JSON.parse(header))).toEqual(['w']);
    const f = await expectMalformed(st(header, 2), 'safetensors.duplicate-key', /duplicate key "w"/);
    expect(f.location.offset).toBe(8 + header.lastIndexOf('"w"'));
  });

  it('rejects duplicate keys inside a tensor entry and in __metadata__, also when spelled with escapes', async () => {
    await expectMalformed(st('{"a":{"dtype":"U8","shape":[1],"dtype":"I8","data_offsets":[0,1]}}', 1), 'safetensors.duplicate-key', /duplicate key "dtype"/);
    await expectMalformed(st('{"__metadata__":{"k":"1","\\u006b":"2"}}', 0), 'safetensors.duplicate-key', /duplicate key "k"/);
  });

  it('MAX_JSON_DEPTH (127 levels, as the reference): a header nesting 127 levels is read, 128 is malformed', async () => {
    // safetensors 0.8.0 (serde_json) loads the 127-level header and refuses the 128-level one with
    // "recursion limit exceeded" (checked when this was written)
    const nested = (levels: number) => st(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":${'['.repeat(levels - 2)}${']'.repeat(levels - 2)}}}`, 1);
    const at = await scanBytes(nested(127));
    expect(at.findings).toEqual([]);
    expect(at.verdict).toBe('clean');
    await expectMalformed(nested(128), 'safetensors.nesting-too-deep', /deeper than 127/);
    await expectMalformed(st(`{"a":{"dtype":"U8","shape":[],"data_offsets":[0,1],"x":${'['.repeat(200)}${']'.repeat(200)}}}`, 1), 'safetensors.nesting-too-deep', /deeper than 127/);
  });

  it('stops at the tensor count limit before building the table', async () => {
    const keys = Array.from({ length: 500_001 }, (_, i) => `"${i}":0`).join(',');
    const r = await scanBytes(st(`{${keys}}`, 0));
    expect(r.verdict).toBe('suspicious');
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ rule: 'scan.limit-reached', evidence: { limit: 'MAX_TENSORS', value: 500_001 } });
    expect(r.content.tensors).toBeUndefined();
  });

  it('stops at JSON_MAX_OPEN_KEYS: keys held at once across nested objects, each under MAX_TENSORS', async () => {
    // five objects of 499,999 keys, each opened as the last key of the one before: 2,000,001 keys open at once
    const level = (i: number) => Array.from({ length: 499_999 }, (_, k) => `"${k}":0`).join(',') + `,"n${i}":`;
    const text = `{"a":{${[0, 1, 2, 3].map(level).join('{')}{${Array.from({ length: 6 }, (_, k) => `"${k}":0`).join(',')}}}}}}}`;
    const r = await scanBytes(st(text, 0));
    expect(r.verdict).toBe('suspicious');
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ rule: 'scan.limit-reached', evidence: { limit: 'JSON_MAX_OPEN_KEYS', value: 2_000_001 } });
    expect(r.findings[0]!.message).toMatch(/more than 2000000 keys in open objects at once/);
  });

  it('reads fields and names spelled with escapes, as the reference decodes them', async () => {
    const r = await scanBytes(st('{"\\u0077":{"d\\u0074ype":"U\\u0038","sh\\u0061pe":[2],"data_offsets":[0,2]},"\\u005f_metadata__":{"f":"x"}}', 2));
    expect(r.verdict, JSON.stringify(r.findings)).toBe('clean');
    expect(r.content).toMatchObject({ metadata: { f: 'x' }, tensors: [{ name: 'w', dtype: 'U8', shape: [2], bytes: 2 }] });
  });

  it('ignores unknown fields of a tensor entry, as the reference does', async () => {
    expect((await scanBytes(st({ a: { ...t('U8', [], [0, 1]), note: [1, { x: 2.5 }] } }, 1))).verdict).toBe('clean');
  });

  it.each([
    [{ a: [1] }, /tensor "a" is not an object/],
    [{ a: { dtype: 'U8', shape: [1] } }, /tensor "a" has no data_offsets/],
  ])('rejects a tensor entry that is not {dtype, shape, data_offsets}: %j', async (header, message) => {
    await expectMalformed(st(header, 1), 'safetensors.invalid-entry', message);
  });

  it('rejects an unknown dtype, naming the tensor', async () => {
    const f = await expectMalformed(st({ w: t('F128', [1], [0, 16]) }, 16), 'safetensors.unknown-dtype', /tensor "w" has unknown dtype "F128"/);
    expect(f.location).toEqual({ tensor: 'w', offset: 13 });
    expect(f.message).toMatch(/\(header entry at file offset 13\)$/);
    await expectMalformed(st({ w: t('f32', [1], [0, 4]) }, 4), 'safetensors.unknown-dtype', /"f32"/);
  });

  it.each(['[-1]', '[-0]', '[2.5]', '[2.0]', '[2e0]', '"2"', '[null]', '{"0":2}'])('rejects shape %s', async (shape) => {
    await expectMalformed(st(`{"w":{"dtype":"U8","shape":${shape},"data_offsets":[0,2]}}`, 2), 'safetensors.invalid-shape', /tensor "w" has shape/);
  });

  it.each([
    ['[0]', /not \[begin, end\]/],
    ['[0,1,2]', /not \[begin, end\]/],
    ['[-1,0]', /not \[begin, end\]/],
    ['[0.0,1]', /not \[begin, end\]/],
    ['[1,0]', /\[1, 0\]: end before begin/],
  ])('rejects data_offsets %s', async (offsets, message) => {
    await expectMalformed(st(`{"w":{"dtype":"U8","shape":[1],"data_offsets":${offsets}}}`, 1), 'safetensors.invalid-offsets', message);
  });

  it('rejects a shape whose element count passes 2^53, even when a later dimension is 0', async () => {
    await expectMalformed(st(`{"w":{"dtype":"U8","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}}`, 0), 'safetensors.overflow', /more than 2\^53 elements/);
    await expectMalformed(st(`{"w":{"dtype":"U8","shape":[18446744073709551615],"data_offsets":[0,0]}}`, 0), 'safetensors.overflow', /dimension 18446744073709551615, past 2\^53/);
  });

  it('MAX_SAFE: rejects a byte size or offset past 2^53 instead of rounding it; 2^53 - 1 is not an overflow', async () => {
    const at = await scanBytes(st(`{"w":{"dtype":"U8","shape":[9007199254740991],"data_offsets":[0,9007199254740991]}}`, 0));
    expect(at.findings.map((f) => f.rule)).not.toContain('safetensors.overflow');
    expect(at.verdict).toBe('malformed'); // the data is not there: a size error, not an overflow
    await expectMalformed(st(`{"w":{"dtype":"U64","shape":[4503599627370496],"data_offsets":[0,0]}}`, 0), 'safetensors.overflow', /larger than 2\^53 bytes/);
    await expectMalformed(st(`{"w":{"dtype":"U8","shape":[1],"data_offsets":[9007199254740993,9007199254740994]}}`, 0), 'safetensors.overflow', /\[9007199254740993, 9007199254740994\], past 2\^53/);
  });

  it('rejects a sub-byte tensor that is not a whole number of bytes', async () => {
    await expectMalformed(st({ w: t('F4', [3], [0, 2]) }, 2), 'safetensors.misaligned', /12 bits, not a whole number of bytes/);
  });

  it('rejects data_offsets that do not match dtype and shape', async () => {
    const f = await expectMalformed(st({ w: t('F32', [2, 2], [0, 12]) }, 12), 'safetensors.size-mismatch', /tensor "w" has data_offsets \[0, 12\] \(12 bytes\), but F32 \[2, 2\] needs 16 bytes/);
    expect(f.location.tensor).toBe('w');
  });

  it('rejects overlapping tensors, naming both', async () => {
    const bytes = st({ a: t('U8', [4], [0, 4]), b: t('U8', [4], [2, 6]) }, 6);
    const f = await expectMalformed(bytes, 'safetensors.offsets-overlap', /tensor "b" \[2, 6\] overlaps tensor "a" \[0, 4\]/);
    const dataOffset = bytes.length - 6;
    expect(f.location).toMatchObject({ tensor: 'b', offset: dataOffset + 2 });
  });

  it('rejects two tensors at the same offset', async () => {
    await expectMalformed(st({ a: t('U8', [4], [0, 4]), b: t('U8', [4], [0, 4]) }, 4), 'safetensors.offsets-overlap', /overlaps/);
  });

  it('rejects a gap between tensors and bytes before the first one', async () => {
    await expectMalformed(st({ a: t('U8', [4], [0, 4]), b: t('U8', [4], [6, 10]) }, 10), 'safetensors.offsets-gap', /2 bytes at data offset 4 belong to no tensor: gap after tensor "a" \[0, 4\], before tensor "b" \[6, 10\]/);
    await expectMalformed(st({ a: t('U8', [4], [3, 7]) }, 7), 'safetensors.offsets-gap', /3 bytes at data offset 0 .* at the start of the data section/);
  });

  it('rejects a tensor that runs past the end of the file', async () => {
    await expectMalformed(st({ a: t('U8', [4], [0, 4]), b: t('U8', [8], [4, 12]) }, 8), 'safetensors.offsets-past-end', /tensor "b" \[4, 12\] ends past the 8-byte data section/);
  });

  it('rejects bytes after the last tensor', async () => {
    await expectMalformed(st({ a: t('U8', [4], [0, 4]) }, 20), 'safetensors.data-not-covered', /16 bytes at data offset 4 belong to no tensor, after tensor "a" \[0, 4\]/);
    await expectMalformed(st({}, 3), 'safetensors.data-not-covered', /header names no tensor/);
  });

  it('reads __metadata__ as a map of strings, and accepts null as the reference does', async () => {
    const r = await scanBytes(st({ __metadata__: { format: 'pt', note: 'ünïcode' } }, 0));
    expect(r.content.metadata).toEqual({ format: 'pt', note: 'ünïcode' });
    expect((await scanBytes(st({ __metadata__: null }, 0))).verdict).toBe('clean');
    const proto = await scanBytes(st('{"__metadata__":{"__proto__":"x"}}', 0));
    expect(Object.getOwnPropertyNames(proto.content.metadata)).toEqual(['__proto__']);
  });

  it.each([[{ __metadata__: { epochs: 3 } }, /value for "epochs" at file offset 34 is not a string/], [{ __metadata__: ['pt'] }, /not an object of strings/]])(
    'rejects __metadata__ %j',
    async (header, message) => {
      await expectMalformed(st(header, 0), 'safetensors.invalid-metadata', message);
    },
  );

  it('reads a header longer than the largest single read, in pieces', async () => {
    const entry = `{"w":${JSON.stringify(t('U8', [3], [0, 3]))}`;
    const padding = ' '.repeat(70 * 1024 * 1024); // past MAX_READ_BYTES (64 MiB), under MAX_HEADER_BYTES
    const r = await scanBytes(st(`${entry}${padding}}`, 3));
    expect(r.verdict, JSON.stringify(r.findings)).toBe('clean');
    expect(r.content.tensors).toEqual([{ name: 'w', dtype: 'U8', shape: [3], parameters: 3, bytes: 3, offset: (r.content.dataOffset as number) }]);
  });

  it('reads a header whose 1 MiB scanner windows end inside a UTF-8 sequence, an escape and a number', async () => {
    const WINDOW = 1 << 20; // the wasm input window (assembly/io.ts)
    const cases: [tail: string, cut: number, name: string, around: number[]][] = [
      ['"layer.é.w":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}', '"layer.'.length + 1, 'layer.é.w', [0xc3, 0xa9]], // between the two bytes of é
      ['"layer.\\u00e9.w":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}', '"layer.\\u0'.length, 'layer.é.w', [0x30, 0x30]], // inside \u00e9
      ['"w":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}', '"w":{"dtype":"U8","shape":[2],"data_offsets":[1,'.length, 'w', [0x2c, 0x33]], // before the 3
    ];
    for (const [tail, cut, name, around] of cases) {
      const head = '{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"note":"';
      const glue = '"},';
      const pad = WINDOW - head.length - glue.length - new TextEncoder().encode(tail.slice(0, cut)).length + (tail.startsWith('"layer.é') ? 1 : 0);
      const text = `${head}${'x'.repeat(pad)}${glue}${tail}`;
      const bytes = new TextEncoder().encode(text);
      const r = await scanBytes(st(text, 3));
      expect(r.verdict, JSON.stringify(r.findings)).toBe('clean');
      expect((r.content.tensors as { name: string }[]).map((t) => t.name)).toEqual(['a', name]);
      expect([...bytes.subarray(WINDOW - 1, WINDOW + 1)]).toEqual(around);
    }
  });

  it('reads only the header of a big file', async () => {
    const n = 1000;
    const header: Record<string, object> = { __metadata__: { format: 'pt' } };
    const size = 32 * 1024;
    for (let i = 0; i < n; i++) header[`layer.${i}.weight`] = t('F32', [size / 4], [i * size, (i + 1) * size]);
    const head = st(header, 0);
    const big = new Uint8Array(head.length + n * size);
    big.set(head);
    const source = new MemoryByteSource(big, 'big.safetensors');
    const r = await scanSource(source, { wasm: await wasm() });
    expect(r.verdict).toBe('clean');
    expect(r.content.parameters).toBe((n * size) / 4);
    expect(head.length).toBeGreaterThan(64 * 1024); // the header does not fit in the sniffed head
    expect(r.stats.bytesRead).toBeLessThanOrEqual(head.length + 64 * 1024);
  });
});

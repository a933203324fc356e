// GGUF on real bytes: the committed fixtures (test/fixtures/make_gguf_fixtures.mjs)
// and, for the limits, files built by the same writer in memory or served as
// sparse sources (a header followed by gigabytes that are never read).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CountingByteSource } from '../src/engine/byte-source.js';
import { MAX_ARRAY_DEPTH, MAX_ARRAY_LENGTH, MAX_DIMS, MAX_FINDINGS_PER_RULE, MAX_HEADER_BYTES, MAX_KEY_BYTES, MAX_LISTED_TENSORS, MAX_METADATA_COUNT, MAX_STRING_BYTES, MAX_TEMPLATE_BYTES, MAX_TENSOR_COUNT } from '../src/engine/formats/gguf/limits.js';
import type { Report } from '../src/engine/report.js';
import type { TensorRow } from '../src/engine/formats/gguf/tensors.js';
import { scanSource } from '../src/engine/scan.js';
import { gguf } from './fixtures/gguf-writer.mjs';
import { fixtureBytes, scanBytes, validateReport, wasm } from './helpers.js';

const ggufBytes = (name: string) => new Uint8Array(readFileSync(fileURLToPath(new URL(`fixtures/gguf/${name}`, import.meta.url))));
const scanFixture = (name: string) => scanBytes(ggufBytes(name), name);
const rules = (r: Report) => r.findings.map((f) => f.rule);

/** A file of `size` bytes: `head` at the start, `patches` where given, zeros elsewhere; only what is read costs. */
class SparseSource extends CountingByteSource {
  constructor(
    readonly size: number,
    private readonly patches: [offset: number, bytes: Uint8Array][],
    readonly name = 'sparse.gguf',
  ) {
    super();
  }
  protected async fetch(offset: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    for (const [at, bytes] of this.patches) {
      const from = Math.max(at, offset);
      const to = Math.min(at + bytes.length, offset + length);
      if (from < to) out.set(bytes.subarray(from - at, to - at), from - offset);
    }
    return out;
  }
}
const scanSparse = async (source: CountingByteSource) => scanSource(source, { wasm: await wasm() });

describe('GGUF: benign files', () => {
  it('reads a v3 little-endian llama-like file whole: clean, with metadata, model facts and the tensor table', async () => {
    const r = await scanFixture('benign-v3.gguf');
    expect(validateReport(r), JSON.stringify(validateReport.errors)).toBe(true);
    expect(r.format).toBe('gguf');
    expect(r.verdict).toBe('clean');
    expect(r.findings).toEqual([]);
    const c = r.content as Record<string, any>;
    expect(c).toMatchObject({ version: 3, byteOrder: 'little', tensorCount: 11, metadataCount: 33, alignment: 32 });
    expect(c.dataOffset % 32).toBe(0);
    expect(c.dataOffset).toBeGreaterThanOrEqual(c.headerBytes);
    const meta = Object.fromEntries((c.metadata as { key: string; type: string; value: unknown }[]).map((m) => [m.key, m]));
    expect(meta['weightlens.u8']).toEqual({ key: 'weightlens.u8', type: 'uint8', value: 200 });
    expect(meta['weightlens.i8']!.value).toBe(-5);
    expect(meta['weightlens.u16']!.value).toBe(65535);
    expect(meta['weightlens.i16']!.value).toBe(-300);
    expect(meta['weightlens.i32']!.value).toBe(-70000);
    expect(meta['weightlens.bool']).toEqual({ key: 'weightlens.bool', type: 'bool', value: false });
    expect(meta['weightlens.u64']).toEqual({ key: 'weightlens.u64', type: 'uint64', value: String(2n ** 60n) });
    expect(meta['weightlens.i64']!.value).toBe(-(2 ** 40));
    expect(meta['weightlens.f64']!.value).toBe(3.25);
    expect(meta['llama.rope.freq_base']).toEqual({ key: 'llama.rope.freq_base', type: 'float32', value: 500000 });
    expect(meta['weightlens.nested']).toEqual({ key: 'weightlens.nested', type: 'array<array<uint8>>', value: { length: 2, itemType: 'array', first: [{ length: 2, itemType: 'uint8', first: [1, 2] }, { length: 1, itemType: 'uint8', first: [3] }] } });
    expect(meta['tokenizer.ggml.tokens']!.value).toEqual({ length: 300, itemType: 'string', first: ['<0x00>', '<0x01>', '<0x02>', '<0x03>', '<0x04>', '<0x05>', '<0x06>', '<0x07>'] });
    expect((meta['tokenizer.chat_template']!.value as { truncated: boolean }).truncated).toBe(true);
    expect(c.architecture).toMatchObject({ name: 'llama', modelName: 'weightlens tiny llama', fileType: 'MOSTLY_Q4_K_M', quantizationVersion: 2 });
    expect(c.hyperParameters).toMatchObject({ context_length: 4096, embedding_length: 256, block_count: 1, 'attention.head_count_kv': 2 });
    expect(c.tokenizer).toEqual({ model: 'gpt2', pre: 'llama-bpe', vocabSize: 300, merges: 3, specialTokens: { bos: 298, eos: 299 }, addBos: true, addEos: null });
    expect(c.chatTemplates).toEqual([{ key: 'tokenizer.chat_template', bytes: expect.any(Number), analysed: true, issues: 0 }]);
    const rows = c.tensors as TensorRow[];
    const byName = Object.fromEntries(rows.map((t) => [t.name, t]));
    // Sizes from ggml's block layouts: Q4_K 144 bytes per 256, Q8_0 34 per 32, Q6_K 210 per 256, IQ4_NL 18 per 32, TQ2_0 66 per 256, MXFP4 17 per 32.
    expect(byName['token_embd.weight']).toMatchObject({ dtype: 'Q4_K', shape: [256, 16], parameters: 4096, bytes: 16 * 144, offset: c.dataOffset });
    expect(byName['blk.0.attn_q.weight']).toMatchObject({ dtype: 'Q8_0', bytes: 8 * 8 * 34 });
    expect(byName['blk.0.ffn_down.weight']).toMatchObject({ dtype: 'Q6_K', bytes: 4 * 210 });
    expect(byName['blk.0.ffn_up.weight']).toMatchObject({ dtype: 'IQ4_NL', bytes: 2 * 4 * 18 });
    expect(byName['blk.0.ffn_gate.weight']).toMatchObject({ dtype: 'TQ2_0', bytes: 66 });
    expect(byName['blk.0.ffn_gate_exps.weight']).toMatchObject({ dtype: 'MXFP4', shape: [32, 2, 2], bytes: 4 * 17 });
    expect(byName['output.weight']).toMatchObject({ dtype: 'BF16', bytes: 2048 });
    expect(c.parameters).toBe(rows.reduce((n, t) => n + t.parameters, 0));
    expect(c.totals.Q4_K).toEqual({ tensors: 1, parameters: 4096, bytes: 2304 });
  });

  it.each(['benign-v2.gguf', 'benign-v1.gguf', 'benign-big-endian.gguf'])('reads %s to the same tensor table as v3', async (name) => {
    const reference = (await scanFixture('benign-v3.gguf')).content.tensors as TensorRow[];
    const r = await scanFixture(name);
    expect(r.verdict).toBe('clean');
    const rows = r.content.tensors as TensorRow[];
    const dataOffset = r.content.dataOffset as number;
    const base = (await scanFixture('benign-v3.gguf')).content.dataOffset as number;
    expect(rows.map((t) => ({ ...t, offset: t.offset! - dataOffset }))).toEqual(reference.map((t) => ({ ...t, offset: t.offset! - base })));
  });

  it('knows the byte order and version of each', async () => {
    expect((await scanFixture('benign-big-endian.gguf')).content).toMatchObject({ version: 3, byteOrder: 'big' });
    expect((await scanFixture('benign-big-endian.gguf')).formatLabel).toBe('GGUF v3 (big-endian)');
    expect((await scanFixture('benign-v1.gguf')).content).toMatchObject({ version: 1, byteOrder: 'little' });
    expect((await scanFixture('benign-v2.gguf')).content).toMatchObject({ version: 2 });
  });

  it('reads a vocabulary-only file (no tensors) as clean', async () => {
    const r = await scanFixture('benign-vocab-only.gguf');
    expect(r.verdict).toBe('clean');
    expect(r.content).toMatchObject({ tensorCount: 0, tensors: [], parameters: 0 });
  });

  it('reads the sniff fixture made by make_fixtures.py (Python struct) as clean', async () => {
    const r = await scanBytes(fixtureBytes('model.gguf'), 'model.gguf');
    expect(r.verdict).toBe('clean');
    expect(r.content.tensors).toEqual([{ name: 'token_embd.weight', dtype: 'F32', shape: [4, 2], parameters: 8, bytes: 32, offset: 224, quantised: false }]);
  });

  it('uses a larger general.alignment for the data section', async () => {
    const r = await scanFixture('alignment-64.gguf');
    expect(r.verdict).toBe('clean');
    expect(r.content.alignment).toBe(64);
    expect((r.content.dataOffset as number) % 64).toBe(0);
  });

  it('reads only the header of a 10 GiB file', async () => {
    const header = gguf({ kv: [['general.architecture', 'str', 'llama']], tensors: [{ name: 'w', type: 'Q4_0', dims: [4096, 4096 * 148], bytes: 0 }], dataBytes: 0 });
    const bytes = 4096 * 4096 * 148 / 32 * 18;
    const source = new SparseSource(header.length + bytes, [[0, header]]);
    const r = await scanSparse(source);
    expect(r.verdict).toBe('clean');
    expect((r.content.tensors as TensorRow[])[0]!.bytes).toBe(bytes);
    expect(source.bytesRead).toBeLessThanOrEqual(32 * 1024);
  });
});

describe('GGUF: validation, one rule per failure', () => {
  it.each([
    ['misaligned-offset.gguf', 'gguf.misaligned-offset', 'malformed'],
    ['tensor-past-end.gguf', 'gguf.tensor-past-end', 'malformed'],
    ['tensor-overlap.gguf', 'gguf.tensor-overlap', 'malformed'],
    ['partial-block.gguf', 'gguf.partial-block', 'malformed'],
    ['unknown-type.gguf', 'gguf.unknown-type', 'malformed'],
    ['overflow.gguf', 'gguf.overflow', 'malformed'],
    ['duplicate-key.gguf', 'gguf.duplicate-key', 'malformed'],
    ['duplicate-tensor.gguf', 'gguf.duplicate-tensor', 'malformed'],
    ['alignment-zero.gguf', 'gguf.invalid-alignment', 'malformed'],
    ['alignment-not-power-of-two.gguf', 'gguf.invalid-alignment', 'malformed'],
    ['alignment-wrong-type.gguf', 'gguf.invalid-alignment', 'malformed'],
    ['bool-byte-2.gguf', 'gguf.invalid-value', 'malformed'],
    ['value-type-13.gguf', 'gguf.invalid-value-type', 'malformed'],
    ['version-4.gguf', 'gguf.unsupported-version', 'malformed'],
    ['five-dims.gguf', 'gguf.invalid-tensor', 'malformed'],
    ['long-tensor-name.gguf', 'gguf.invalid-tensor', 'malformed'],
    ['truncated-in-tokens.gguf', 'gguf.truncated', 'malformed'],
    ['counts-past-end.gguf', 'gguf.truncated', 'malformed'],
    ['data-gap.gguf', 'gguf.data-gap', 'suspicious'],
    ['trailing-data.gguf', 'gguf.trailing-data', 'suspicious'],
  ])('%s: %s, %s', async (name, rule, verdict) => {
    const r = await scanFixture(name);
    expect(validateReport(r), JSON.stringify(validateReport.errors)).toBe(true);
    expect(rules(r)).toContain(rule);
    expect(r.verdict).toBe(verdict);
  });

  it('names the tensors and offsets involved', async () => {
    const overlap = (await scanFixture('tensor-overlap.gguf')).findings[0]!;
    expect(overlap.location.tensor).toBe('b.weight');
    expect(overlap.evidence.other).toBe('a.weight');
    const removed = (await scanFixture('unknown-type.gguf')).findings.map((f) => f.message);
    expect(removed.join('\n')).toMatch(/type 4 \(Q4_2, removed from ggml\)/);
    const cut = (await scanFixture('truncated-in-tokens.gguf')).findings[0]!;
    expect(cut.location.offset).toBeGreaterThan(0);
    expect(cut.message).toMatch(/tokenizer\.ggml\.tokens/);
  });

  it('calls every cut of a benign file malformed, never clean, and never crashes', async () => {
    const bytes = ggufBytes('benign-v3.gguf');
    const dataOffset = (await scanFixture('benign-v3.gguf')).content.dataOffset as number;
    for (let cut = 0; cut < bytes.length; cut += 97) {
      const r = await scanBytes(bytes.subarray(0, cut));
      if (cut < 4) continue; // not even the magic: not GGUF
      expect(r.verdict, `cut at ${cut}`).toBe('malformed');
      expect(rules(r).some((x) => x === 'gguf.truncated' || x === 'gguf.tensor-past-end' || x === 'format.malformed'), `cut at ${cut}: ${rules(r)}`).toBe(true);
      if (cut > dataOffset) expect(rules(r)).toContain('gguf.tensor-past-end');
    }
  });

  it('MAX_FINDINGS_PER_RULE (gguf/limits): caps one rule at 20 findings and counts the rest', async () => {
    const misaligned = async (n: number) => {
      const tensors = Array.from({ length: n }, (_, i) => ({ name: `t${i}`, type: 'F32', dims: [8], offset: 4 + 64 * i }));
      return (await scanBytes(gguf({ tensors, dataBytes: 64 * n }))).findings.filter((f) => f.rule === 'gguf.misaligned-offset');
    };
    const over = await misaligned(30);
    expect(over).toHaveLength(MAX_FINDINGS_PER_RULE + 1);
    expect(over[20]!.evidence.count).toBe(30);
    const at = await misaligned(MAX_FINDINGS_PER_RULE);
    expect(at).toHaveLength(20);
    expect(at.some((f) => f.evidence.count !== undefined)).toBe(false);
  });

  it('MAX_TENSOR_NAME_BYTES (63, gguf/tensors: GGML_MAX_NAME - 1): a 63-byte name is fine, 64 bytes is refused as llama.cpp does', async () => {
    const named = (name: string) => scanBytes(gguf({ tensors: [{ name, type: 'F32', dims: [8] }] }));
    expect((await named('n'.repeat(63))).findings).toEqual([]);
    const long = await named('n'.repeat(64));
    expect(long.findings.map((f) => f.rule)).toEqual(['gguf.invalid-tensor']);
    expect(long.findings[0]!.message).toContain("longer than ggml's 63 bytes");
  });

  it('MAX_SAFE (gguf/header): a dimension past 2^53 stays exact and is refused as an overflow; 2^53 - 1 is a size like any other', async () => {
    const dim = (d: number | bigint) => scanBytes(gguf({ tensors: [{ name: 'w', type: 'I8', dims: [d], bytes: 0 }] }));
    const over = await dim(2n ** 53n + 1n);
    expect(over.findings.map((f) => f.rule)).toContain('gguf.overflow');
    expect(over.findings.find((f) => f.rule === 'gguf.overflow')!.message).toContain('[9007199254740993]');
    const at = await dim(2 ** 53 - 1);
    expect(at.findings.map((f) => f.rule)).not.toContain('gguf.overflow');
    expect(at.findings.map((f) => f.rule)).toContain('gguf.tensor-past-end');
  });
});

describe('GGUF: named limits', () => {
  const limit = (r: Report) => r.findings.find((f) => f.rule === 'scan.limit-reached')?.evidence.limit;

  it('MAX_DIMS: a tensor with more dimensions is malformed', async () => {
    const r = await scanBytes(gguf({ tensors: [{ name: 'a', type: 'F32', dims: Array(MAX_DIMS + 1).fill(1) }] }));
    expect(r.findings[0]!.message).toMatch(/MAX_DIMS/);
  });

  it('MAX_KEY_BYTES: a longer key stops the read', async () => {
    const r = await scanBytes(gguf({ kv: [['k'.repeat(MAX_KEY_BYTES + 1), 'u8', 1]] }));
    expect(limit(r)).toBe('MAX_KEY_BYTES');
    expect(r.verdict).toBe('suspicious');
  });

  it('MAX_ARRAY_DEPTH: arrays nested deeper stop the read', async () => {
    let value: { of: string; items: unknown[] } = { of: 'u8', items: [1] };
    for (let i = 1; i < MAX_ARRAY_DEPTH + 1; i++) value = { of: 'arr', items: [value] };
    const r = await scanBytes(gguf({ kv: [['deep', 'arr', value]] }));
    expect(limit(r)).toBe('MAX_ARRAY_DEPTH');
    let ok: { of: string; items: unknown[] } = { of: 'u8', items: [1] };
    for (let i = 1; i < MAX_ARRAY_DEPTH; i++) ok = { of: 'arr', items: [ok] };
    expect((await scanBytes(gguf({ kv: [['deep', 'arr', ok]] }))).verdict).toBe('clean');
  });

  it('MAX_METADATA_COUNT: more entries than the limit (that the file could hold) stop the read', async () => {
    const kv = Array.from({ length: MAX_METADATA_COUNT + 1 }, (_, i) => [`k${i}`, 'u8', 1]);
    const r = await scanBytes(gguf({ kv }));
    expect(limit(r)).toBe('MAX_METADATA_COUNT');
  });

  it('MAX_TENSOR_COUNT: more tensors than the limit stop the read', async () => {
    const header = gguf({ counts: { tensors: MAX_TENSOR_COUNT + 1, kv: 0 } });
    const r = await scanSparse(new SparseSource(header.length + 24 * (MAX_TENSOR_COUNT + 1), [[0, header]]));
    expect(limit(r)).toBe('MAX_TENSOR_COUNT');
  });

  it('MAX_ARRAY_LENGTH: a longer array stops the read before walking it', async () => {
    const header = gguf({ kv: [['tokenizer.ggml.scores', 'arr', { of: 'u8', items: [] }]] });
    const view = new DataView(header.buffer);
    view.setBigUint64(header.length - 8, BigInt(MAX_ARRAY_LENGTH + 1), true);
    const source = new SparseSource(header.length + MAX_ARRAY_LENGTH + 1, [[0, header]]);
    const r = await scanSparse(source);
    expect(limit(r)).toBe('MAX_ARRAY_LENGTH');
    expect(source.bytesRead).toBeLessThan(64 * 1024);
  });

  it('MAX_STRING_BYTES: a longer string stops the read without reading it', async () => {
    const header = gguf({ kv: [['general.description', 'str', '']] });
    new DataView(header.buffer).setBigUint64(header.length - 8, BigInt(MAX_STRING_BYTES + 1), true);
    const source = new SparseSource(header.length + MAX_STRING_BYTES + 1, [[0, header]]);
    const r = await scanSparse(source);
    expect(limit(r)).toBe('MAX_STRING_BYTES');
    expect(source.bytesRead).toBeLessThan(64 * 1024);
  });

  it('MAX_HEADER_BYTES: a header longer than the limit stops the read, having read only what it kept', async () => {
    // Five strings of 60 MB: each under MAX_STRING_BYTES, together past MAX_HEADER_BYTES.
    const n = 60 * 1024 * 1024;
    const patches: [number, Uint8Array][] = [];
    const prefix = gguf({ counts: { tensors: 0, kv: 5 } });
    patches.push([0, prefix]);
    let at = prefix.length;
    for (let i = 0; i < 5; i++) {
      const entry = gguf({ kv: [[`general.blob${i}`, 'str', '']] }).subarray(24);
      new DataView(entry.buffer, entry.byteOffset).setBigUint64(entry.length - 8, BigInt(n), true);
      patches.push([at, entry]);
      at += entry.length + n;
    }
    const source = new SparseSource(at, patches);
    const r = await scanSparse(source);
    expect(limit(r)).toBe('MAX_HEADER_BYTES');
    expect(MAX_HEADER_BYTES).toBeLessThan(at);
    expect(source.bytesRead).toBeLessThan(8 * 1024 * 1024);
  });

  it('MAX_LISTED_TENSORS: lists the first rows, totals cover every tensor', async () => {
    const tensors = Array.from({ length: MAX_LISTED_TENSORS + 5 }, (_, i) => ({ name: `t${i}`, type: 'F32', dims: [8] }));
    const r = await scanBytes(gguf({ tensors }));
    expect(r.verdict).toBe('clean');
    expect((r.content.tensors as TensorRow[]).length).toBe(MAX_LISTED_TENSORS);
    expect(r.content).toMatchObject({ tensorsTotal: MAX_LISTED_TENSORS + 5, tensorsListed: MAX_LISTED_TENSORS, parameters: 8 * (MAX_LISTED_TENSORS + 5) });
  });

  it('MAX_TEMPLATE_BYTES: a longer chat template is reported unanalysed, the rest of the file still checked', async () => {
    const r = await scanBytes(gguf({ kv: [['tokenizer.chat_template', 'str', `{{ x }}${' '.repeat(MAX_TEMPLATE_BYTES)}`]], tensors: [{ name: 'a', type: 'F32', dims: [8] }] }));
    expect(limit(r)).toBe('MAX_TEMPLATE_BYTES');
    expect(r.verdict).toBe('suspicious');
    expect(r.content.chatTemplates).toEqual([{ key: 'tokenizer.chat_template', bytes: MAX_TEMPLATE_BYTES + 7, analysed: false, issues: 0 }]);
    expect((r.content.tensors as TensorRow[]).length).toBe(1);
  });
});

describe('GGUF: chat templates', () => {
  it('calls the CVE-2024-34359 payload malicious and points at its bytes in the file', async () => {
    const bytes = ggufBytes('chat-template-cve-2024-34359.gguf');
    const r = await scanFixture('chat-template-cve-2024-34359.gguf');
    expect(r.verdict).toBe('malicious');
    const first = r.findings.find((f) => f.rule === 'template.python-internals')!;
    expect(first.severity).toBe('critical');
    const { offset, length } = first.location;
    expect(new TextDecoder().decode(bytes.subarray(offset!, offset! + length!))).toBe('__class__');
    expect(first.evidence.snippet).toContain('().__class__.__base__');
    expect(first.evidence.key).toBe('tokenizer.chat_template');
    expect(rules(r)).toContain('template.dangerous-name');
  });

  it('checks named templates (tokenizer.chat_template.<name>) too', async () => {
    const r = await scanFixture('chat-template-named-variant.gguf');
    expect(r.verdict).toBe('malicious');
    expect(new Set(r.findings.map((f) => f.evidence.key))).toEqual(new Set(['tokenizer.chat_template.tool_use']));
    expect((r.content.chatTemplates as { key: string }[]).map((t) => t.key)).toEqual(['tokenizer.chat_template', 'tokenizer.chat_template.tool_use']);
  });

  it('keeps a payload found before the file is cut: malicious, with the truncation reported', async () => {
    const r = await scanFixture('chat-template-then-truncated.gguf');
    expect(r.verdict).toBe('malicious');
    expect(rules(r)).toContain('gguf.truncated');
  });
});

// Sharded safetensors: model.safetensors.index.json and its shards, hand-built
// in a temp folder and scanned with the siblings beside the index.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryByteSource } from '../src/engine/byte-source.js';
import { MAX_INDEX_BYTES, MAX_SHARDS } from '../src/engine/formats/safetensors/safetensors-index.js';
import { MAX_JSON_DEPTH } from '../src/engine/formats/safetensors/safetensors.js';
import type { Report } from '../src/engine/report.js';
import { scanSource } from '../src/engine/scan.js';
import { BlobSiblings, type Siblings } from '../src/engine/siblings.js';
import { DirectorySiblings } from '../src/node/directory-siblings.js';
import { FileHandleByteSource } from '../src/node/file-source.js';
import { concat, validateReport, wasm } from './helpers.js';
import { A, B, indexJson, shard, validModel } from './sharded.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function folder(files: Record<string, string | Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), 'weightlens-index-'));
  dirs.push(dir);
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  return dir;
}

async function scanFile(path: string): Promise<Report> {
  const source = await FileHandleByteSource.open(path);
  const siblings = new DirectorySiblings(path);
  try {
    return await scanSource(source, { wasm: await wasm(), path, siblings });
  } finally {
    await Promise.all([source.close(), siblings.close()]);
  }
}

async function scanIndex(files: Record<string, string | Uint8Array>): Promise<Report> {
  const r = await scanFile(join(folder(files), 'model.safetensors.index.json'));
  expect(r.format).toBe('safetensors-index');
  expect(validateReport(r), JSON.stringify(validateReport.errors)).toBe(true);
  return r;
}

const rules = (r: Report) => r.findings.map((f) => [f.rule, f.severity]);

describe('safetensors index', () => {
  it('calls a complete sharded model clean, index and shards, with its shard and tensor tables', async () => {
    const dir = folder(validModel());
    const r = await scanFile(join(dir, 'model.safetensors.index.json'));
    expect(r.format).toBe('safetensors-index');
    expect(r.verdict, JSON.stringify(r.findings)).toBe('clean');
    expect(r.content).toMatchObject({
      shards: [
        { name: A, present: true, status: 'ok', tensors: 2, bytes: 24 },
        { name: B, present: true, status: 'ok', tensors: 1, bytes: 2 },
      ],
      tensors: [
        { name: 'a.weight', dtype: 'F32', shape: [2, 2], parameters: 4, bytes: 16, shard: A },
        { name: 'a.bias', dtype: 'F32', shape: [2], parameters: 2, bytes: 8, shard: A },
        { name: 'b.weight', dtype: 'F16', shape: [1], parameters: 1, bytes: 2, shard: B },
      ],
      parameters: 7,
      totalSize: { declared: 26, computed: 26 },
    });
    for (const name of [A, B]) expect((await scanFile(join(dir, name))).verdict).toBe('clean');
  });

  it("counts the shards' header reads in stats.bytesRead, and nothing of their data", async () => {
    const files = validModel();
    const r = await scanIndex(files);
    const indexBytes = new TextEncoder().encode(files['model.safetensors.index.json'] as string).length;
    const headers = [A, B].map((name) => {
      const bytes = files[name] as Uint8Array;
      return 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    });
    expect(r.stats.bytesRead).toBe(indexBytes + headers[0]! + headers[1]!);
  });

  it('index-bom: reads an index that starts with a UTF-8 byte-order mark, and says loaders disagree on it', async () => {
    const withBom = (text: string) => concat([0xef, 0xbb, 0xbf], text);
    const r = await scanIndex({ ...validModel(), 'model.safetensors.index.json': withBom(indexJson({ 'a.weight': A, 'a.bias': A, 'b.weight': B }, 26)) });
    expect(r.verdict).toBe('suspicious');
    expect(rules(r)).toEqual([['safetensors.index-bom', 'medium']]);
    expect(r.findings[0]).toMatchObject({ location: { offset: 0, length: 3 }, message: expect.stringMatching(/json\.load .* serde_json .* fetch\(\)\.json\(\)/) });
    expect(r.content.totalSize).toEqual({ declared: 26, computed: 26 });
    // what follows the mark is checked as usual, and offsets stay file offsets
    const unsafe = await scanIndex({ 'model.safetensors.index.json': withBom(indexJson({ x: '../../etc/passwd' })) });
    expect(unsafe.verdict).toBe('malicious');
    expect(rules(unsafe)).toEqual([['safetensors.index-bom', 'medium'], ['safetensors.index-unsafe-shard-name', 'critical']]);
    const broken = await scanIndex({ 'model.safetensors.index.json': withBom('{"weight_map": {"a": 1}}') });
    expect(rules(broken)).toEqual([['safetensors.index-bom', 'medium'], ['safetensors.index-invalid', 'high']]);
    expect(broken.findings[1]!.location.offset).toBe(3 + '{"weight_map": {"a": '.length);
  });

  it('works with the files dropped together in the app (BlobSiblings)', async () => {
    const files = validModel();
    const siblings = new BlobSiblings(Object.entries(files).map(([name, bytes]) => [name, new Blob([typeof bytes === 'string' ? bytes : new Uint8Array(bytes)])] as const));
    const bytes = new TextEncoder().encode(files['model.safetensors.index.json'] as string);
    const r = await scanSource(new MemoryByteSource(bytes, 'model.safetensors.index.json'), { wasm: await wasm(), siblings });
    expect(r.format).toBe('safetensors-index');
    expect(r.verdict, JSON.stringify(r.findings)).toBe('clean');
  });

  it('sniffs by content: JSON with a weight_map, whatever the name; other JSON stays unknown', async () => {
    const scan = async (text: string) => scanSource(new MemoryByteSource(new TextEncoder().encode(text), 'x.txt'), { wasm: await wasm() });
    expect((await scan('  \n{"weight_map": {}}')).format).toBe('safetensors-index');
    expect((await scan('{"weights": {}}')).format).toBe('unknown');
    expect((await scan('[{"weight_map": {}}]')).format).toBe('unknown');
  });

  it('index-invalid: weight_map not an object of strings, total_size not an integer, broken JSON', async () => {
    for (const text of [
      '{"weight_map": ["a"]}',
      '{"weight_map": {"a": 1}}',
      indexJson({ a: A }, 1.5),
      indexJson({ a: A }, -1),
      indexJson({ a: A }, '26'),
      '{"weight_map": {"a": "x.safetensors", "a": "y.safetensors"}}',
      '{"weight_map": {"a": ',
      '{"metadata": {"total_size": 9007199254740992}, "weight_map": {}}', // MAX_SAFE + 1
    ]) {
      const r = await scanIndex({ 'model.safetensors.index.json': text });
      expect(r.verdict, text).toBe('malformed');
      expect(rules(r), text).toEqual([['safetensors.index-invalid', 'high']]);
    }
    // MAX_SAFE (src/engine/formats/safetensors/safetensors-index.ts): 2^53 - 1 is a total size like any other
    const at = await scanIndex({ 'model.safetensors.index.json': '{"metadata": {"total_size": 9007199254740991}, "weight_map": {}}' });
    expect(rules(at).map(([rule]) => rule)).not.toContain('safetensors.index-invalid');
  });

  it('stops at MAX_INDEX_BYTES without parsing', async () => {
    const bytes = new Uint8Array(MAX_INDEX_BYTES + 1).fill(0x20);
    bytes.set(new TextEncoder().encode('{"weight_map": {}}'));
    const r = await scanSource(new MemoryByteSource(bytes, 'model.safetensors.index.json'), { wasm: await wasm() });
    expect(r.format).toBe('safetensors-index');
    expect(r.findings).toMatchObject([{ rule: 'scan.limit-reached', evidence: { limit: 'MAX_INDEX_BYTES' } }]);
    expect(r.stats.bytesRead).toBeLessThan(256 * 1024); // what every sniffer reads (head, zip tail), not the file
  });

  it(`MAX_JSON_DEPTH (${MAX_JSON_DEPTH} levels): an index nesting that deep is read; one more is a limit, not malformed (Python's json reads it)`, async () => {
    const index = (levels: number) => new TextEncoder().encode(`{"metadata": {"total_size": 0, "x": ${'['.repeat(levels - 2)}${']'.repeat(levels - 2)}}, "weight_map": {}}`);
    const at = await scanSource(new MemoryByteSource(index(MAX_JSON_DEPTH), 'model.safetensors.index.json'), { wasm: await wasm() });
    expect(at.format).toBe('safetensors-index');
    expect(at.findings.filter((f) => f.rule === 'scan.limit-reached' || f.rule === 'safetensors.index-invalid')).toEqual([]);
    const over = await scanSource(new MemoryByteSource(index(MAX_JSON_DEPTH + 1), 'model.safetensors.index.json'), { wasm: await wasm() });
    expect(over.findings).toMatchObject([{ rule: 'scan.limit-reached', evidence: { limit: 'MAX_JSON_DEPTH', value: MAX_JSON_DEPTH + 1 } }]);
    expect(over.verdict).toBe('suspicious');
  });

  it('stops at MAX_SHARDS before opening any shard', async () => {
    const map: Record<string, string> = {};
    for (let i = 0; i <= MAX_SHARDS; i++) map[`t${i}`] = `s${i}.safetensors`;
    const opened: string[] = [];
    const siblings: Siblings = { names: async () => Object.values(map), open: async (name) => (opened.push(name), undefined) };
    const r = await scanSource(new MemoryByteSource(new TextEncoder().encode(indexJson(map)), 'i.json'), { wasm: await wasm(), siblings });
    expect(r.findings).toMatchObject([{ rule: 'scan.limit-reached', evidence: { limit: 'MAX_SHARDS', value: MAX_SHARDS + 1 } }]);
    expect(opened).toEqual([]);
  });

  it('index-unsafe-shard-name: ../../etc/passwd is critical and never opened', async () => {
    const opened: string[] = [];
    const files = validModel();
    const dir = folder(files);
    const inner = new DirectorySiblings(join(dir, 'model.safetensors.index.json'));
    const siblings: Siblings = { names: () => inner.names(), open: (name) => (opened.push(name), inner.open(name)) };
    const text = indexJson({ 'a.weight': A, 'a.bias': A, 'b.weight': B, evil: '../../etc/passwd' });
    const r = await scanSource(new MemoryByteSource(new TextEncoder().encode(text), 'model.safetensors.index.json'), { wasm: await wasm(), siblings });
    await inner.close();
    expect(r.verdict).toBe('malicious');
    expect(rules(r)).toEqual([['safetensors.index-unsafe-shard-name', 'critical']]);
    expect(r.findings[0]!.evidence).toMatchObject({ shard: '../../etc/passwd' });
    expect(opened.sort()).toEqual([A, B]);
    expect(r.content.shards).toContainEqual({ name: '../../etc/passwd', present: false, status: 'unsafe-name', tensors: 1, bytes: null });
  });

  it('index-unsafe-shard-name: absolute, drive letter, UNC, backslash, NUL and URL names are critical; a subfolder is high', async () => {
    for (const name of ['/etc/passwd', 'C:model.safetensors', '\\\\server\\share\\m.safetensors', 'a\\b.safetensors', 'm\0.safetensors', 'https://example.com/m.safetensors', 'sub/../../x']) {
      const r = await scanIndex({ 'model.safetensors.index.json': indexJson({ t: name }) });
      expect(rules(r), name).toEqual([['safetensors.index-unsafe-shard-name', 'critical']]);
      expect(r.verdict).toBe('malicious');
    }
    const r = await scanIndex({ 'model.safetensors.index.json': indexJson({ t: 'sub/model.safetensors' }) });
    expect(rules(r)).toEqual([['safetensors.index-unsafe-shard-name', 'high']]);
    expect(r.verdict).toBe('suspicious');
  });

  it('index-missing-shard: a shard not beside the index', async () => {
    const files = validModel();
    delete files[B];
    const r = await scanIndex(files);
    expect(rules(r)).toEqual([['safetensors.index-missing-shard', 'high']]);
    expect(r.findings[0]!.message).toContain(B);
    expect(r.verdict).toBe('suspicious');
    expect(r.content.totalSize).toEqual({ declared: 26, computed: null });
  });

  it('index-tensor-missing: an indexed tensor absent from its shard', async () => {
    const files = validModel();
    files['model.safetensors.index.json'] = indexJson({ 'a.weight': A, 'a.bias': A, 'b.weight': B, 'b.bias': B }, 26);
    const r = await scanIndex(files);
    expect(rules(r)).toEqual([['safetensors.index-tensor-missing', 'high']]);
    expect(r.findings[0]).toMatchObject({ location: { tensor: 'b.bias' }, evidence: { shard: B, count: 1 } });
  });

  it('index-tensor-elsewhere: a tensor in a shard other than the one named', async () => {
    const files = validModel();
    files['model.safetensors.index.json'] = indexJson({ 'a.weight': A, 'a.bias': B, 'b.weight': B }, 26);
    const r = await scanIndex(files);
    expect(rules(r)).toEqual([['safetensors.index-tensor-elsewhere', 'high']]);
    expect(r.findings[0]).toMatchObject({ location: { tensor: 'a.bias' }, evidence: { shard: B, foundIn: [A] } });
  });

  it('index-tensor-duplicate: a tensor in two shards', async () => {
    const files = validModel();
    files[B] = shard({ 'b.weight': ['F16', [1]], 'a.bias': ['F32', [2]] });
    const r = await scanIndex(files);
    expect(rules(r)).toContainEqual(['safetensors.index-tensor-duplicate', 'high']);
    expect(r.findings.find((f) => f.rule === 'safetensors.index-tensor-duplicate')!.evidence).toEqual({ foundIn: [A, B] });
  });

  it('index-extra-tensor: a shard tensor the index does not list', async () => {
    const files = validModel();
    files[B] = shard({ 'b.weight': ['F16', [1]], hidden: ['U8', [2]] });
    files['model.safetensors.index.json'] = indexJson({ 'a.weight': A, 'a.bias': A, 'b.weight': B }, 28);
    const r = await scanIndex(files);
    expect(rules(r)).toEqual([['safetensors.index-extra-tensor', 'medium']]);
    expect(r.findings[0]).toMatchObject({ location: { tensor: 'hidden' }, evidence: { shard: B, tensors: ['hidden'] } });
    expect(r.verdict).toBe('suspicious');
  });

  it('index-total-size: total_size differs from the bytes of the shards', async () => {
    const files = validModel();
    files['model.safetensors.index.json'] = indexJson({ 'a.weight': A, 'a.bias': A, 'b.weight': B }, 27);
    const r = await scanIndex(files);
    expect(rules(r)).toEqual([['safetensors.index-total-size', 'medium']]);
    expect(r.findings[0]!.evidence).toEqual({ declared: 27, computed: 26 });
  });

  it('index-shard-malformed: names the shard and its own rule, without failing the index', async () => {
    const files = validModel();
    const broken = (files[B] as Uint8Array).slice();
    broken.set(new TextEncoder().encode('{"b.weight":{"b.weight"'), 8);
    files[B] = broken;
    const r = await scanIndex(files);
    expect(rules(r)).toEqual([['safetensors.index-shard-malformed', 'high']]);
    expect(r.findings[0]!.message).toContain(B);
    expect(r.findings[0]!.evidence).toEqual({ shard: B, rule: 'safetensors.invalid-json' });
    expect(r.verdict).toBe('suspicious');
    expect((r.content.tensors as unknown[]).length).toBe(2);
  });
});

// Format recognition on real bytes of every format (fixtures from
// test/fixtures/make_fixtures.py); names never decide.
import { describe, expect, it } from 'vitest';
import { MemoryByteSource } from '../src/engine/byte-source.js';
import type { FormatId } from '../src/engine/report.js';
import { scanSource } from '../src/engine/scan.js';
import { HEAD_BYTES } from '../src/engine/sniff/context.js';
import { fixtureBytes, scanBytes, wasm } from './helpers.js';

const EXPECTED: [fixture: string, format: FormatId, label: RegExp][] = [
  ['pickle-p0.pkl', 'pickle', /protocol 0/],
  ['pickle-p1.pkl', 'pickle', /protocol 0/], // protocol 1 has no header to tell it from 0
  ['pickle-p2.pkl', 'pickle', /protocol 2/],
  ['pickle-p3.pkl', 'pickle', /protocol 3/],
  ['pickle-p4.pkl', 'pickle', /protocol 4/],
  ['pickle-p5.pkl', 'pickle', /protocol 5/],
  ['torch-zip.pt', 'pytorch-zip', /PyTorch checkpoint \(zip\)/],
  ['torch-zip-prefixed.bin', 'pytorch-zip', /PyTorch/],
  ['torch-legacy.pt', 'pytorch-legacy', /legacy format/],
  ['torch-legacy-tar.pt', 'pytorch-legacy', /legacy tar/],
  ['torchscript.pt', 'torchscript', /TorchScript/],
  ['array.npy', 'numpy', /\.npy v1\.0/],
  ['array-object.npy', 'numpy', /\.npy/],
  ['arrays.npz', 'npz', /^numpy \.npz$/],
  ['arrays-compressed.npz', 'npz', /compressed/],
  ['model.safetensors', 'safetensors', /safetensors/],
  ['model.onnx', 'onnx', /IR version 8/],
  ['model.gguf', 'gguf', /GGUF v3/],
  ['model.h5', 'hdf5', /^HDF5$/],
  ['model-userblock.h5', 'hdf5', /512-byte user block/],
  ['model.keras', 'keras', /Keras v3/],
  ['model.joblib', 'joblib', /joblib pickle \(protocol 4\)/],
  ['plain.zip', 'zip', /^zip archive$/],
  ['model-compressed.joblib', 'joblib', /joblib pickle \(protocol 4\), zlib-compressed/],
  ['image.png', 'unknown', /PNG image/],
  ['text.txt', 'unknown', /^text$/],
  ['data.json', 'unknown', /JSON/],
  ['empty.bin', 'unknown', /empty file/],
  ['data.gz', 'unknown', /gzip/],
  ['random.bin', 'unknown', /unrecognised binary/],
  ['elf.bin', 'unknown', /ELF/],
];

describe('format sniffing', () => {
  it.each(EXPECTED)('recognises %s as %s', async (fixture, format, label) => {
    const report = await scanBytes(fixtureBytes(fixture), fixture);
    expect(report.format).toBe(format);
    expect(report.formatLabel).toMatch(label);
    if (format === 'unknown') {
      expect(report.verdict).toBe('unsupported');
      expect(report.findings.map((f) => f.rule)).toEqual(['format.unsupported']);
    }
  });

  it('ignores the file name: a pickle called model.safetensors is a pickle', async () => {
    const report = await scanSource(new MemoryByteSource(fixtureBytes('pickle-p4.pkl'), 'model.safetensors'), { wasm: await wasm() });
    expect(report.format).toBe('pickle');
    const zipAsBin = await scanSource(new MemoryByteSource(fixtureBytes('torch-zip.pt'), 'weights.bin'), { wasm: await wasm() });
    expect(zipAsBin.format).toBe('pytorch-zip');
  });

  it('finds the zip behind a 300-byte prefix and says so', async () => {
    const report = await scanBytes(fixtureBytes('torch-zip-prefixed.bin'));
    expect((report.content.sniff as { prefixBytes: number }).prefixBytes).toBe(300);
  });

  it('lists zip members without reading member data', async () => {
    const bytes = fixtureBytes('torch-zip.pt');
    const source = new MemoryByteSource(bytes, 'torch-zip.pt');
    const report = await scanSource(source, { wasm: await wasm() });
    const names = (report.content.sniff as { names: string[] }).names;
    expect(names).toContain('torch-zip/data.pkl');
    expect(names.some((n) => n.startsWith('torch-zip/data/'))).toBe(true);
  });

  it('reports where the HDF5 signature sits after a user block', async () => {
    const report = await scanBytes(fixtureBytes('model-userblock.h5'));
    expect(report.content.sniff).toEqual({ signatureOffset: 512 });
  });

  it('never calls a recognised but unanalysed format clean', async () => {
    for (const fixture of ['model.h5']) {
      const report = await scanBytes(fixtureBytes(fixture));
      expect(report.verdict, fixture).toBe('unsupported');
      expect(report.findings.map((f) => f.rule), fixture).toContain('format.not-analysed');
    }
  });

  it('analyses safetensors: the fixture is clean, with its tensor table', async () => {
    const report = await scanBytes(fixtureBytes('model.safetensors'));
    expect(report.verdict).toBe('clean');
    expect((report.content.tensors as { name: string; dtype: string; shape: number[] }[]).map(({ name, dtype, shape }) => ({ name, dtype, shape }))).toEqual([
      { name: 'weight', dtype: 'F32', shape: [2, 2] },
      { name: 'bias', dtype: 'F32', shape: [2] },
    ]);
  });

  it('does not mistake headerless text for a protocol 0 pickle', async () => {
    for (const text of ['(hello world)\n', 'Lorem ipsum dolor sit amet\n', 'cat\ndog\n', ']]]]']) {
      expect((await scanBytes(new TextEncoder().encode(text))).format, text).toBe('unknown');
    }
  });

  it('recognises an ONNX model cut short, and not a lone varint', async () => {
    const onnxBytes = fixtureBytes('model.onnx');
    const cut = await scanBytes(onnxBytes.subarray(0, onnxBytes.length - 20));
    expect(cut.format).toBe('onnx');
    expect(cut.formatLabel).toMatch(/truncated/);
    expect((await scanBytes(Uint8Array.of(0x08, 0x08, 0x3a, 0x7f, 0x00))).format).toBe('unknown');
  });

  it('keeps a truncated safetensors file as safetensors, not unknown', async () => {
    const bytes = fixtureBytes('model.safetensors').subarray(0, 40);
    expect((await scanBytes(bytes)).format).toBe('safetensors');
  });

  it('calls a zip with a damaged directory malformed, not unknown', async () => {
    const bytes = fixtureBytes('plain.zip').slice();
    const dv = new DataView(bytes.buffer);
    const eocd = bytes.length - 22;
    expect(dv.getUint32(eocd, true)).toBe(0x06054b50);
    dv.setUint16(eocd + 10, 500, true); // claims 500 entries
    const report = await scanBytes(bytes);
    expect(report.format).toBe('zip');
    expect(report.verdict).toBe('malformed');
    expect(report.findings[0]?.message).toMatch(/central directory entry 2/);
  });

  it('reads a small file once, however many sniffers and drivers look at it', async () => {
    for (const fixture of ['array.npy', 'torch-zip.pt', 'model.onnx', 'image.png']) {
      const bytes = fixtureBytes(fixture);
      const report = await scanBytes(bytes, fixture);
      expect(report.stats.bytesRead, fixture).toBe(bytes.length);
    }
  });

  it('costs a safetensors file exactly its header: 8 + N bytes read', async () => {
    const entries = Array.from({ length: 300 }, (_, i) => `"layer.${i}.weight":{"dtype":"F32","shape":[1024],"data_offsets":[${i * 4096},${(i + 1) * 4096}]}`);
    let json = `{${entries.join(',')}}`;
    json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);
    const header = new TextEncoder().encode(json);
    const big = new Uint8Array(8 + header.length + 300 * 4096);
    new DataView(big.buffer).setBigUint64(0, BigInt(header.length), true);
    big.set(header, 8);
    expect(8 + header.length).toBeGreaterThan(HEAD_BYTES);
    const report = await scanBytes(big);
    expect(report.verdict).toBe('clean');
    expect(report.stats.bytesRead).toBe(8 + header.length);
  });

  it('reads only what it needs: a few kilobytes of a large sparse-looking file', async () => {
    const header = fixtureBytes('model.safetensors');
    const big = new Uint8Array(32 * 1024 * 1024);
    big.set(header);
    const source = new MemoryByteSource(big, 'big.safetensors');
    await scanSource(source, { wasm: await wasm() });
    expect(source.bytesRead).toBeLessThanOrEqual(64 * 1024);
  });
});

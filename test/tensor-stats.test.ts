// Statistics of one tensor, read on request from that tensor's bytes only.
import { describe, expect, it } from 'vitest';
import { MemoryByteSource } from '../src/engine/byte-source.js';
import { scanSource } from '../src/engine/scan.js';
import { MAX_STATS_TENSORS, STATS_CHUNK_BYTES, tensorStats } from '../src/engine/tensor-stats.js';
import { fixtureBytes, wasm } from './helpers.js';

function source(bytes: Uint8Array) {
  return new MemoryByteSource(bytes, 't.bin');
}

describe('tensor statistics', () => {
  it('computes min, max, mean of a numpy array, reading only its data on top of the scan', async () => {
    const bytes = fixtureBytes('array.npy'); // np.arange(12, dtype=float32).reshape(3, 4)
    const report = await scanSource(source(bytes), { wasm: await wasm(), tensorStats: ['array', 'missing'] });
    expect(report.content.tensorStats).toEqual({
      array: { elements: 12, min: 0, max: 11, mean: 5.5, nan: 0, inf: 0 },
      missing: { error: 'no tensor named "missing"' },
    });
  });

  it('counts NaN and Inf apart from the finite values (F32)', async () => {
    const values = Float32Array.of(1, NaN, -Infinity, 3, Infinity);
    const stats = await tensorStats(source(new Uint8Array(values.buffer)), { name: 't', dtype: 'F32', offset: 0, bytes: 20 });
    expect(stats).toEqual({ elements: 5, min: 1, max: 3, mean: 2, nan: 1, inf: 2 });
  });

  it('decodes F16 and BF16', async () => {
    // F16: 1.0 = 0x3c00, -2.0 = 0xc000, NaN = 0x7e00; BF16: 1.0 = 0x3f80, 0.5 = 0x3f00
    const f16 = new Uint8Array(Uint16Array.of(0x3c00, 0xc000, 0x7e00).buffer);
    expect(await tensorStats(source(f16), { name: 'h', dtype: 'F16', offset: 0, bytes: 6 })).toMatchObject({ min: -2, max: 1, nan: 1 });
    const bf16 = new Uint8Array(Uint16Array.of(0x3f80, 0x3f00).buffer);
    expect(await tensorStats(source(bf16), { name: 'b', dtype: 'BF16', offset: 0, bytes: 4 })).toMatchObject({ min: 0.5, max: 1, mean: 0.75 });
  });

  it('reads big-endian numpy data the right way round', async () => {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setInt32(0, -5, false);
    new DataView(bytes.buffer).setInt32(4, 7, false);
    expect(await tensorStats(source(bytes), { name: 'x', dtype: '>i4', offset: 0, bytes: 8 })).toMatchObject({ min: -5, max: 7 });
  });

  it('streams a tensor larger than one chunk and reads only that tensor', async () => {
    const count = STATS_CHUNK_BYTES / 4 + 1000;
    const data = new Float32Array(count).fill(2);
    data[count - 1] = 10;
    const bytes = new Uint8Array(100 + data.byteLength + 100);
    bytes.set(new Uint8Array(data.buffer), 100);
    const s = source(bytes);
    const stats = await tensorStats(s, { name: 'big', dtype: 'F32', offset: 100, bytes: data.byteLength });
    expect(stats).toMatchObject({ elements: count, min: 2, max: 10 });
    expect(s.bytesRead).toBe(data.byteLength);
  });

  it('refuses a dtype it cannot decode and a tensor past the end of the file', async () => {
    await expect(tensorStats(source(new Uint8Array(4)), { name: 'q', dtype: 'F8_E4M3', offset: 0, bytes: 4 })).rejects.toThrow(/not available/);
    await expect(tensorStats(source(new Uint8Array(4)), { name: 'q', dtype: 'F32', offset: 0, bytes: 8 })).rejects.toThrow(/past the end/);
  });

  it('computes at most MAX_STATS_TENSORS per scan', async () => {
    const names = Array.from({ length: MAX_STATS_TENSORS + 1 }, () => 'array').map((n, i) => (i === MAX_STATS_TENSORS ? 'last' : `${n}${i}`));
    const report = await scanSource(source(fixtureBytes('array.npy')), { wasm: await wasm(), tensorStats: names });
    expect((report.content.tensorStats as Record<string, { error?: string }>).last?.error).toMatch(/MAX_STATS_TENSORS/);
  });
});

// Both ByteSource implementations (and the in-memory one) behave alike on real bytes.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BlobByteSource, MAX_READ_BYTES, MemoryByteSource, SliceByteSource, type ByteSource } from '../src/engine/byte-source.js';
import { LimitError, ReadError } from '../src/engine/errors.js';
import { FileHandleByteSource } from '../src/node/file-source.js';

const dir = mkdtempSync(join(tmpdir(), 'weightlens-source-'));
const bytes = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7 + 3) & 0xff);
const filePath = join(dir, 'data.bin');
writeFileSync(filePath, bytes);
const opened: FileHandleByteSource[] = [];

afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

const makers: [string, () => Promise<ByteSource>][] = [
  ['BlobByteSource over a File', async () => new BlobByteSource(new File([bytes], 'data.bin'))],
  ['FileHandleByteSource', async () => {
    const s = await FileHandleByteSource.open(filePath);
    opened.push(s);
    return s;
  }],
  ['MemoryByteSource', async () => new MemoryByteSource(bytes, 'data.bin')],
];

describe.each(makers)('%s', (_, make) => {
  it('knows its size and name', async () => {
    const s = await make();
    expect(s.size).toBe(10_000);
    expect(s.name).toMatch(/data\.bin$/);
  });

  it('returns exactly the bytes asked for', async () => {
    const s = await make();
    expect(Array.from(await s.read(1234, 100))).toEqual(Array.from(bytes.subarray(1234, 1334)));
  });

  it('returns a short read at the end of the file and nothing past it', async () => {
    const s = await make();
    expect((await s.read(9_990, 100)).length).toBe(10);
    expect((await s.read(10_000, 10)).length).toBe(0);
    expect((await s.read(50_000, 10)).length).toBe(0);
  });

  it('counts the bytes it read', async () => {
    const s = await make();
    await s.read(0, 16);
    await s.read(9_990, 100);
    await s.read(20_000, 100);
    expect(s.bytesRead).toBe(26);
  });

  it('rejects negative, fractional and oversized requests', async () => {
    const s = await make();
    await expect(s.read(-1, 4)).rejects.toThrow(RangeError);
    await expect(s.read(0, 1.5)).rejects.toThrow(RangeError);
    await expect(s.read(0, MAX_READ_BYTES + 1)).rejects.toThrow(LimitError);
    expect(s.bytesRead).toBe(0);
  });
});

describe('FileHandleByteSource', () => {
  it('refuses a directory', async () => {
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    await expect(FileHandleByteSource.open(sub)).rejects.toThrow();
  });

  it('turns a failed read into a ReadError', async () => {
    const s = await FileHandleByteSource.open(filePath);
    await s.close(); // reading a closed handle fails like a vanished disk would
    await expect(s.read(0, 10)).rejects.toThrow(ReadError);
  });
});

describe('BlobByteSource', () => {
  it('slices rather than reading the whole blob', async () => {
    let sliced = 0;
    const blob = new Blob([bytes]);
    const spy = new Proxy(blob, {
      get(target, key) {
        if (key === 'slice') return (a: number, b: number) => { sliced += b - a; return target.slice(a, b); };
        const value = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const s = new BlobByteSource(spy, 'spy');
    await s.read(5000, 10);
    expect(sliced).toBe(10);
  });
});

describe('SliceByteSource', () => {
  it('is a window of its parent: offsets from the window, reads counted in both', async () => {
    const parent = new MemoryByteSource(bytes, 'data.bin');
    const slice = new SliceByteSource(parent, 1000, 500, 'member');
    expect(slice.size).toBe(500);
    expect(Array.from(await slice.read(10, 4))).toEqual(Array.from(bytes.subarray(1010, 1014)));
    expect((await slice.read(490, 100)).length).toBe(10); // ends with the window, not the parent
    expect(slice.bytesRead).toBe(14);
    expect(parent.bytesRead).toBe(14);
  });

  it('refuses a window that is not one', () => {
    const parent = new MemoryByteSource(bytes, 'data.bin');
    expect(() => new SliceByteSource(parent, -1, 10)).toThrow(RangeError);
    expect(() => new SliceByteSource(parent, 0, 1.5)).toThrow(RangeError);
  });
});

// The zip central-directory reader on fixtures and on hand-made records that hit each limit.
import { describe, expect, it } from 'vitest';
import { MemoryByteSource } from '../src/engine/byte-source.js';
import { MAX_ZIP_DIRECTORY_BYTES, MAX_ZIP_ENTRIES, readZipDirectory } from '../src/engine/containers/zip-directory.js';
import { LimitError, MalformedError } from '../src/engine/errors.js';
import { concat, fixtureBytes, scanBytes } from './helpers.js';

function eocd(entries: number, directorySize: number, directoryOffset: number): Uint8Array {
  const b = new Uint8Array(22);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0x06054b50, true);
  v.setUint16(8, Math.min(entries, 0xffff), true);
  v.setUint16(10, Math.min(entries, 0xffff), true);
  v.setUint32(12, Math.min(directorySize, 0xffffffff), true);
  v.setUint32(16, Math.min(directoryOffset, 0xffffffff), true);
  return b;
}

/** zip64 end record + locator, then a classic EOCD full of 0xFFFF markers. */
function zip64Tail(entries: number, directorySize: number, directoryOffset: number, at: number): Uint8Array {
  const record = new Uint8Array(56);
  const r = new DataView(record.buffer);
  r.setUint32(0, 0x06064b50, true);
  r.setBigUint64(4, 44n, true);
  r.setBigUint64(24, BigInt(entries), true);
  r.setBigUint64(32, BigInt(entries), true);
  r.setBigUint64(40, BigInt(directorySize), true);
  r.setBigUint64(48, BigInt(directoryOffset), true);
  const locator = new Uint8Array(20);
  const l = new DataView(locator.buffer);
  l.setUint32(0, 0x07064b50, true);
  l.setBigUint64(8, BigInt(at), true);
  return concat(record, locator, eocd(0xffff, 0xffffffff, 0xffffffff));
}

describe('zip directory', () => {
  it('lists the members of a numpy .npz', async () => {
    const dir = await readZipDirectory(new MemoryByteSource(fixtureBytes('arrays.npz'), 'arrays.npz'));
    expect(dir.entries.map((e) => e.name).sort()).toEqual(['ids.npy', 'weights.npy']);
    expect(dir.prefixBytes).toBe(0);
  });

  it('reads the zip64 end records PyTorch writes', async () => {
    const dir = await readZipDirectory(new MemoryByteSource(fixtureBytes('torch-zip.pt'), 'torch-zip.pt'));
    expect(dir.zip64).toBe(true);
    expect(dir.entries.find((e) => e.name.endsWith('/data.pkl'))?.method).toBe(0);
  });

  it('finds the directory behind prepended bytes and measures the prefix', async () => {
    const dir = await readZipDirectory(new MemoryByteSource(fixtureBytes('torch-zip-prefixed.bin'), 'x'));
    expect(dir.prefixBytes).toBe(300);
    expect(dir.entries.length).toBeGreaterThan(3);
  });

  it('refuses a directory larger than MAX_ZIP_DIRECTORY_BYTES', async () => {
    const size = MAX_ZIP_DIRECTORY_BYTES + 1;
    const bytes = concat(zip64Tail(1, size, 0, 0));
    await expect(readZipDirectory(new MemoryByteSource(bytes, 'x'))).rejects.toThrow(LimitError);
    const report = await scanBytes(bytes);
    expect(report.findings[0]).toMatchObject({ rule: 'scan.limit-reached', evidence: { limit: 'MAX_ZIP_DIRECTORY_BYTES' } });
    expect(report.verdict).toBe('suspicious');
  });

  it('refuses more than MAX_ZIP_ENTRIES members', async () => {
    const bytes = zip64Tail(MAX_ZIP_ENTRIES + 1, 46, 0, 0);
    const error = await readZipDirectory(new MemoryByteSource(bytes, 'x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LimitError);
    expect((error as LimitError).limit).toBe('MAX_ZIP_ENTRIES');
  });

  it('is malformed when the directory claims more bytes than precede it', async () => {
    const bytes = concat(new Uint8Array(10), eocd(1, 5000, 0));
    await expect(readZipDirectory(new MemoryByteSource(bytes, 'x'))).rejects.toThrow(MalformedError);
  });

  it('rejects sizes past 2^53 instead of rounding them', async () => {
    const bytes = zip64Tail(1, 46, 0, 0);
    new DataView(bytes.buffer).setBigUint64(40, 2n ** 60n, true);
    await expect(readZipDirectory(new MemoryByteSource(bytes, 'x'))).rejects.toThrow(/larger than any real file/);
  });
});

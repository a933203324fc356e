// Bounded inflation: members inflate only as far as reads need, never past the
// declared size or the limits, and the whole scan shares one budget.
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MemoryByteSource } from '../src/engine/byte-source.js';
import { crc32 } from '../src/engine/containers/crc32.js';
import { InflateBudget, InflatingByteSource, MAX_INFLATED_TOTAL_BYTES } from '../src/engine/containers/inflate.js';
import { LimitError, MalformedError } from '../src/engine/errors.js';
import type { Report } from '../src/engine/report.js';
import { randomBytes, scanBytes } from './helpers.js';


function member(data: Uint8Array, declared = data.length) {
  const compressed = new Uint8Array(deflateRawSync(data));
  const parent = new MemoryByteSource(compressed, 'm');
  const source = new InflatingByteSource(parent, 0, compressed.length, declared, 'm', { budget: new InflateBudget(), where: { member: 'm' }, what: 'member m' });
  return { parent, source, compressed };
}

describe('inflating members', () => {
  it('inflates only as far as the reads need', async () => {
    const data = randomBytes(4 * 1024 * 1024);
    const { parent, source, compressed } = member(data);
    expect(Array.from(await source.read(0, 16))).toEqual(Array.from(data.subarray(0, 16)));
    expect(parent.bytesRead).toBeLessThan(128 * 1024);
    expect(compressed.length).toBeGreaterThan(4 * 1024 * 1024);
    source.close();
  });

  it('serves the member exactly, end included', async () => {
    const data = randomBytes(200_000, 7);
    const { source } = member(data);
    const whole = await source.read(0, data.length);
    expect(crc32(whole)).toBe(crc32(data));
    expect(source.wholeInflated).toBe(true);
  });

  it('is malformed when the data inflates to less than the declared size', async () => {
    const { source } = member(randomBytes(1000), 2000);
    await expect(source.read(0, 2000)).rejects.toThrow(MalformedError);
    await expect(source.read(0, 2000)).rejects.toThrow(/inflates to 1000 bytes, but the zip directory declares 2000/);
  });

  it('is malformed when the data inflates to more than the declared size', async () => {
    const { source } = member(new Uint8Array(100_000), 500);
    await expect(source.read(0, 500)).rejects.toThrow(/inflates to more than the 500 bytes/);
  });

  it('is malformed (unreadable member) on broken deflate data', async () => {
    const parent = new MemoryByteSource(Uint8Array.of(0xff, 0xff, 0xff, 0xff), 'm');
    const source = new InflatingByteSource(parent, 0, 4, 10, 'm', { budget: new InflateBudget(), where: { member: 'm' }, what: 'member m', brokenRule: 'zip.unreadable-member' });
    const error = await source.read(0, 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedError);
    expect((error as MalformedError).rule).toBe('zip.unreadable-member');
  });

  it(`charges every inflated byte of a scan to one budget of MAX_INFLATED_TOTAL_BYTES (${MAX_INFLATED_TOTAL_BYTES})`, () => {
    const budget = new InflateBudget();
    budget.charge(MAX_INFLATED_TOTAL_BYTES, {});
    expect(() => budget.charge(1, { member: 'x' })).toThrow(LimitError);
  });

  it('stops a zip of overlapping deflated members at MAX_INFLATED_TOTAL_BYTES', async () => {
    // One deflate stream of a 200 MiB bytes pickle, referenced by six directory entries:
    // ~200 KiB of file that would inflate to 1.2 GiB.
    const payload = 200 * 1024 * 1024;
    const pickle = new Uint8Array(11 + payload + 1);
    pickle.set([0x80, 0x04, 0x8e]);
    new DataView(pickle.buffer).setBigUint64(3, BigInt(payload), true);
    pickle[pickle.length - 1] = 0x2e;
    const compressed = new Uint8Array(deflateRawSync(pickle, { level: 9 }));
    const crc = crc32(pickle);
    const bytes = overlappingZip(compressed, crc, pickle.length, 6);
    const r: Report = await scanBytes(bytes);
    expect(r.findings.find((f) => f.rule === 'scan.limit-reached')).toMatchObject({ location: { member: 'm5.pkl' }, evidence: { limit: 'MAX_INFLATED_TOTAL_BYTES' } });
    expect(r.findings.filter((f) => f.rule === 'zip.overlapping-members')).toHaveLength(5);
  }, 60_000);
});

/** A zip whose `count` directory entries all point at one deflated local header. */
function overlappingZip(data: Uint8Array, crc: number, size: number, count: number): Uint8Array {
  const name = new TextEncoder().encode('m0.pkl');
  const local = new Uint8Array(30 + name.length);
  const lv = new DataView(local.buffer);
  lv.setUint32(0, 0x04034b50, true);
  lv.setUint16(8, 8, true);
  lv.setUint32(14, crc, true);
  lv.setUint32(18, data.length, true);
  lv.setUint32(22, size, true);
  lv.setUint16(26, name.length, true);
  local.set(name, 30);
  const records = Array.from({ length: count }, (_, i) => {
    const n = new TextEncoder().encode(`m${i}.pkl`);
    const r = new Uint8Array(46 + n.length);
    const v = new DataView(r.buffer);
    v.setUint32(0, 0x02014b50, true);
    v.setUint16(10, 8, true);
    v.setUint32(16, crc, true);
    v.setUint32(20, data.length, true);
    v.setUint32(24, size, true);
    v.setUint16(28, n.length, true);
    r.set(n, 46);
    return r;
  });
  const directory = records.reduce((n, r) => n + r.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, count, true);
  ev.setUint16(10, count, true);
  ev.setUint32(12, directory, true);
  ev.setUint32(16, local.length + data.length, true);
  const out = new Uint8Array(local.length + data.length + directory + 22);
  let at = 0;
  for (const part of [local, data, ...records, eocd]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

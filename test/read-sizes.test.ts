// Read sizes are bounded where files are walked in growing chunks: compressed
// input of an inflating member (containers/inflate), GGUF header refills
// (gguf/cursor), batched zip local headers (containers/zip-members); and the
// zip data-descriptor allowance (containers/zip-members), the JSON scanner's
// addressable size (json/scan-json).
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MemoryByteSource, type ByteSource } from '../src/engine/byte-source.js';
import { crc32 } from '../src/engine/containers/crc32.js';
import { InflateBudget, InflatingByteSource } from '../src/engine/containers/inflate.js';
import { readZipDirectory } from '../src/engine/containers/zip-directory.js';
import { MAX_WHOLE_PEEK_BYTES, readZipLayout, WHOLE_PEEK_MEMBER_BYTES } from '../src/engine/containers/zip-members.js';
import { scanJson } from '../src/engine/json/scan-json.js';
import { scanSource } from '../src/engine/scan.js';
import { gguf } from './fixtures/gguf-writer.mjs';
import { randomBytes, wasm } from './helpers.js';
import { buildZip } from './zip-builder.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Records every read of a source: [offset, length]. */
function recording<T extends ByteSource>(source: T): { source: T; reads: [number, number][] } {
  const reads: [number, number][] = [];
  const read = source.read.bind(source);
  source.read = (offset: number, length: number) => {
    reads.push([offset, length]);
    return read(offset, length);
  };
  return { source, reads };
}


describe('bounded read sizes', () => {
  it('MAX_INPUT_CHUNK (64 KiB, containers/inflate): compressed input is read 16, 32, then 64 KiB at a time, never more', async () => {
    const data = randomBytes(320 * KiB);
    const compressed = new Uint8Array(deflateRawSync(data));
    const { source: parent, reads } = recording(new MemoryByteSource(compressed, 'm'));
    const member = new InflatingByteSource(parent, 0, compressed.length, data.length, 'm', { budget: new InflateBudget(), where: { member: 'm' }, what: 'member m' });
    expect(await member.read(0, data.length)).toEqual(data);
    const lengths = reads.map(([, length]) => length);
    expect(lengths.slice(0, 3)).toEqual([16 * KiB, 32 * KiB, 64 * KiB]);
    expect(Math.max(...lengths)).toBe(64 * KiB);
    expect(lengths.filter((n) => n === 64 * KiB).length).toBeGreaterThanOrEqual(3);
  });

  it('MAX_CHUNK_BYTES (1 MiB, gguf/cursor): header refills double up to 1 MiB and stay there', async () => {
    // 40 strings of 100 KB: a 4 MB header read through the cursor
    const kv = Array.from({ length: 40 }, (_, i) => [`k${i}`, 'str', 'v'.repeat(100_000)]);
    const { source, reads } = recording(new MemoryByteSource(gguf({ kv }), 'big-header.gguf'));
    const r = await scanSource(source, { wasm: await wasm() });
    expect(r.format).toBe('gguf');
    const refills = reads.filter(([offset]) => offset > 0 && offset < 4_000_000).map(([, length]) => length);
    expect(Math.max(...refills)).toBe(MiB);
    expect(refills.filter((n) => n === MiB).length).toBeGreaterThanOrEqual(2);
  });

  it('MAX_WHOLE_PEEK_BYTES (32 MiB, containers/zip-members): small stored members come whole with their headers up to it, are read again past it, and every CRC is checked', async () => {
    // 8,400 members of 4,000 bytes: 33.6 MB of small members, past the 32 MiB kept; the first and the last have a wrong CRC
    const size = WHOLE_PEEK_MEMBER_BYTES - 96;
    const count = Math.ceil(MAX_WHOLE_PEEK_BYTES / size) + 200;
    const members = Array.from({ length: count }, (_, i) => ({ name: `m${String(i).padStart(5, '0')}.bin`, head: new Uint8Array(size).fill(0xff).fill(i & 0x7f, 1), ...(i === 0 || i === count - 1 ? { crc: 0x12345678 } : {}) }));
    const { source, reads } = recording(buildZip(members));
    const r = await scanSource(source, { wasm: await wasm() });
    const bad = r.findings.filter((f) => f.rule === 'zip.crc-mismatch').map((f) => f.location.member);
    expect(bad).toEqual(['m00000.bin', `m${String(count - 1).padStart(5, '0')}.bin`]);
    // header batches of 1 MiB for all of it; before the budget a member's data is read again only when it ends
    // past its batch (about one a batch), after it every member's is, in runs of up to 1 MiB
    const dataReads = reads.filter(([offset]) => (offset - 30 - 10) % (30 + 10 + size) === 0);
    const batches = Math.ceil(source.size / MiB);
    const before = dataReads.filter(([offset]) => offset < MAX_WHOLE_PEEK_BYTES);
    expect(before.length).toBeLessThanOrEqual(batches);
    expect(before.reduce((n, [, length]) => n + length, 0)).toBeLessThanOrEqual(batches * size);
    expect(dataReads.filter(([offset]) => offset > MAX_WHOLE_PEEK_BYTES).length).toBeGreaterThan(0);
    expect(reads.length).toBeLessThan(3 * batches);
  });

  it('MAX_BATCH_BYTES (1 MiB, containers/zip-members): neighbouring local headers are read together, at most 1 MiB at once', async () => {
    // 600 members of 2 KB side by side: 1.2 MB of local headers and data, in two batched reads
    const members = Array.from({ length: 600 }, (_, i) => ({ name: `m${String(i).padStart(3, '0')}.bin`, head: new Uint8Array(2000).fill(i & 0xff) }));
    const { source, reads } = recording(buildZip(members));
    const dir = await readZipDirectory(source);
    const before = reads.length;
    const layout = await readZipLayout(source, dir);
    expect(layout.members).toHaveLength(600);
    const batches = reads.slice(before).sort((a, b) => a[0] - b[0]);
    expect(batches).toHaveLength(2);
    const [first, second] = batches as [[number, number], [number, number]];
    expect(first[0]).toBe(0);
    expect(first[1]).toBeLessThanOrEqual(MiB); // the first batch: from the first header at 0, at most 1 MiB
    expect(first[1]).toBeGreaterThan(MiB - 4 * KiB);
    expect(second[0]).toBeGreaterThan(first[0] + first[1] - 4 * KiB); // the next batch starts where that one stopped
    expect(second[1]).toBeLessThanOrEqual(MiB);
  });
});

/** A stored zip of one member flagged with a data descriptor (0x0008), followed by `gap` bytes no entry covers. */
function zipWithDescriptorGap(gap: number): Uint8Array {
  const name = new TextEncoder().encode('a.txt');
  const data = new TextEncoder().encode('hello');
  const crc = crc32(data);
  const local = new Uint8Array(30 + name.length);
  const lv = new DataView(local.buffer);
  lv.setUint32(0, 0x04034b50, true);
  lv.setUint16(4, 20, true);
  lv.setUint16(6, 0x0008, true);
  lv.setUint16(26, name.length, true); // crc and sizes zero: they follow in the descriptor
  local.set(name, 30);
  const descriptor = new Uint8Array(gap); // PK\x07\x08, crc, sizes, then padding
  const dv = new DataView(descriptor.buffer);
  if (gap >= 16) {
    dv.setUint32(0, 0x08074b50, true);
    dv.setUint32(4, crc, true);
    dv.setUint32(8, data.length, true);
    dv.setUint32(12, data.length, true);
  }
  const central = new Uint8Array(46 + name.length);
  const cv = new DataView(central.buffer);
  cv.setUint32(0, 0x02014b50, true);
  cv.setUint16(4, 20, true);
  cv.setUint16(6, 20, true);
  cv.setUint16(8, 0x0008, true);
  cv.setUint32(16, crc, true);
  cv.setUint32(20, data.length, true);
  cv.setUint32(24, data.length, true);
  cv.setUint16(28, name.length, true);
  central.set(name, 46);
  const directoryAt = local.length + data.length + gap;
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, 1, true);
  ev.setUint16(10, 1, true);
  ev.setUint32(12, central.length, true);
  ev.setUint32(16, directoryAt, true);
  const out = new Uint8Array(directoryAt + central.length + end.length);
  out.set(local, 0);
  out.set(data, local.length);
  out.set(descriptor, local.length + data.length);
  out.set(central, directoryAt);
  out.set(end, directoryAt + central.length);
  return out;
}

describe('zip data descriptors (containers/zip-members)', () => {
  it('MAX_DESCRIPTOR_BYTES (24): up to 24 bytes after a member flagged with a descriptor are its descriptor; 25 are unlisted bytes', async () => {
    const rulesOf = async (gap: number) => (await scanSource(new MemoryByteSource(zipWithDescriptorGap(gap), 'd.zip'), { wasm: await wasm() })).findings.map((f) => f.rule);
    expect(await rulesOf(16)).not.toContain('zip.unlisted-bytes');
    expect(await rulesOf(24)).not.toContain('zip.unlisted-bytes'); // a zip64 descriptor
    expect(await rulesOf(25)).toContain('zip.unlisted-bytes');
  });
});

describe('JSON scanner (json/scan-json)', () => {
  it('MAX_TEXT_BYTES (2^32 - 1): a text past what the u32 offsets address is refused before any work', async () => {
    // only the length is read before the refusal: a 4 GiB text is not needed to show it
    const huge = { length: 2 ** 32 } as unknown as Uint8Array;
    expect(() => scanJson({} as never, huge, { maxDepth: 8 }, {} as never)).toThrow(/a JSON text of 4294967296 bytes is past what the scanner addresses/);
  });
});

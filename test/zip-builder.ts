// Zips too big to commit, built in the test: stored members whose bulk is
// zeros that are never materialised (a 2 GB checkpoint costs a few KB of
// memory), served by a ByteSource that counts reads like a file does.
import { CountingByteSource } from '../src/engine/byte-source.js';
import { crc32 } from '../src/engine/containers/crc32.js';

export interface BuiltMember {
  name: string;
  /** First bytes of the data. */
  head?: Uint8Array;
  /** Zero bytes after `head`, never held in memory. */
  zeros?: number;
  /** Last bytes, after the zeros. */
  tail?: Uint8Array;
  /** Recorded CRC-32; computed when omitted (and `zeros` is 0). */
  crc?: number;
}

type Segment = Uint8Array | { zeros: number };

/** A file made of byte arrays and runs of zeros. */
export class SegmentSource extends CountingByteSource {
  readonly size: number;
  private readonly starts: number[] = [];

  constructor(
    private readonly segments: Segment[],
    readonly name = 'built.zip',
  ) {
    super();
    let at = 0;
    for (const s of segments) {
      this.starts.push(at);
      at += s instanceof Uint8Array ? s.length : s.zeros;
    }
    this.size = at;
  }

  protected async fetch(offset: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    // the last segment starting at or before `offset`, then on until the read is covered
    let lo = 0;
    for (let hi = this.starts.length - 1; lo < hi; ) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    for (let i = lo; i < this.segments.length && this.starts[i]! < offset + length; i++) {
      const s = this.segments[i]!;
      const start = this.starts[i]!;
      const len = s instanceof Uint8Array ? s.length : s.zeros;
      const from = Math.max(offset, start);
      const to = Math.min(offset + length, start + len);
      if (from >= to || !(s instanceof Uint8Array)) continue;
      out.set(s.subarray(from - start, to - start), from - offset);
    }
    return out;
  }
}

/** A stored-only zip (no zip64: under 4 GiB) of the given members, with `prefix` bytes before it. */
export function buildZip(members: BuiltMember[], prefix: Uint8Array = new Uint8Array(0)): SegmentSource {
  const segments: Segment[] = [prefix];
  const central: Uint8Array[] = [];
  let offset = 0; // offsets are relative to the archive, as a zip written before the prefix was added
  for (const m of members) {
    const name = new TextEncoder().encode(m.name);
    const head = m.head ?? new Uint8Array(0);
    const zeros = m.zeros ?? 0;
    const tail = m.tail ?? new Uint8Array(0);
    const size = head.length + zeros + tail.length;
    const crc = m.crc ?? (zeros ? 0 : crc32(tail, crc32(head)));
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, size, true);
    lv.setUint32(22, size, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const record = new Uint8Array(46 + name.length);
    const cv = new DataView(record.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, size, true);
    cv.setUint32(24, size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    record.set(name, 46);
    central.push(record);
    segments.push(local, head);
    if (zeros) segments.push({ zeros });
    segments.push(tail);
    offset += local.length + size;
  }
  const directorySize = central.reduce((n, r) => n + r.length, 0);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, members.length, true);
  ev.setUint16(10, members.length, true);
  ev.setUint32(12, directorySize, true);
  ev.setUint32(16, offset, true);
  segments.push(...central, eocd);
  return new SegmentSource(segments);
}

/** A protocol-4 pickle of a bytes object of `length` bytes: BINBYTES8, the zeros, STOP. */
export function bytesPickle(length: number): { head: Uint8Array; zeros: number; tail: Uint8Array } {
  const head = new Uint8Array(11);
  head.set([0x80, 0x04, 0x8e]);
  new DataView(head.buffer).setBigUint64(3, BigInt(length), true);
  return { head, zeros: length, tail: Uint8Array.of(0x2e) };
}

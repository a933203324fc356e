// A tiny writer for the zip layout PyTorch's PyTorchStreamWriter (miniz) produces:
// stored members; local headers with flags 0x0808 (UTF-8 names + data
// descriptor) and zero CRC/sizes; an extra field "FB" of 'Z' bytes that pads
// each member's data to a 64-byte boundary; a PK\x07\x08 data descriptor after
// each member; a central directory without extra fields; then, as torch always
// writes (MZ_ZIP_FLAG_WRITE_ZIP64), a zip64 end-of-central-directory record and
// locator before the classic end record. Sizes and offsets must stay below 4 GiB.
import zlib from 'node:zlib';

const ALIGN = 64;
const LOCAL_HEADER = 30;

export class TorchZipWriter {
  /** @param {{write(b: Uint8Array): void, position: number}} w */
  constructor(w) {
    this.w = w;
    this.entries = [];
  }

  /**
   * Writes one member. `fill(emit)` must call emit(chunk) with the member's bytes
   * in order, `size` bytes in all; `fill` null = only work out the layout
   * (the writer must then be a CountingWriter). Returns {name, offset, dataOffset, size, crc}.
   */
  add(name, size, fill) {
    const nameBytes = Buffer.from(name, 'utf8');
    const offset = this.w.position;
    if (offset + LOCAL_HEADER + nameBytes.length + 4 + ALIGN + size + 16 >= 2 ** 32) {
      throw new Error('zip member past 4 GiB: this writer does not do zip64 members');
    }
    const start = offset + LOCAL_HEADER + nameBytes.length + 4;
    const padding = (ALIGN - (start % ALIGN)) % ALIGN;
    const h = Buffer.alloc(LOCAL_HEADER);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(0, 4); // version needed (miniz writes 0)
    h.writeUInt16LE(0x0808, 6); // bit 3: sizes in a data descriptor; bit 11: UTF-8 name
    // method 0 (stored), time 0, date 0, crc 0, sizes 0: all left zero
    h.writeUInt16LE(nameBytes.length, 26);
    h.writeUInt16LE(4 + padding, 28);
    const extra = Buffer.alloc(4 + padding, 'Z');
    extra.write('FB', 0, 'latin1');
    extra.writeUInt16LE(padding, 2);
    this.w.write(h);
    this.w.write(nameBytes);
    this.w.write(extra);
    const dataOffset = this.w.position;
    let crc = 0;
    let written = 0;
    if (fill === null) {
      this.w.skip(size);
      written = size;
    } else fill((chunk) => {
      crc = zlib.crc32(chunk, crc);
      written += chunk.length;
      this.w.write(chunk);
    });
    if (written !== size) throw new Error(`${name}: wrote ${written} bytes, announced ${size}`);
    const dd = Buffer.allocUnsafe(16);
    dd.writeUInt32LE(0x08074b50, 0);
    dd.writeUInt32LE(crc >>> 0, 4);
    dd.writeUInt32LE(size, 8);
    dd.writeUInt32LE(size, 12);
    this.w.write(dd);
    const e = { name, nameBytes, offset, dataOffset, size, crc: crc >>> 0 };
    this.entries.push(e);
    return e;
  }

  /** Central directory, zip64 end record + locator, end record. Returns where they start. */
  finish() {
    const cdOffset = this.w.position;
    for (const e of this.entries) {
      const c = Buffer.alloc(46);
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE(0, 4); // version made by
      c.writeUInt16LE(0, 6); // version needed
      c.writeUInt16LE(0x0808, 8);
      c.writeUInt32LE(e.crc, 16);
      c.writeUInt32LE(e.size, 20);
      c.writeUInt32LE(e.size, 24);
      c.writeUInt16LE(e.nameBytes.length, 28);
      c.writeUInt32LE(e.offset, 42);
      this.w.write(c);
      this.w.write(e.nameBytes);
    }
    const cdSize = this.w.position - cdOffset;
    const n = this.entries.length;
    const zip64Eocd = this.w.position;
    const z = Buffer.alloc(56);
    z.writeUInt32LE(0x06064b50, 0);
    z.writeBigUInt64LE(44n, 4);
    z.writeUInt16LE(0x031e, 12); // made by: unix, 3.0 (what miniz writes)
    z.writeUInt16LE(0x002d, 14); // needed: 4.5
    z.writeBigUInt64LE(BigInt(n), 24);
    z.writeBigUInt64LE(BigInt(n), 32);
    z.writeBigUInt64LE(BigInt(cdSize), 40);
    z.writeBigUInt64LE(BigInt(cdOffset), 48);
    this.w.write(z);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(zip64Eocd), 8);
    loc.writeUInt32LE(1, 16);
    this.w.write(loc);
    const eocdOffset = this.w.position;
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(Math.min(n, 0xffff), 8); // past 65,535 members the zip64 record holds the count (as miniz writes)
    eocd.writeUInt16LE(Math.min(n, 0xffff), 10);
    eocd.writeUInt32LE(cdSize, 12);
    eocd.writeUInt32LE(cdOffset, 16);
    this.w.write(eocd);
    return { entries: n, cdOffset, cdSize, zip64Eocd, eocdOffset, size: this.w.position };
  }
}

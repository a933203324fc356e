// Reads bytes of a pickle stream back by offset: the scalars the machine only
// pointed at (strings, big ints, floats, GLOBAL lines). Small pages with a
// bounded cache, since the offsets cluster near each other.
import type { ByteSource } from '../byte-source.js';

const PAGE_BYTES = 64 * 1024;
/** Pages kept: 4 MiB, enough for the strings of a checkpoint's whole pickle. */
const MAX_PAGES = 64;

export class StreamReader {
  private readonly pages = new Map<number, Uint8Array>();

  constructor(readonly source: ByteSource) {}

  /** Up to `length` bytes at `offset` (fewer at the end of the stream). */
  async bytes(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(offset + length, this.source.size);
    if (end <= offset) return new Uint8Array(0);
    const first = Math.floor(offset / PAGE_BYTES);
    const last = Math.floor((end - 1) / PAGE_BYTES);
    if (first === last) {
      const page = await this.page(first);
      return page.subarray(offset - first * PAGE_BYTES, end - first * PAGE_BYTES);
    }
    const out = new Uint8Array(end - offset);
    for (let p = first; p <= last; p++) {
      const page = await this.page(p);
      const from = Math.max(offset, p * PAGE_BYTES);
      const to = Math.min(end, (p + 1) * PAGE_BYTES);
      out.set(page.subarray(from - p * PAGE_BYTES, to - p * PAGE_BYTES), from - offset);
    }
    return out;
  }

  private async page(index: number): Promise<Uint8Array> {
    const cached = this.pages.get(index);
    if (cached) {
      this.pages.delete(index); // most recently used goes last
      this.pages.set(index, cached);
      return cached;
    }
    const page = await this.source.read(index * PAGE_BYTES, PAGE_BYTES);
    if (this.pages.size >= MAX_PAGES) this.pages.delete(this.pages.keys().next().value!);
    this.pages.set(index, page);
    return page;
  }
}

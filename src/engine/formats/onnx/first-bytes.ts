// The sniffer reads the first window of a candidate ONNX file and the walk
// starts at the same place: this keeps those bytes so they are read once.
import type { ByteSource } from '../../byte-source.js';

/** What a sniff walk and the start of the analysis share; the sniff's own window size. */
export const FIRST_BYTES = 64 * 1024;

/** Serves reads that fall inside the file's first bytes from memory. */
export class FirstBytesSource implements ByteSource {
  constructor(
    private readonly file: ByteSource,
    private readonly first: Uint8Array,
  ) {}

  get name(): string {
    return this.file.name;
  }

  get size(): number {
    return this.file.size;
  }

  get bytesRead(): number {
    return this.file.bytesRead;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = offset + length;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset >= this.first.length) return this.file.read(offset, length);
    if (end <= this.first.length || this.first.length >= this.file.size) return this.first.subarray(offset, Math.min(end, this.first.length));
    const rest = await this.file.read(this.first.length, end - this.first.length);
    const joined = new Uint8Array(this.first.length - offset + rest.length);
    joined.set(this.first.subarray(offset));
    joined.set(rest, this.first.length - offset);
    return joined;
  }
}

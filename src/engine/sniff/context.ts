// What sniffers share: the first bytes of the file and, when it is a zip, its
// directory — each read once however many drivers ask.
import { MAX_READ_BYTES, type ByteSource } from '../byte-source.js';
import { findEndOfCentralDirectory, readZipDirectory, startsWithLocalHeader, type ZipDirectory } from '../containers/zip-directory.js';
import type { WeightlensWasm } from '../wasm.js';

/**
 * Bytes every sniffer may look at: enough for any magic number and a pickle
 * prefix, small enough that a format reading its own header (safetensors: 8 + N
 * bytes) costs no more than that header.
 */
export const HEAD_BYTES = 4 * 1024;

export type ZipLook =
  | { kind: 'none' }
  | { kind: 'zip'; directory: ZipDirectory }
  /** Zip signatures are present but the directory cannot be read. */
  | { kind: 'broken'; error: Error };

export class SniffContext {
  /** The file, with reads inside the head served from memory: nothing is read twice. */
  readonly source: ByteSource;
  private headBytes?: Promise<Uint8Array>;
  private zipLook?: Promise<ZipLook>;

  constructor(
    private readonly file: ByteSource,
    readonly wasm: WeightlensWasm,
  ) {
    this.source = new HeadCachedSource(file, () => this.head());
  }

  head(): Promise<Uint8Array> {
    this.headBytes ??= this.file.read(0, Math.min(HEAD_BYTES, this.file.size));
    return this.headBytes;
  }

  zip(): Promise<ZipLook> {
    this.zipLook ??= this.lookForZip();
    return this.zipLook;
  }

  private async lookForZip(): Promise<ZipLook> {
    const eocd = await findEndOfCentralDirectory(this.source);
    if (eocd === undefined) {
      // A local header without an end record: a truncated or damaged zip.
      return (await startsWithLocalHeader(this.source))
        ? { kind: 'broken', error: new Error('zip local header at offset 0 but no end-of-central-directory record (truncated archive?)') }
        : { kind: 'none' };
    }
    try {
      return { kind: 'zip', directory: await readZipDirectory(this.source, eocd) };
    } catch (error) {
      return { kind: 'broken', error: error as Error };
    }
  }
}

/** Serves the part of a read that falls inside the head from the cached head bytes. */
class HeadCachedSource implements ByteSource {
  constructor(
    private readonly file: ByteSource,
    private readonly head: () => Promise<Uint8Array>,
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
    const valid = Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0 && length <= MAX_READ_BYTES;
    if (!valid || offset >= HEAD_BYTES) return this.file.read(offset, length); // the file checks and throws
    const head = await this.head();
    const cached = head.subarray(offset, offset + length);
    const end = offset + cached.length;
    if (cached.length === length || end >= this.file.size) return cached;
    const rest = await this.file.read(end, length - cached.length);
    const joined = new Uint8Array(cached.length + rest.length);
    joined.set(cached);
    joined.set(rest, cached.length);
    return joined;
  }
}
